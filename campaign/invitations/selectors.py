"""Read queries of the invitations app: who an audience reaches, funnels, histories."""

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from campaign.core.offices import office_region_ids
from campaign.institutions.models import Assignment, Contact, ContactPurpose, GuidedSession, Institution
from campaign.institutions.selectors import reads_kept_statuses, with_campaign_status

from .models import Audience, Batch, Channel, ChatTap, Recipient, RsvpAnswer, Suppression

EXCLUSION_LABELS = {
    "no_email": _("No email address"),
    "opted_out": _("Opted out"),
    "erased": _("Erased on request"),
    "duplicate": _("Same address as another contact"),
    "purpose_unconfirmed": _("Purpose not confirmed for this campaign"),
    "same_institution": _("Another contact of the same institution gets the letter"),
    "no_phone": _("No phone number"),
    "suppressed_phone": _("Number unsubscribed from this channel"),
    "duplicate_phone": _("Same number as another contact"),
    "no_whatsapp_opt_in": _("No WhatsApp opt-in (listed as not sent)"),
    **{f"suppressed_{value}": label for value, label in Suppression.Reason.choices},
}


def _in_areas(contacts, offices):
    """``contacts`` of institutions in the area of every one of ``offices`` (a regency
    office's audience or batch reaches only its area; the province's, everywhere)."""
    for office in offices:
        region_ids = office_region_ids(office)
        if region_ids is not None:
            # A media partner's people have no region: the province's only.
            contacts = contacts.filter(institution__region__in=region_ids)
    return contacts


def audience_contacts(*, audience: Audience, office=None):
    """Every contact the audience's filters select, before exclusions, in the area of the
    audience's office and of ``office`` (the batch's)."""
    offices = [o for o in (audience.office, office) if o is not None]
    if audience.target == Audience.Target.MEDIA:
        contacts = Contact.objects.filter(media_partner__isnull=False)
        if audience.mediums:
            contacts = contacts.filter(media_partner__medium__in=audience.mediums)
        return _in_areas(contacts, offices)
    contacts = _in_areas(Contact.objects.filter(institution__isnull=False), offices)
    kinds = list(audience.kinds.values_list("pk", flat=True)) if audience.pk else []
    if kinds:
        contacts = contacts.filter(institution__kind_id__in=kinds)
    codes = list(audience.regions.values_list("code", flat=True)) if audience.pk else []
    if codes:
        region_filter = Q()
        for code in codes:
            # A regency includes the institutions of all its districts.
            region_filter |= Q(institution__region__code__startswith=code)
        contacts = contacts.filter(region_filter)
    if audience.statuses:
        # The statuses of the audience's campaign: an earlier campaign's kept ones, or
        # none yet (every institution "not contacted") for one not started.
        if reads_kept_statuses(audience.campaign):
            institutions = with_campaign_status(
                Institution.objects.all(), campaign=audience.campaign, statuses=audience.statuses
            )
            contacts = contacts.filter(institution__in=institutions.values("pk"))
        else:
            contacts = contacts.filter(institution__status__in=audience.statuses)
    teams = list(audience.teams.values_list("pk", flat=True)) if audience.pk else []
    if teams or audience.week:
        plans = Assignment.objects.all()
        if teams:
            plans = plans.filter(team_id__in=teams)
        if audience.week:
            plans = plans.filter(week=audience.week)
        contacts = contacts.filter(institution__in=plans.values("institution_id"))
    return contacts


@dataclass
class AudienceSummary:
    selected: int = 0
    eligible: list = field(default_factory=list)  # contact ids, one per address
    excluded: Counter = field(default_factory=Counter)

    @property
    def count(self):
        return len(self.eligible)

    @property
    def excluded_total(self):
        return sum(self.excluded.values())

    def excluded_labelled(self):
        return [(str(EXCLUSION_LABELS.get(key, key)), number) for key, number in self.excluded.most_common()]


def purposes_confirmed(*, campaign) -> set | None:
    """The contacts whose purpose was confirmed for ``campaign`` (an audience's; one of no
    campaign sends in the active one); None when that campaign needs no confirmation (it
    was not carried over from another: the purpose was recorded with the contact)."""
    if campaign is None:
        from campaign.core.selectors import campaign_get_active

        campaign = campaign_get_active()
    if campaign is None or not campaign.requires_purpose_confirmation:
        return None
    return set(ContactPurpose.objects.filter(campaign=campaign).values_list("contact_id", flat=True))


def audience_summary(*, audience: Audience, office=None) -> AudienceSummary:
    """How many addresses a batch to this audience would reach, and who is left out, why.

    One address gets one message per batch, whichever contacts share it.
    """
    summary = AudienceSummary()
    rows = (
        audience_contacts(audience=audience, office=office)
        .order_by("pk")
        .values_list("pk", "email", "opted_out_at", "erased_at")
    )
    suppressed = dict(Suppression.objects.values_list("email", "reason"))
    confirmed = purposes_confirmed(campaign=audience.campaign)
    seen = set()
    for pk, email, opted_out_at, erased_at in rows.iterator(chunk_size=5000):
        summary.selected += 1
        address = (email or "").strip().lower()
        if erased_at is not None:
            summary.excluded["erased"] += 1
        elif opted_out_at is not None:
            summary.excluded["opted_out"] += 1
        elif confirmed is not None and pk not in confirmed:
            summary.excluded["purpose_unconfirmed"] += 1
        elif not address:
            summary.excluded["no_email"] += 1
        elif address in suppressed:
            summary.excluded[f"suppressed_{suppressed[address]}"] += 1
        elif address in seen:
            summary.excluded["duplicate"] += 1
        else:
            seen.add(address)
            summary.eligible.append(pk)
    return summary


def latest_plans(*, institution_ids=None, institutions=None, week=None) -> dict[int, tuple]:
    """institution id → (team id, planned day) of its plan for ``week``, else its latest."""
    plans = Assignment.objects.all()
    if institutions is not None:
        plans = plans.filter(institution__in=institutions)
    else:
        plans = plans.filter(institution_id__in=institution_ids)
    if week:
        plans = plans.filter(week=week)
    result = {}
    for institution_id, team_id, planned_date in plans.order_by("week", "pk").values_list(
        "institution_id", "team_id", "planned_date"
    ):
        result[institution_id] = (team_id, planned_date)
    return result


# --- Reporting -------------------------------------------------------------------------


@dataclass
class Funnel:
    audience: int
    sent: int
    delivered: int
    opened: int
    opened_by_people: int
    clicked: int
    answered: int
    accepted: int
    sessions_held: int
    bounced: int
    complained: int
    failed: int
    skipped: int
    pending: int
    uncertain: int

    def steps(self):
        return [
            (_("Audience"), self.audience),
            (_("Sent"), self.sent),
            (_("Delivered"), self.delivered),
            (_("Opened"), self.opened),
            (_("Answered"), self.answered),
            (_("Session held"), self.sessions_held),
        ]


def batch_funnel(*, batch: Batch) -> Funnel:
    """audience → sent → delivered → opened → answered → session held, in two queries."""
    S = Recipient.Status
    sent_states = [S.SENT, S.DELIVERED, S.BOUNCED, S.COMPLAINED]
    counts = batch.recipients.aggregate(
        audience=Count("pk"),
        sent=Count("pk", filter=Q(status__in=sent_states) | Q(sent_at__isnull=False)),
        delivered=Count(
            "pk", filter=Q(status__in=[S.DELIVERED, S.COMPLAINED]) | Q(delivered_at__isnull=False)
        ),
        opened=Count("pk", filter=Q(opened_at__isnull=False)),
        opened_by_people=Count("pk", filter=Q(human_opened_at__isnull=False)),
        clicked=Count("pk", filter=Q(clicked_at__isnull=False)),
        answered=Count("pk", filter=~Q(answer="")),
        accepted=Count("pk", filter=Q(answer__in=["accept", "propose"])),
        bounced=Count("pk", filter=Q(status=S.BOUNCED)),
        complained=Count("pk", filter=Q(status=S.COMPLAINED)),
        failed=Count("pk", filter=Q(status=S.FAILED)),
        skipped=Count("pk", filter=Q(status=S.SKIPPED)),
        pending=Count("pk", filter=Q(status__in=[S.PENDING, S.SENDING])),
        uncertain=Count("pk", filter=Q(status=S.UNCERTAIN)),
    )
    held = (
        batch.recipients.filter(session__status=GuidedSession.Status.HELD)
        .values("session_id")
        .distinct()
        .count()
    )
    return Funnel(sessions_held=held, **counts)


@dataclass
class ChannelRow:
    channel: str
    label: str
    sent: int = 0
    delivered: int = 0
    opened: int = 0
    answered: int = 0
    taps: int = 0


def channel_funnel(*, recipients) -> list[ChannelRow]:
    """Sent, delivered, opened (read, for WhatsApp) and answered per channel, for the
    recipient rows ``recipients`` (a batch's, or every batch's of a campaign). An answer
    counts for the channel whose link brought it (``RsvpAnswer.channel``): an email
    recipient who answered through a click-to-chat link counts for WhatsApp. Click-to-chat
    taps count as WhatsApp messages sent (``taps``: how many of them). Three queries."""
    S = Recipient.Status
    rows = {value: ChannelRow(value, str(label)) for value, label in Channel.choices}
    sent_states = [S.SENT, S.DELIVERED, S.BOUNCED, S.COMPLAINED]
    for item in (
        recipients.order_by()
        .values("channel")
        .annotate(
            sent=Count("pk", filter=Q(status__in=sent_states) | Q(sent_at__isnull=False)),
            delivered=Count(
                "pk", filter=Q(status__in=[S.DELIVERED, S.COMPLAINED]) | Q(delivered_at__isnull=False)
            ),
            opened=Count("pk", filter=Q(opened_at__isnull=False)),
        )
    ):
        row = rows.get(item["channel"])
        if row is not None:
            row.sent, row.delivered, row.opened = item["sent"], item["delivered"], item["opened"]
    answers = (
        RsvpAnswer.objects.filter(recipient__in=recipients.values("pk"))
        .order_by()
        .values("channel")
        .annotate(answered=Count("recipient", distinct=True))
    )
    for item in answers:
        row = rows.get(item["channel"])
        if row is not None:
            row.answered = item["answered"]
    # A tapped row that the WhatsApp API already reached is counted once, as sent.
    api_sent = Q(recipient__channel=Channel.WHATSAPP) & (
        Q(recipient__status__in=sent_states) | Q(recipient__sent_at__isnull=False)
    )
    taps = ChatTap.objects.filter(recipient__in=recipients.values("pk")).aggregate(
        taps=Count("pk"), people=Count("recipient", distinct=True, filter=~api_sent)
    )
    whatsapp = rows[Channel.WHATSAPP]
    whatsapp.taps = taps["taps"]
    whatsapp.sent += taps["people"]
    return [row for row in rows.values() if row.sent or row.answered or row.taps]


def institution_invitations(*, institution):
    """The invitation history of one institution, newest first."""
    return (
        Recipient.objects.filter(institution=institution)
        .select_related("batch", "session")
        .prefetch_related("answers")  # every answer with its note, oldest first
        .order_by("-batch__created_at", "pk")
    )
