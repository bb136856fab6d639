"""Admin views of the official figures: the import (upload, preview, confirm)."""

from django import forms
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from wagtail.admin import messages
from wagtail.admin.auth import permission_denied
from wagtail.admin.widgets import Button
from wagtail.snippets.views.snippets import IndexView as SnippetIndexView

from campaign.core.permissions import permission_require
from campaign.institutions.importing import MAX_FILE_BYTES

from . import services
from .importing import COLUMNS, TEMPLATE_COLUMNS
from .models import CountImport

IMPORT_PERMISSION = "response.add_officialcount"


class CountImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File (CSV or XLSX)"),
        help_text=gettext_lazy("One row per region and day: region code (BPS or Kemendagri), date, persons."),
    )
    source = forms.CharField(
        label=gettext_lazy("Source of the figures"),
        max_length=200,
        help_text=gettext_lazy("For example: BPS RI, SP2020 Online monitoring, 28 May 2020."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(limit)d MB.") % {"limit": MAX_FILE_BYTES // 2**20}
            )
        return upload


@require_http_methods(["GET", "POST"])
def import_upload(request):
    permission_require(request, IMPORT_PERMISSION)
    form = CountImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        run = services.count_import_create(
            content=upload.read(), filename=upload.name, source=form.cleaned_data["source"], user=request.user
        )
        return redirect("response_import_run", pk=run.pk)
    headers = sorted({alias for aliases in COLUMNS.values() for alias in aliases} - set(COLUMNS))
    return TemplateResponse(
        request,
        "response/admin/import_upload.html",
        {
            "form": form,
            "columns": TEMPLATE_COLUMNS,
            "indonesian_headers": headers,
            "recent": CountImport.objects.filter(user=request.user).defer("content")[:10],
        },
    )


@require_http_methods(["GET", "POST"])
def import_run(request, pk):
    permission_require(request, IMPORT_PERMISSION)
    run = get_object_or_404(CountImport.objects.defer("content"), pk=pk)
    if run.user_id != request.user.pk and not request.user.is_superuser:
        return permission_denied(request)
    if request.method == "POST":
        if run.status != CountImport.Status.VALID:
            messages.error(request, _("This import cannot be confirmed any more."))
        else:
            run = services.count_import_confirm(run=run, user=request.user)
            if run.status == CountImport.Status.DONE:
                messages.success(request, _("The figures were imported."))
            else:
                messages.error(request, _("The stored figures changed since the check; see the errors."))
        return redirect("response_import_run", pk=run.pk)
    report = run.report or {}
    return TemplateResponse(
        request,
        "response/admin/import_run.html",
        {
            "run": run,
            "report": report,
            "errors": report.get("errors", [])[:500],
            "error_count": len(report.get("errors", [])),
        },
    )


class OfficialCountIndexView(SnippetIndexView):
    @cached_property
    def header_more_buttons(self):
        buttons = super().header_more_buttons
        if self.request.user.has_perm(IMPORT_PERMISSION):
            buttons.append(
                Button(
                    _("Import from a spreadsheet"),
                    url=reverse("response_import"),
                    icon_name="upload",
                    priority=10,
                )
            )
        return buttons

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("region")
