"""Form fields that more than one app's admin uses."""

from django import forms
from django.utils.translation import gettext as _

SPREADSHEET_ACCEPT = ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class SpreadsheetFileField(forms.FileField):
    """A CSV or XLSX upload, refused by the form (with the limit named) when it is larger
    than ``max_bytes``, before anything reads it. The importers check the contents."""

    def __init__(self, *, max_bytes: int, **kwargs):
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": SPREADSHEET_ACCEPT}))
        super().__init__(**kwargs)
        self.max_bytes = max_bytes

    def validate(self, value):
        super().validate(value)
        if value and value.size > self.max_bytes:
            raise forms.ValidationError(
                _("The file is larger than %(limit)d MB.") % {"limit": self.max_bytes // 2**20},
                code="too_large",
            )
