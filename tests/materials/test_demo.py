"""The demo materials: the SP2020 guide, the press room with an embargoed release."""

from io import StringIO

import pytest
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Revision

from campaign.core import demo as core_demo
from campaign.materials import codes, demo, embargo, printing
from campaign.materials.models import GuidePage, MediaItem, PressFactSheet, PressReleasePage
from tests.materials.pdftools import decode_qr, pdf_text, pdf_to_png

pytestmark = pytest.mark.django_db


def _counts():
    return {
        "guides": GuidePage.objects.count(),
        "releases": PressReleasePage.objects.count(),
        "live_releases": PressReleasePage.objects.live().count(),
        "scheduled": Revision.page_revisions.filter(approved_go_live_at__isnull=False).count(),
        "images": get_image_model().objects.count(),
        "documents": get_document_model().objects.count(),
        "media": MediaItem.objects.count(),
        "fact_sheets": PressFactSheet.objects.count(),
    }


@pytest.fixture
def loaded(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    core_demo.load(stdout=StringIO(), with_users=False)
    output = StringIO()
    demo.load(stdout=output, with_users=False)
    return output.getvalue()


def test_the_demo_materials_are_complete_and_load_twice_without_duplicates(loaded, client, tmp_path):
    first = _counts()
    demo.load(stdout=StringIO(), with_users=False)

    assert _counts() == first
    assert first == {
        "guides": 1,
        "releases": 2,
        "live_releases": 1,
        "scheduled": 1,
        "images": 7,  # with the embargoed release's photo
        "documents": 2,
        "media": 4,
        "fact_sheets": 1,
    }
    assert "embargoed until" in loaded

    guide = GuidePage.objects.get()
    titles = [block.value["title"] for block in guide.steps]
    assert titles[0] == "Buka situs sensus.bps.go.id"
    assert "Masukkan Nomor Kartu Keluarga dan NIK" in titles
    assert "Jawab pertanyaan untuk setiap anggota keluarga" in titles
    assert titles[-1] == "Simpan bukti pengisian"
    assert client.get(guide.url).status_code == 200

    embargoed = PressReleasePage.objects.get(live=False)
    assert embargoed.go_live_at is not None
    assert embargoed.title not in client.get("/ruang-pers/").content.decode()
    [photo] = [block.value["image"] for block in embargoed.body if block.block_type == "image"]
    assert embargo.image_is_withheld(photo.pk)  # withheld with its release

    sheet = printing.sheet_pdf(guide=guide, size="a4")
    assert "sensus.bps.go.id" in pdf_text(sheet, tmp_path)
    [png] = pdf_to_png(sheet, tmp_path)
    assert decode_qr(png) == [codes.for_guide(guide.pk).url]
