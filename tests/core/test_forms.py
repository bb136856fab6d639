from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from campaign.core.forms import SpreadsheetFileField


class UploadForm(forms.Form):
    file = SpreadsheetFileField(max_bytes=2 * 2**20)


def _form(size):
    return UploadForm(files={"file": SimpleUploadedFile("daftar.csv", b"x" * size, content_type="text/csv")})


def test_a_spreadsheet_over_the_limit_is_refused_by_the_form_with_the_limit_named():
    assert _form(2 * 2**20).is_valid()
    form = _form(2 * 2**20 + 1)
    with translation.override("id"):
        assert not form.is_valid()
        assert form.errors["file"] == ["Berkas lebih besar dari 2 MB."]


def test_the_upload_offers_csv_and_xlsx_files():
    html = str(UploadForm()["file"])
    assert 'accept=".csv,.xlsx,' in html
