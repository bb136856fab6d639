from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.admin.widgets import Button
from wagtail.permissions import policy_registry, register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import EditView, IndexView, SnippetViewSetGroup

from campaign.core.viewsets import ScopedModelForm, ScopedSnippetViewSet

from . import pagecache
from .admin_views import campaign_carry_over_view, user_may_carry_over
from .choosers import RegionChooserViewSet
from .models import Campaign, Office, Region
from .offices import OfficePolicy
from .services import campaign_admin_save

# Before the ViewSets register: a model without a policy gets Wagtail's unscoped one.
if not isinstance(policy_registry.get_by_type(Office, fallback=False), OfficePolicy):
    register_permission_policy(Office, OfficePolicy(Office))


def carry_over_button(user, campaign):
    if not user_may_carry_over(user):
        return None
    return Button(
        _("New campaign from this one"),
        url=reverse("wagtailsnippets_core_campaign:carry_over", args=[campaign.pk]),
        icon_name="copy",
        priority=25,
    )


class CampaignIndexView(IndexView):
    def get_list_more_buttons(self, instance):
        button = carry_over_button(self.request.user, instance)
        return [*super().get_list_more_buttons(instance), *([button] if button else [])]


class CampaignEditView(EditView):
    @cached_property
    def header_more_buttons(self):
        button = carry_over_button(self.request.user, self.object)
        return [*super().header_more_buttons, *([button] if button else [])]


class CampaignViewSet(ScopedSnippetViewSet):
    model = Campaign
    icon = "date"
    menu_label = _("Campaigns")
    list_display = [
        "name",
        "online_start",
        Column("effective_end", label=_("End of the online phase (with extensions)")),
        "goal_percent",
        BooleanColumn("is_active", label=_("active")),
        "carried_over_from",
    ]
    list_filter = ["is_active"]
    search_fields = ["name"]
    index_view_class = CampaignIndexView
    edit_view_class = CampaignEditView

    def save_service(self, *, instance, form, user):
        # Activating a campaign deactivates the previous one (a carried-over campaign's
        # activation also restarts the institutions' statuses: campaign.core.carryover).
        return campaign_admin_save(instance=instance, user=user)

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("carry-over/<int:pk>/", campaign_carry_over_view, name="carry_over"),
        ]


REFERENCE_FIELDS = ("code", "name", "level", "kind", "parent", "population", "kemendagri_code")


class RegionForm(ScopedModelForm):
    """An existing region's reference data is shown but cannot change (a disabled field
    ignores what is posted); a new region (superusers) is entered whole."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            for name in REFERENCE_FIELDS:
                if name in self.fields:
                    self.fields[name].disabled = True


class RegionViewSet(ScopedSnippetViewSet):
    """Reference data, loaded from BPS codes: browsable; on the form staff change only an
    area's centre on the campaign map (latitude, longitude), the rest is read-only."""

    model = Region
    chooser_viewset_class = RegionChooserViewSet
    icon = "site"
    menu_label = _("Regions")
    list_display = ["code", "name", "level", "population", "kemendagri_code"]
    list_filter = ["level"]
    search_fields = ["name", "code"]
    list_per_page = 50
    inspect_view_enabled = True
    edit_handler = ObjectList(
        [
            *(FieldPanel(name) for name in REFERENCE_FIELDS),
            FieldRowPanel(
                [FieldPanel("latitude"), FieldPanel("longitude")], heading=_("Centre on the campaign map")
            ),
        ],
        base_form_class=RegionForm,
    )


class OfficeViewSet(ScopedSnippetViewSet):
    """The office tree (province → regency offices), their areas and staff; managed by
    the province (``campaign.core.offices.OfficePolicy``)."""

    model = Office
    icon = "group"
    menu_label = _("Offices")
    list_display = ["name", "code", "parent"]
    search_fields = ["name", "code"]


class CampaignSetupGroup(SnippetViewSetGroup):
    items = (CampaignViewSet, RegionViewSet, OfficeViewSet)
    menu_icon = "cog"
    menu_label = _("Campaign setup")
    menu_name = "campaign-setup"
    # Near the top: staff open the campaign before anything else.
    menu_order = 150


register_snippet(CampaignSetupGroup)


@hooks.register("register_log_actions")
def register_log_actions(actions):
    actions.register_action(
        "jemputbola.campaign_carried_over", _("Carry over"), _("Campaign started from an earlier one")
    )
    actions.register_action(
        "jemputbola.campaign_activated", _("Activate"), _("Carried-over campaign made the current one")
    )


@hooks.register("on_serve_page")
def allow_page_cache(serve):
    """Wagtail pages may be cached for anonymous visitors (see ``pagecache``).

    Registered after Wagtail's own view-restriction check (core is the last app), so a
    private page never gets this far for a visitor who may not see it.
    """

    def inner(page, request, serve_args, serve_kwargs):
        response = serve(page, request, serve_args, serve_kwargs)
        pagecache.mark_cacheable(request)
        return response

    return inner
