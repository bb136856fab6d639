"""Admin views of the registry. They check permissions and call services; no rules here."""

import datetime
import io

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from wagtail.admin import messages
from wagtail.admin.auth import permission_denied
from wagtail.admin.ui.tables import Column
from wagtail.admin.widgets import Button
from wagtail.snippets.views.snippets import IndexView as SnippetIndexView
from wagtail.snippets.views.snippets import InspectView as SnippetInspectView

from campaign.core.exports import SafeCsvWriter, SafeSpreadsheetExportMixin
from campaign.core.forms import SpreadsheetFileField
from campaign.core.ids import parse_id
from campaign.core.permissions import permission_require
from campaign.core.viewsets import visible_to

from . import completion, services
from .importing import COLUMN_HELP, COLUMNS, MAX_FILE_BYTES, TEMPLATE_COLUMNS, TEMPLATE_SAMPLE
from .models import Contact, ImportRun, Institution, PersonalDataLog
from .policies import policy_for
from .selectors import contact_duplicate_groups


class AuditedExportIndexView(SafeSpreadsheetExportMixin, SnippetIndexView):
    """Index view whose CSV/XLSX export needs a permission, is formula-safe
    (campaign.core.exports) and is recorded in the personal data log."""

    export_permission = None  # "app_label.codename"

    def can_export(self):
        return self.request.user.has_perm(self.export_permission)

    @property
    def show_export_buttons(self):
        return bool(self.list_export) and self.can_export()

    def as_spreadsheet(self, queryset, spreadsheet_format):
        if not self.can_export():
            raise PermissionDenied
        services.personal_data_log(
            user=self.request.user,
            action=PersonalDataLog.Action.EXPORT,
            model=self.model._meta.model_name,
            row_count=queryset.count(),
            detail=f"{spreadsheet_format} {self.request.GET.urlencode()}"[:500],
        )
        return super().as_spreadsheet(queryset, spreadsheet_format)


class InstitutionIndexView(AuditedExportIndexView):
    export_permission = "institutions.export_institution"

    @cached_property
    def header_more_buttons(self):
        buttons = super().header_more_buttons
        if self.request.user.has_perm("institutions.add_institution"):
            buttons.append(
                Button(
                    _("Import from a spreadsheet"),
                    url=reverse("institutions_import"),
                    icon_name="upload",
                    priority=10,
                )
            )
        return buttons

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("kind", "region")


class ContactIndexView(AuditedExportIndexView):
    export_permission = "institutions.export_contact"

    @cached_property
    def header_more_buttons(self):
        buttons = super().header_more_buttons
        if self.request.user.has_perm("institutions.change_contact"):
            buttons.append(
                Button(
                    _("Possible duplicates"),
                    url=reverse("institutions_contact_duplicates"),
                    icon_name="resubmit",
                    priority=10,
                )
            )
        return buttons

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("institution", "media_partner")


class LocalTimeInspectView(SnippetInspectView):
    """Inspect view that shows date-times in the campaign's time zone (WITA): Wagtail's
    template applies ``localize`` to the raw value, which skips the conversion."""

    def get_field_display_value(self, field_name, field):
        value = super().get_field_display_value(field_name, field)
        if isinstance(value, datetime.datetime) and timezone.is_aware(value):
            return timezone.localtime(value)
        return value


class InstitutionInspectView(LocalTimeInspectView):
    template_name = "institutions/admin/institution_inspect.html"

    def get_object(self, queryset=None):
        # Only the contacts the contact policy lets this user see (a member: their teams').
        contacts = policy_for(Contact).instances_user_has_permission_for(self.request.user, "view")
        return get_object_or_404(
            visible_to(self.request.user, Institution)
            .select_related("kind", "region__parent")
            .prefetch_related(Prefetch("contacts", queryset=contacts.order_by("name"))),
            pk=self.pk,
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["contacts"] = self.object.contacts.all()
        context["can_view_contacts"] = self.request.user.has_perm("institutions.view_contact")
        context["contacts_scoped"] = policy_for(Contact).scope(self.request.user) is not None
        context["completion_url"] = completion.completion_url(institution_id=self.object.pk)
        context["completion_reports"] = self.object.completion_reports.all()[:10]
        context["completion_threshold"] = completion.threshold_percent()
        return context


class StaffCompletionColumn(Column):
    """ "40/50 (80%)": the institution's latest staff completion report."""

    def get_value(self, instance):
        if not instance.staff_total:
            return ""
        return f"{instance.staff_completed}/{instance.staff_total} ({instance.completion_percent:.0f}%)"


staff_completion_column = StaffCompletionColumn(
    "staff_completion", label=gettext_lazy("Staff done"), sort_key="staff_completed"
)


class MediaPartnerIndexView(SnippetIndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("region").annotate(contact_count=Count("contacts"))


contact_count_column = Column("contact_count", label=gettext_lazy("Contacts"), sort_key="contact_count")


# --- Import ---------------------------------------------------------------------------


class ImportForm(forms.Form):
    file = SpreadsheetFileField(label=gettext_lazy("Spreadsheet (CSV or XLSX)"), max_bytes=MAX_FILE_BYTES)
    source = forms.CharField(
        label=gettext_lazy("Source of the list"),
        max_length=200,
        help_text=gettext_lazy("For example: Bagian Organisasi Setda Kota Kupang, March 2020."),
    )
    lawful_basis = forms.ChoiceField(
        label=gettext_lazy("Lawful basis for the contacts' data"),
        choices=Contact.LawfulBasis.choices,
        initial=Contact.LawfulBasis.PUBLIC_TASK,
    )


@require_http_methods(["GET", "POST"])
def import_upload(request):
    permission_require(request, "institutions.add_institution")
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        run = services.import_run_create(
            content=upload.read(),
            filename=upload.name,
            source=form.cleaned_data["source"],
            lawful_basis=form.cleaned_data["lawful_basis"],
            user=request.user,
        )
        return redirect("institutions_import_run", pk=run.pk)
    return TemplateResponse(
        request,
        "institutions/admin/import_upload.html",
        {
            "form": form,
            "columns": [(column, aliases[1:], COLUMN_HELP[column]) for column, aliases in COLUMNS.items()],
            "recent": ImportRun.objects.filter(user=request.user).defer("content")[:10],
        },
    )


@require_http_methods(["GET", "POST"])
def import_run(request, pk):
    permission_require(request, "institutions.add_institution")
    run = get_object_or_404(ImportRun.objects.defer("content"), pk=pk)
    if run.user_id != request.user.pk and not request.user.is_superuser:
        return permission_denied(request)
    if request.method == "POST":
        if run.status != ImportRun.Status.VALID:
            messages.error(request, _("This import cannot be confirmed any more."))
        else:
            run = services.import_run_confirm(run=run, user=request.user)
            if run.status == ImportRun.Status.DONE:
                messages.success(request, _("The list was imported."))
            elif run.status == ImportRun.Status.INVALID:
                messages.error(request, _("The data changed since the check; see the errors."))
        return redirect("institutions_import_run", pk=run.pk)
    report = run.report or {}
    return TemplateResponse(
        request,
        "institutions/admin/import_run.html",
        {
            "run": run,
            "report": report,
            "errors": report.get("errors", [])[:500],
            "error_count": len(report.get("errors", [])),
            "in_progress": run.status
            in (ImportRun.Status.PENDING, ImportRun.Status.VALIDATING, ImportRun.Status.WRITING),
        },
    )


def import_template(request, fmt):
    """An empty spreadsheet with the expected columns and one example row."""
    permission_require(request, "institutions.add_institution")
    example = [TEMPLATE_SAMPLE[column] for column in TEMPLATE_COLUMNS]
    if fmt == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "Institusi"
        sheet.append(TEMPLATE_COLUMNS)
        sheet.append(example)
        output = io.BytesIO()
        workbook.save(output)
        response = HttpResponse(
            output.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        output = io.StringIO()
        writer = SafeCsvWriter(output)
        writer.writerow(TEMPLATE_COLUMNS)
        writer.writerow(example)
        response = HttpResponse("\ufeff" + output.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="template-institusi.{fmt}"'
    return response


# --- Duplicates, merging and erasure -----------------------------------------------------


@require_http_methods(["GET", "POST"])
def contact_duplicates(request):
    permission_require(request, "institutions.change_contact")
    if request.method == "POST":
        permission_require(request, "institutions.delete_contact")
        ids = [pk for pk in map(parse_id, request.POST.getlist("group")) if pk]
        keep_id = parse_id(request.POST.get("keep", ""))
        contacts = {c.pk: c for c in Contact.objects.filter(pk__in=ids, erased_at__isnull=True)}
        if keep_id not in contacts or len(contacts) < 2:
            messages.error(request, _("Choose the contact to keep."))
        else:
            keep = contacts.pop(keep_id)
            services.contacts_merge(keep=keep, others=list(contacts.values()), user=request.user)
            messages.success(
                request,
                _("Merged %(count)d contacts into “%(name)s”.")
                % {"count": len(contacts) + 1, "name": keep.name},
            )
        return redirect("institutions_contact_duplicates")
    return TemplateResponse(
        request,
        "institutions/admin/contact_duplicates.html",
        {"groups": contact_duplicate_groups()},
    )


@require_http_methods(["GET", "POST"])
def contact_erase(request, pk):
    permission_require(request, "institutions.delete_contact")
    contact = get_object_or_404(visible_to(request.user, Contact), pk=pk)
    if request.method == "POST":
        services.contact_erase(contact=contact, user=request.user)
        messages.success(request, _("The contact's personal data was erased."))
        return redirect(reverse("wagtailsnippets_institutions_contact:list"))
    return TemplateResponse(request, "institutions/admin/contact_erase.html", {"contact": contact})
