"""Campaign admin views beyond the ViewSet's: "New campaign from this one"."""

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.widgets import AdminDateInput

from .models import Campaign
from .offices import user_is_province_wide
from .services import campaign_carry_over


def user_may_carry_over(user) -> bool:
    """Carrying a campaign over is the province's: its dissemination staff (who may add
    campaigns) and superusers; a regency office's staff may not."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.has_perm("core.add_campaign")
        and user_is_province_wide(user)
    )


class CarryOverForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name of the new campaign"), max_length=200)
    short_name = forms.CharField(
        label=gettext_lazy("Census code"),
        max_length=40,
        help_text=gettext_lazy(
            "For example SE2026; added to the names of the copied templates and audiences."
        ),
    )
    online_start = forms.DateField(label=gettext_lazy("Online phase starts"), widget=AdminDateInput)
    online_end = forms.DateField(label=gettext_lazy("Online phase ends (as planned)"), widget=AdminDateInput)
    goal_percent = forms.DecimalField(
        label=gettext_lazy("Online participation goal (%)"),
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=100,
    )
    copy_team_members = forms.BooleanField(
        label=gettext_lazy("Copy the teams' leaders and members"),
        required=False,
        help_text=gettext_lazy("Unticked: the teams are copied empty, to be staffed for the new campaign."),
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("online_start"), cleaned.get("online_end")
        if start and end and end < start:
            self.add_error("online_end", _("The online phase must end after it starts."))
        return cleaned


def campaign_carry_over_view(request, pk):
    if not user_may_carry_over(request.user):
        raise PermissionDenied
    source = get_object_or_404(Campaign, pk=pk)
    if request.method == "POST":
        form = CarryOverForm(request.POST)
        if form.is_valid():
            try:
                result = campaign_carry_over(source=source, user=request.user, **form.cleaned_data)
            except ValidationError as error:
                for field, errors in getattr(error, "error_dict", {None: error.error_list}).items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(
                    request,
                    _(
                        "Campaign “%(name)s” started from “%(source)s”. Confirm the contacts' purpose "
                        "for it (Contacts → select → Confirm the purpose) before inviting anyone."
                    )
                    % {"name": result.campaign, "source": source},
                )
                return redirect(reverse("wagtailsnippets_core_campaign:edit", args=[result.campaign.pk]))
    else:
        start = source.online_start.replace(year=source.online_start.year + 1)
        form = CarryOverForm(
            initial={
                "goal_percent": source.goal_percent,
                "online_start": start,
                "online_end": start
                + (source.online_end - source.online_start or datetime.timedelta(days=30)),
            }
        )
    return TemplateResponse(request, "core/admin/campaign_carry_over.html", {"form": form, "source": source})
