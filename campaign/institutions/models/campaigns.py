"""The registry across campaigns: a contact's purpose confirmed for a campaign, and an
institution's status in a campaign that is no longer the current one."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .registry import Contact, Institution


class ContactPurpose(models.Model):
    """A contact's purpose and lawful basis, confirmed for one campaign.

    The registry outlives a campaign, but UU 27/2022 limits personal data to the purpose
    it was collected for: a campaign carried over from another invites a contact only
    once this row exists (``campaign.invitations.selectors.audience_summary``)."""

    class Method(models.TextChoices):
        STAFF = "staff", _("Confirmed by staff")
        CONTACT = "contact", _("Confirmed by the contact")

    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), on_delete=models.CASCADE, related_name="campaign_purposes"
    )
    campaign = models.ForeignKey(
        "core.Campaign", verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="+"
    )
    purpose = models.CharField(_("purpose of processing"), max_length=200)
    lawful_basis = models.CharField(_("lawful basis"), max_length=20, choices=Contact.LawfulBasis.choices)
    method = models.CharField(_("confirmed how"), max_length=10, choices=Method.choices, default=Method.STAFF)
    confirmed_at = models.DateTimeField(_("confirmed"))
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("purpose confirmed for a campaign")
        verbose_name_plural = _("purposes confirmed for a campaign")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "contact"], name="contact_purpose_once_per_campaign"),
        ]

    def __str__(self):
        return f"{self.contact_id} → {self.campaign_id}: {self.purpose}"


class InstitutionCampaignStatus(models.Model):
    """An institution's status (and staff completion) as it stood when its campaign
    stopped being the current one. ``Institution.status`` is the current campaign's;
    when a carried-over campaign is activated the previous campaign's are kept here
    and every institution starts again from "not contacted"."""

    campaign = models.ForeignKey("core.Campaign", on_delete=models.CASCADE, related_name="+")
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="campaign_statuses")
    status = models.CharField(max_length=20, choices=Institution.Status.choices)
    staff_completed = models.PositiveIntegerField(null=True, blank=True)
    staff_total = models.PositiveIntegerField(null=True, blank=True)
    completion_reported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("institution status in an earlier campaign")
        verbose_name_plural = _("institution statuses in earlier campaigns")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "institution"], name="institution_status_per_campaign"
            ),
        ]

    def __str__(self):
        return f"{self.institution_id} in {self.campaign_id}: {self.status}"
