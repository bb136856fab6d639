"""Icons in the project's admin templates: a name Wagtail does not have draws nothing, and an
icon inside a plain ``button`` (without Wagtail's ``button--icon``) is drawn 300 px wide and
pushes the label out of the button (the import's confirm button was an empty bar)."""

import re
from pathlib import Path

from wagtail.admin.icons import get_icons

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted([*ROOT.glob("templates/**/*.html"), *ROOT.glob("campaign/**/templates/**/*.html")])
ICON_TAG = re.compile(r'\{% icon name="([\w-]+)"')
BUTTON_WITH_ICON = re.compile(r'<(?:a|button)\b[^>]*class="(button[^"]*)"[^>]*>\s*\{% icon\b')


def _names():
    """The symbols of the sprite Wagtail's admin pages carry (its own and registered)."""
    return set(re.findall(r'<symbol id="icon-([\w-]+)"', str(get_icons())))


def test_every_icon_a_template_names_exists_in_wagtail():
    available = _names()
    assert {"check", "upload", "download"} <= available
    missing = {
        (str(path.relative_to(ROOT)), name)
        for path in TEMPLATES
        for name in ICON_TAG.findall(path.read_text())
        if name not in available
    }
    assert missing == set()


def test_a_button_with_an_icon_uses_wagtails_icon_button_classes():
    assert TEMPLATES
    plain = [
        (str(path.relative_to(ROOT)), classes)
        for path in TEMPLATES
        for classes in BUTTON_WITH_ICON.findall(path.read_text())
        if "button--icon" not in classes.split()
    ]
    assert plain == []
