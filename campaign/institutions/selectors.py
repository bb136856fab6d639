"""Read queries of the registry."""

from collections import defaultdict

from django.db.models import CharField, Count, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Lower

from .models import Contact, Institution, InstitutionCampaignStatus


def reads_kept_statuses(campaign) -> bool:
    """Whether ``campaign``'s institution statuses are not ``Institution.status`` (the
    current campaign's) but those it kept when it stopped being current
    (``InstitutionCampaignStatus``), or none yet for a campaign not started: another
    campaign is the current one."""
    if campaign is None or campaign.is_active:
        return False
    return type(campaign).objects.filter(is_active=True).exists()


def with_campaign_status(institutions, *, campaign, statuses=None):
    """``institutions`` annotated with ``campaign_status``, their status in ``campaign``
    (an institution without a kept row was not contacted in it), and narrowed to
    ``statuses`` when given. The dashboard, the "not reached" report and an audience's
    status filter read an earlier (or a not yet started) campaign through this."""
    if not reads_kept_statuses(campaign):
        institutions = institutions.annotate(campaign_status=F("status"))
        return institutions.filter(status__in=statuses) if statuses is not None else institutions
    kept = InstitutionCampaignStatus.objects.filter(campaign=campaign)
    institutions = institutions.annotate(
        campaign_status=Coalesce(
            Subquery(kept.filter(institution=OuterRef("pk")).values("status")[:1]),
            Value(Institution.Status.NOT_CONTACTED),
            output_field=CharField(),
        )
    )
    if statuses is None:
        return institutions
    matching = Q(pk__in=kept.filter(status__in=statuses).values("institution"))
    if Institution.Status.NOT_CONTACTED in statuses:
        matching |= ~Q(pk__in=kept.values("institution"))
    return institutions.filter(matching)


def contact_duplicate_groups(*, limit=200):
    """Groups of live contacts sharing an email (case-insensitive) or a phone number.

    Returns a list of lists of contacts, each group ordered oldest first (the one a
    merge keeps by default).
    """
    live = Contact.objects.filter(erased_at__isnull=True)
    emails = (
        live.exclude(email="")
        .annotate(key=Lower("email"))
        .values("key")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values_list("key", flat=True)[:limit]
    )
    phones = (
        live.exclude(phone="")
        .values("phone")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values_list("phone", flat=True)[:limit]
    )
    groups = defaultdict(set)
    contacts = {}
    email_list, phone_list = list(emails), list(phones)
    if not (email_list or phone_list):
        return []
    candidates = live.annotate(email_key=Lower("email")).filter(
        Q(email_key__in=email_list) | Q(phone__in=phone_list)
    )
    for contact in candidates.select_related("institution", "media_partner").order_by("created_at", "pk"):
        contacts[contact.pk] = contact
        if contact.email and contact.email_key in email_list:
            groups[("email", contact.email_key)].add(contact.pk)
        if contact.phone and contact.phone in phone_list:
            groups[("phone", contact.phone)].add(contact.pk)
    # Join groups that share a contact (same email in one pair, same phone in another).
    merged: list[set] = []
    for members in groups.values():
        overlapping = [group for group in merged if group & members]
        for group in overlapping:
            members |= group
            merged.remove(group)
        merged.append(set(members))
    return [sorted((contacts[pk] for pk in group), key=lambda c: (c.created_at, c.pk)) for group in merged][
        :limit
    ]
