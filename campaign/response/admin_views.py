"""Admin views of the official figures: the import (upload, preview, confirm)."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from wagtail.admin import messages
from wagtail.admin.auth import permission_denied
from wagtail.admin.widgets import Button
from wagtail.snippets.views.snippets import IndexView as SnippetIndexView

from campaign.core.forms import SpreadsheetFileField
from campaign.core.ids import parse_id
from campaign.core.permissions import permission_require

from . import services
from .importing import COLUMNS, MAX_FILE_BYTES, TEMPLATE_COLUMNS
from .models import CountImport

IMPORT_PERMISSION = "response.add_officialcount"


class CountImportForm(forms.Form):
    file = SpreadsheetFileField(
        label=gettext_lazy("File (CSV or XLSX)"),
        help_text=gettext_lazy("One row per region and day: region code (BPS or Kemendagri), date, persons."),
        max_bytes=MAX_FILE_BYTES,
    )
    source = forms.CharField(
        label=gettext_lazy("Source of the figures"),
        max_length=200,
        help_text=gettext_lazy("For example: BPS RI, SP2020 Online monitoring, 28 May 2020."),
    )


@require_http_methods(["GET", "POST"])
def import_upload(request):
    permission_require(request, IMPORT_PERMISSION)
    form = CountImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        # A large upload is already a temporary file on disk (FILE_UPLOAD_MAX_MEMORY_SIZE):
        # it is copied to the storage and read from there row by row.
        run = services.count_import_create(
            file=upload, filename=upload.name, source=form.cleaned_data["source"], user=request.user
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
            "recent": CountImport.objects.filter(user=request.user)[:10],
        },
    )


@require_http_methods(["GET", "POST"])
def import_run(request, pk):
    permission_require(request, IMPORT_PERMISSION)
    run = get_object_or_404(CountImport, pk=pk)
    if run.user_id != request.user.pk and not request.user.is_superuser:
        return permission_denied(request)
    if request.method == "POST":
        if run.status != CountImport.Status.VALID:
            messages.error(request, _("This import cannot be confirmed any more."))
        else:
            run = services.count_import_confirm(run=run, user=request.user)
            if run.status == CountImport.Status.DONE:
                messages.success(request, _("The figures were imported."))
            elif run.status == CountImport.Status.WRITING:
                messages.success(request, _("The figures are being imported in the background."))
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
            "in_progress": run.status in (CountImport.Status.CHECKING, CountImport.Status.WRITING),
            "dates": [
                datetime.date.fromisoformat(report[key])
                for key in ("first_date", "last_date")
                if report.get(key)
            ],
            "errors": report.get("errors", [])[:500],
            "error_count": report.get("error_count", len(report.get("errors", []))),
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
        # The page's 20 regions in one more query: a join would let the planner start from
        # the region table and sort every figure (see OfficialCountViewSet.ordering).
        return super().get_base_queryset().prefetch_related("region")


# --- Weekly plan proposal -------------------------------------------------------------


class ProposalSettingsForm(forms.Form):
    team = forms.ModelChoiceField(label=gettext_lazy("Team"), queryset=None)
    week = forms.TypedChoiceField(label=gettext_lazy("Week starting"), coerce=datetime.date.fromisoformat)
    gap_weight = forms.FloatField(
        label=gettext_lazy("Weight of the district's gap (per point behind)"), min_value=0, max_value=100
    )
    employees_weight = forms.FloatField(
        label=gettext_lazy("Weight of the employees (per employee)"), min_value=0, max_value=10
    )


@require_http_methods(["GET", "POST"])
def proposal_view(request):
    """Next week's institutions for a team, ranked by where the campaign lags: staff
    accept the proposal as it is, or untick and tick before saving, in one screen."""
    from campaign.core.selectors import campaign_get_active
    from campaign.core.viewsets import visible_to
    from campaign.institutions import services as institution_services
    from campaign.institutions.models import Institution, Team

    from .planning import DEFAULT_WEIGHTS, next_week, proposal

    permission_require(request, "institutions.add_assignment")
    campaign = campaign_get_active()
    if campaign is None:
        raise Http404(_("No campaign is active."))
    teams = visible_to(request.user, Team).filter(campaign=campaign).select_related("area").order_by("name")
    default_week = next_week(campaign)
    settings_form = ProposalSettingsForm(
        {
            "team": request.GET.get("team") or (teams.first().pk if teams.exists() else ""),
            "week": request.GET.get("week") or default_week.isoformat(),
            "gap_weight": request.GET.get("gap_weight") or DEFAULT_WEIGHTS["gap"],
            "employees_weight": request.GET.get("employees_weight") or DEFAULT_WEIGHTS["employees"],
        }
    )
    settings_form.fields["team"].queryset = teams
    settings_form.fields["week"].choices = [
        (w.isoformat(), date_format(w, "j F Y")) for w in campaign.weeks()
    ]
    context = {"settings_form": settings_form, "campaign": campaign}
    if not settings_form.is_valid():
        return TemplateResponse(request, "response/admin/proposal.html", context)

    team, week = settings_form.cleaned_data["team"], settings_form.cleaned_data["week"]
    weights = {
        "gap": settings_form.cleaned_data["gap_weight"],
        "employees": settings_form.cleaned_data["employees_weight"],
    }
    proposed, further = proposal(campaign=campaign, team=team, week=week, weights=weights, extra=20)
    if request.method == "POST":
        offered = {c.institution.pk for c in [*proposed, *further]}
        chosen = [parse_id(value) for value in request.POST.getlist("institution")]
        chosen_ids = [pk for pk in chosen if pk in offered]
        try:
            created, skipped = institution_services.assignments_create(
                institutions=list(Institution.objects.filter(pk__in=chosen_ids)),
                team=team,
                week=week,
                user=request.user,
                from_proposal={c.institution.pk for c in proposed},
            )
        except (ValidationError, institution_services.NotYourTeam) as error:
            messages.error(request, "; ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(
                request,
                _("%(created)d institutions planned for %(team)s; %(skipped)d were already planned.")
                % {"created": len(created), "team": team, "skipped": len(skipped)},
            )
        return redirect(f"{request.path}?{request.GET.urlencode()}")
    context.update(
        {
            "team": team,
            "week": week,
            "weights": weights,
            "proposed": proposed,
            "further": further,
            "query": request.GET.urlencode(),
        }
    )
    return TemplateResponse(request, "response/admin/proposal.html", context)
