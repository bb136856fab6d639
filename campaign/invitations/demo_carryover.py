"""The demo's second campaign: the 2026 economic census (SE2026), carried over from the
SP2020 replay by the service staff use (``campaign_carry_over``), upcoming: it starts
three weeks after the replay's online phase ends. For the economic census the firms'
contacts (BUMN, BUMD, private companies) have their purpose confirmed for it; the other
contacts are not confirmed yet, so its audiences leave them out with that reason.

Idempotent: the campaign is found by its code and left as it is; loading again changes
nothing. Run last, when the teams, templates, audiences and guides it copies exist."""

import datetime

from django.contrib.auth import get_user_model

from campaign.core.models import Campaign
from campaign.core.services import campaign_carry_over
from campaign.institutions.models import Contact
from campaign.institutions.services import contact_purposes_confirm

SE2026 = {
    "name": "Sensus Ekonomi 2026 — Pengisian Mandiri Online",
    "short_name": "SE2026",
    # Demo figure: the share of the province's firms expected to fill the form themselves.
    "goal_percent": 30,
}
CONFIRMED_KINDS = ["BUMN", "BUMD", "Swasta"]


def load(*, stdout, with_users):
    if Campaign.objects.filter(short_name=SE2026["short_name"]).exists():
        return
    source = Campaign.objects.filter(short_name="SP2020").first()
    if source is None:
        return
    end = source.effective_end
    start = end - datetime.timedelta(days=end.weekday()) + datetime.timedelta(weeks=3)
    staff = get_user_model().objects.filter(username="provinsi").first()
    result = campaign_carry_over(
        source=source,
        online_start=start,
        online_end=start + datetime.timedelta(days=30),
        copy_team_members=False,
        user=staff,
        **SE2026,
    )
    confirmed = contact_purposes_confirm(
        contacts=Contact.objects.filter(institution__kind__name__in=CONFIRMED_KINDS),
        campaign=result.campaign,
        purpose="Sosialisasi dan pendampingan Sensus Ekonomi 2026 (pengisian mandiri online)",
        lawful_basis=Contact.LawfulBasis.PUBLIC_TASK,
        user=staff,
    )
    copied = ", ".join(f"{name} {count}" for name, count in result.copied.items())
    stdout.write(
        f"Campaign: {result.campaign} carried over from {source} (online {start:%d %B %Y}); "
        f"copied: {copied}; purpose confirmed for {confirmed} of "
        f"{Contact.objects.filter(erased_at__isnull=True).count()} contacts."
    )
