"""The admin's ViewSets of the registry and the field work.

Each ViewSet whose model has a service saves through it (``save_service``, see
``campaign.core.viewsets.ServiceSaveMixin``): the admin runs the same validation and side
effects (the team rule, the institution's status) as the field app, imports and demo.
"""

import contextlib

import django_filters
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.snippets.views.snippets import IndexView as SnippetIndexView
from wagtail.snippets.views.snippets import SnippetViewSetGroup

from campaign.core.models import Region
from campaign.core.viewsets import ScopedSnippetViewSet

from . import admin_views, services
from .models import (
    Assignment,
    Contact,
    CoordinationMeeting,
    GuidedSession,
    Institution,
    InstitutionKind,
    MediaPartner,
    PersonalDataLog,
    Team,
)


def changed_fields(instance, form) -> dict:
    """The values the admin form changed, read from the instance it applied them to."""
    return {name: getattr(instance, name) for name in form.changed_data}


@contextlib.contextmanager
def team_rule_on(field_name):
    """The team rule's refusal shown on the form field that chose the team."""
    try:
        yield
    except services.NotYourTeam as error:
        raise ValidationError({field_name: str(error)}) from error


class InstitutionFilterSet(WagtailFilterSet):
    kind = django_filters.ModelChoiceFilter(queryset=InstitutionKind.objects.all(), label=_("Kind"))
    region = django_filters.ModelChoiceFilter(
        queryset=Region.objects.filter(level__in=["regency", "district"]).order_by("code"),
        label=_("Region"),
        method="filter_region",
    )
    status = django_filters.ChoiceFilter(choices=Institution.Status.choices, label=_("Status"))

    class Meta:
        model = Institution
        fields = ["kind", "region", "status"]

    def filter_region(self, queryset, name, value):
        # A regency includes the institutions of all its districts.
        return queryset.filter(region__code__startswith=value.code)


class InstitutionViewSet(ScopedSnippetViewSet):
    model = Institution

    def save_service(self, *, instance, form, user):
        return services.institution_save(institution=instance, user=user)

    icon = "home"
    menu_label = _("Institutions")
    index_view_class = admin_views.InstitutionIndexView
    inspect_view_class = admin_views.InstitutionInspectView
    inspect_view_enabled = True
    inspect_view_fields = [
        "name",
        "kind",
        "region",
        "address",
        "employees",
        "status",
        "external_id",
        "notes",
        "completion_reported_at",
        "created_at",
        "updated_at",
    ]
    list_display = [
        "name",
        "kind",
        "region",
        Column("status", label=_("Status"), accessor="get_status_display"),
        admin_views.staff_completion_column,
        "updated_at",
    ]
    list_filter = InstitutionFilterSet
    filterset_class = InstitutionFilterSet
    list_export = [
        "external_id",
        "name",
        "kind",
        "region",
        "address",
        "employees",
        "latitude",
        "longitude",
        "status",
        "staff_completed",
        "staff_total",
        "completion_reported_at",
        "notes",
        "updated_at",
    ]
    export_filename = "institusi"
    # Plain database search (no search index to keep in step with bulk imports).
    search_fields = ["name", "address", "external_id"]
    ordering = ["name"]
    list_per_page = 50


class ContactFilterSet(WagtailFilterSet):
    has_institution = django_filters.BooleanFilter(
        field_name="institution", lookup_expr="isnull", exclude=True, label=_("At an institution")
    )
    opted_out = django_filters.BooleanFilter(
        field_name="opted_out_at", lookup_expr="isnull", exclude=True, label=_("Opted out")
    )
    lawful_basis = django_filters.ChoiceFilter(choices=Contact.LawfulBasis.choices, label=_("Lawful basis"))

    class Meta:
        model = Contact
        fields = ["has_institution", "opted_out", "lawful_basis", "preferred_language"]


class ContactViewSet(ScopedSnippetViewSet):
    model = Contact

    def save_service(self, *, instance, form, user):
        return services.contact_save(contact=instance, user=user)

    icon = "user"
    menu_label = _("Contacts")
    index_view_class = admin_views.ContactIndexView
    inspect_view_class = admin_views.LocalTimeInspectView
    inspect_view_enabled = True
    inspect_view_fields = [
        "name",
        "position",
        "institution",
        "media_partner",
        "email",
        "phone",
        "preferred_language",
        "preferred_channel",
        "whatsapp_opt_in_at",
        "whatsapp_opt_in_source",
        "whatsapp_opt_in_by",
        "purpose",
        "consent_source",
        "lawful_basis",
        "consent_date",
        "opted_out_at",
        "erased_at",
        "created_at",
        "updated_at",
    ]
    list_display = ["name", "position", "organisation", "email", "phone", "updated_at"]
    filterset_class = ContactFilterSet
    list_export = [
        "name",
        "position",
        "institution",
        "media_partner",
        "email",
        "phone",
        "preferred_language",
        "preferred_channel",
        "whatsapp_opt_in_at",
        "whatsapp_opt_in_source",
        "purpose",
        "consent_source",
        "lawful_basis",
        "consent_date",
        "opted_out_at",
    ]
    export_filename = "kontak"
    search_fields = ["name", "email", "phone", "position"]
    list_per_page = 50


class MediaPartnerViewSet(ScopedSnippetViewSet):
    model = MediaPartner
    icon = "openquote"
    menu_label = _("Media partners")
    index_view_class = admin_views.MediaPartnerIndexView
    list_display = ["name", "medium", "region", admin_views.contact_count_column]
    list_filter = ["medium"]
    list_export = ["name", "medium", "region", "website"]
    search_fields = ["name"]


class InstitutionKindViewSet(ScopedSnippetViewSet):
    model = InstitutionKind
    icon = "tag"
    menu_label = _("Institution kinds")
    list_display = ["name", "description", "sort_order"]
    ordering = ["sort_order", "name"]


class PersonalDataLogViewSet(ScopedSnippetViewSet):
    """The personal-data log (UU 27/2022): who exported, imported, merged, erased or
    confirmed personal data, opt-ins changed and consents withdrawn, and how much. Read
    by whoever holds its view permission (the superuser, a data protection officer);
    written only by the services; in the Settings menu."""

    model = PersonalDataLog
    icon = "history"
    menu_label = _("Personal data log")
    add_to_settings_menu = True
    inspect_view_enabled = True
    inspect_view_class = admin_views.LocalTimeInspectView
    list_display = [
        "created_at",
        Column("action", label=_("Action"), accessor="get_action_display"),
        Column("model", label=_("Data"), accessor="data_label"),
        "row_count",
        "user",
        "detail",
    ]
    list_filter = ["action"]
    search_fields = ["detail", "model"]
    ordering = ["-created_at"]
    list_per_page = 50


class InstitutionsGroup(SnippetViewSetGroup):
    items = (InstitutionViewSet, ContactViewSet, MediaPartnerViewSet, InstitutionKindViewSet)
    menu_icon = "group"
    menu_label = _("Institutions")
    menu_name = "institutions"
    # Right after "Campaign setup": the registry is the campaign's daily work.
    menu_order = 160


class SessionIndexView(SnippetIndexView):
    def get_base_queryset(self):
        # The rows come from the session policy (ScopedSnippetViewSet.get_queryset).
        return super().get_base_queryset().select_related("institution", "team")


class SessionViewSet(ScopedSnippetViewSet):
    model = GuidedSession

    def save_service(self, *, instance, form, user):
        with team_rule_on("team"):
            return services.session_record(session=instance, user=user, **changed_fields(instance, form))

    icon = "group"
    menu_label = _("Guided sessions")
    index_view_class = SessionIndexView
    list_display = [
        "institution",
        "team",
        "starts_at",
        Column("status", label=_("Status"), accessor="get_status_display"),
        "people_guided",
        "people_completed",
    ]
    list_filter = ["status", "team", "follow_up_needed"]
    search_fields = ["institution__name", "notes"]
    list_per_page = 50


class TeamViewSet(ScopedSnippetViewSet):
    model = Team
    icon = "group"
    menu_label = _("Teams")
    list_display = ["name", "area", "leader", "default_weekly_target"]
    list_filter = ["campaign"]


class MeetingViewSet(ScopedSnippetViewSet):
    model = CoordinationMeeting

    def save_service(self, *, instance, form, user):
        with team_rule_on("teams"):
            return services.coordination_meeting_save(meeting=instance, user=user)

    icon = "date"
    menu_label = _("Rakorcam")
    list_display = ["district", "date", "attendees"]
    list_filter = ["campaign"]


class AssignmentViewSet(ScopedSnippetViewSet):
    model = Assignment

    def save_service(self, *, instance, form, user):
        with team_rule_on("team"):
            return services.assignment_save(assignment=instance, user=user)

    icon = "list-ul"
    menu_label = _("Visit plans")
    list_display = ["institution", "team", "week", "planned_date"]
    list_filter = ["week", "team"]
    search_fields = ["institution__name"]
    list_per_page = 50


class FieldWorkGroup(SnippetViewSetGroup):
    items = (TeamViewSet, SessionViewSet, AssignmentViewSet, MeetingViewSet)
    menu_icon = "group"
    menu_label = _("Field work")
    menu_name = "fieldwork"
    # After the registry: teams work through the institutions registered before.
    menu_order = 170
