"""Admin views: staff downloads, district packs, scan reports, media partners' links.
They check permissions and call services or selectors; no rules here."""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from wagtail.admin import messages
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.reports import ReportView
from wagtail.permission_policies import ModelPermissionPolicy

from campaign.core.exports import SafeSpreadsheetExportMixin
from campaign.core.ids import parse_id
from campaign.core.models import Region
from campaign.core.permissions import permission_require
from campaign.core.tables import NumberColumn
from campaign.core.viewsets import visible_to
from campaign.institutions.models import Team

from . import printing, selectors, services, tokens
from .models import GuidePack, GuidePage, Scan

# --- Staff download of an institution's sheet ------------------------------------------------


@require_http_methods(["GET"])
def institution_guide(request, institution_id):
    """An institution's own guide sheet, for staff and field teams.

    ``?guide=<page id>`` picks a guide (default: the first published one) and
    ``?size=a5`` the half sheet.
    """
    from campaign.institutions.models import Institution

    permission_require(request, "institutions.view_institution")
    institution = get_object_or_404(
        visible_to(request.user, Institution).select_related("region__parent"), pk=institution_id
    )
    guide_id = request.GET.get("guide")
    if guide_id:
        pk = parse_id(guide_id)
        guide = selectors.guide_printable(guide_id=pk) if pk else None
    else:
        guide = selectors.guide_default()
    size = request.GET.get("size", "a4")
    if guide is None or size not in ("a4", "a5"):
        raise Http404("No published guide")
    data = printing.sheet_pdf(guide=guide, size=size, institution=institution)
    response = HttpResponse(data, content_type="application/pdf")
    filename = printing.filename(guide=guide, kind="sheet", size=size, institution=institution)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def institution_materials(request, institution_id):
    """An institution's printables in the admin: its sheets per guide, the link its
    contacts get, and how often its own QR code was scanned."""
    from campaign.institutions.models import Institution

    permission_require(request, "institutions.view_institution")
    institution = get_object_or_404(
        visible_to(request.user, Institution).select_related("region__parent"), pk=institution_id
    )
    guides = list(selectors.guides_printable())
    rows = [
        (guide, tokens.guide_download_url(guide_id=guide.pk, institution_id=institution.pk))
        for guide in guides
    ]
    context = {
        "institution": institution,
        "rows": rows,
        "personal": selectors.institution_personal(institution=institution),
        "scans": selectors.scans_for_institutions(institution_ids=[institution.pk]).get(institution.pk, 0),
        "scans_by_day": selectors.scans_count_by_day(institution_ids=[institution.pk])[-14:],
        "max_age_days": tokens.GUIDE_MAX_AGE.days,
        "can_view_scans": request.user.has_perm("materials.view_scan"),
    }
    return TemplateResponse(request, "materials/admin/institution_materials.html", context)


# --- Guide packs -------------------------------------------------------------------------


class _PageChoiceField(forms.ModelChoiceField):
    """A page id too large for the database is an invalid choice, not an overflow
    (Django keeps an integer field's lookup from overflowing, not a page's ``page_ptr``)."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except OverflowError:
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
            ) from None


class PackForm(forms.Form):
    guide = _PageChoiceField(label=gettext_lazy("Guide"), queryset=GuidePage.objects.none())
    region = forms.ModelChoiceField(
        label=gettext_lazy("Regency/city or district"),
        queryset=Region.objects.filter(level__in=[Region.Level.REGENCY, Region.Level.DISTRICT]).order_by(
            "code"
        ),
        required=False,
        help_text=gettext_lazy("A regency includes the institutions of all its districts."),
    )
    team = forms.ModelChoiceField(
        label=gettext_lazy("or a team"),
        queryset=Team.objects.none(),
        required=False,
        help_text=gettext_lazy("The institutions in the team's visit plan for the week below."),
    )
    week = forms.DateField(
        label=gettext_lazy("Week"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("Any day of the week; with a team only."),
    )
    size = forms.ChoiceField(label=gettext_lazy("Paper"), choices=GuidePack.Size.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["guide"].queryset = GuidePage.objects.live().public().order_by("path")
        self.fields["region"].label_from_instance = lambda region: f"{region.code} {region.name}"
        self.fields["team"].queryset = Team.objects.select_related("campaign").order_by("campaign", "name")


@require_http_methods(["GET", "POST"])
def pack_index(request):
    permission_require(request, "materials.view_guidepack")
    can_start = request.user.has_perm("materials.add_guidepack")
    form = PackForm(request.POST or None) if can_start else None
    if request.method == "POST":
        if not can_start:
            raise PermissionDenied
        if form.is_valid():
            try:
                pack = services.guide_pack_start(
                    guide=form.cleaned_data["guide"],
                    region=form.cleaned_data["region"],
                    team=form.cleaned_data["team"],
                    week=form.cleaned_data["week"],
                    size=form.cleaned_data["size"],
                    user=request.user,
                )
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for field, errors in error.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, error)
            else:
                messages.success(request, _("The pack is being built."))
                return redirect("materials_pack", pk=pack.pk)
    packs = visible_to(request.user, GuidePack).select_related("guide", "region", "team", "created_by")[:20]
    return TemplateResponse(request, "materials/admin/pack_index.html", {"form": form, "packs": packs})


def pack_detail(request, pk):
    permission_require(request, "materials.view_guidepack")
    pack = get_object_or_404(
        visible_to(request.user, GuidePack).select_related("guide", "region", "team"), pk=pk
    )
    return TemplateResponse(request, "materials/admin/pack_detail.html", {"pack": pack})


def pack_download(request, pk):
    permission_require(request, "materials.view_guidepack")
    pack = get_object_or_404(visible_to(request.user, GuidePack), pk=pk, status=GuidePack.Status.DONE)
    if not pack.file:
        raise Http404("No file")
    return FileResponse(pack.file.open("rb"), as_attachment=True, filename=pack.file.name.rsplit("/", 1)[-1])


# --- Scan reports ---------------------------------------------------------------------------


class _ScanReport(SafeSpreadsheetExportMixin, ReportView):
    permission_policy = ModelPermissionPolicy(Scan)
    permission_required = "view"
    header_icon = "view"


class GuideScansReport(_ScanReport):
    page_title = gettext_lazy("QR code scans by guide")
    index_url_name = "materials_scans_guides"
    index_results_url_name = "materials_scans_guides_results"
    list_export = ["title", "scans_sheet", "scans_poster", "scans_institution", "scans_total", "last_scan"]
    export_headings = {
        "title": gettext_lazy("Guide"),
        "scans_sheet": gettext_lazy("General sheets"),
        "scans_poster": gettext_lazy("Posters"),
        "scans_institution": gettext_lazy("Institutions' sheets"),
        "scans_total": gettext_lazy("All scans"),
        "last_scan": gettext_lazy("Last scan"),
    }
    columns = [
        Column("title", label=gettext_lazy("Guide")),
        NumberColumn("scans_sheet", label=gettext_lazy("General sheets")),
        NumberColumn("scans_poster", label=gettext_lazy("Posters")),
        NumberColumn("scans_institution", label=gettext_lazy("Institutions' sheets")),
        NumberColumn("scans_total", label=gettext_lazy("All scans")),
        DateColumn("last_scan", label=gettext_lazy("Last scan")),
    ]

    def get_queryset(self):
        return selectors.guides_with_scans()

    def get_filename(self):
        return "pindaian-per-panduan"


class InstitutionScansReport(_ScanReport):
    page_title = gettext_lazy("QR code scans by institution")
    index_url_name = "materials_scans_institutions"
    index_results_url_name = "materials_scans_institutions_results"
    list_export = ["name", "region", "kind", "scans_total", "last_scan"]
    export_headings = {
        "name": gettext_lazy("Institution"),
        "region": gettext_lazy("Region"),
        "kind": gettext_lazy("Kind"),
        "scans_total": gettext_lazy("Scans"),
        "last_scan": gettext_lazy("Last scan"),
    }
    columns = [
        Column("name", label=gettext_lazy("Institution")),
        Column("region", label=gettext_lazy("Region")),
        Column("kind", label=gettext_lazy("Kind")),
        NumberColumn("scans_total", label=gettext_lazy("Scans")),
        DateColumn("last_scan", label=gettext_lazy("Last scan")),
    ]

    def get_queryset(self):
        return selectors.institutions_with_scans()

    def get_filename(self):
        return "pindaian-per-instansi"


# --- Media partners' personal links ---------------------------------------------------------


def press_links(request):
    """Each media partner contact's personal link to the press room, embargoed releases
    included. The link is a credential: hand it to that person only."""
    from campaign.institutions.models import Contact

    permission_require(request, "materials.issue_embargo_link")
    contacts = (
        Contact.objects.filter(media_partner__isnull=False, erased_at__isnull=True, opted_out_at__isnull=True)
        .select_related("media_partner")
        .order_by("media_partner__name", "name")
    )
    rows = [(contact, tokens.press_preview_url(contact_id=contact.pk)) for contact in contacts]
    return TemplateResponse(
        request,
        "materials/admin/press_links.html",
        {
            "rows": rows,
            "max_age_days": tokens.PRESS_MAX_AGE.days,
            "releases": selectors.press_releases_for_partner(),
        },
    )
