from pathlib import Path

import polib
from django.utils import translation

LOCALE = Path(__file__).resolve().parents[2] / "locale"


def test_indonesian_catalogue_is_complete_and_compiled():
    po = polib.pofile(LOCALE / "id" / "LC_MESSAGES" / "django.po")
    untranslated = [entry.msgid for entry in po.untranslated_entries()]
    fuzzy = [entry.msgid for entry in po.fuzzy_entries()]
    assert untranslated == [] and fuzzy == []
    mo = polib.mofile(LOCALE / "id" / "LC_MESSAGES" / "django.mo")
    compiled = {entry.msgid: entry.msgstr for entry in mo}
    stale = [e.msgid for e in po.translated_entries() if compiled.get(e.msgid) != e.msgstr]
    assert stale == [], "run `make messages` to recompile django.mo"


def test_indonesian_is_the_default_language(settings):
    assert settings.LANGUAGE_CODE == "id"
    assert settings.TIME_ZONE == "Asia/Makassar"
    with translation.override("id"):
        assert translation.gettext("Page not found") == "Halaman tidak ditemukan"
