"""Carrying a campaign over (issue 19) at national scale: 50,000 institutions and
100,000 contacts (``random_data``), 200,000 guided sessions and 132 teams in the earlier
campaign, 20 audiences, 5 email templates, a guide and an area goal per regency.

Measured: ``campaign_carry_over`` (the one form's work: goal under 5 s), confirming
every contact's purpose for the new campaign in one bulk action, counting a new
campaign's audience over every contact (the preview and the batch's check), and the
activation that keeps the earlier campaign's statuses and restarts the institutions'.
"""

import datetime
import time

from django.db import connection, reset_queries
from django.test.utils import override_settings

from bench.common import Result
from campaign.core.models import Campaign, Region
from campaign.core.services import campaign_admin_save, campaign_carry_over, campaign_save, regions_load
from campaign.institutions import random_data
from campaign.institutions.models import Contact, Institution, InstitutionCampaignStatus
from campaign.institutions.services import contact_purposes_confirm
from campaign.invitations.models import Audience, EmailTemplate
from campaign.invitations.selectors import audience_summary

INSTITUTIONS = 50_000
CONTACTS_PER_INSTITUTION = 2
SESSIONS = 200_000
AUDIENCES = 20
TEMPLATES = 5


def _guides():
    from campaign.core.services import site_home_ensure
    from campaign.materials.models import GuideIndexPage, GuidePage

    home = site_home_ensure(title="Beranda", intro="", cta_label="Isi")
    index = GuideIndexPage(title="Panduan", slug="panduan")
    home.add_child(instance=index)
    guide = GuidePage(title="Cara mengisi", slug="cara-mengisi", intro="Langkah demi langkah.", steps=[])
    index.add_child(instance=guide)
    guide.save_revision().publish()


def _world():
    from campaign.response.models import AreaGoal

    regions_load()
    province = Region.objects.get(code="53")
    campaign = campaign_save(
        name="Sensus Penduduk 2020",
        short_name="SP2020",
        online_start=datetime.date(2020, 2, 15),
        online_end=datetime.date(2020, 3, 31),
        population_base=5_400_000,
        goal_percent=23,
        is_active=True,
        extensions=[(datetime.date(2020, 5, 29), "COVID-19")],
        area=[province],
    )
    random_data.create(institutions=INSTITUTIONS, contacts_per_institution=CONTACTS_PER_INSTITUTION)
    random_data.create_fieldwork(campaign=campaign, sessions=SESSIONS)
    regencies = list(Region.objects.filter(level="regency"))
    for n in range(TEMPLATES):
        EmailTemplate.objects.create(name=f"Undangan {n}", subject_id="Undangan", body_id="<p>Yth.</p>")
    for n in range(AUDIENCES):
        audience = Audience.objects.create(name=f"Audiens {n}", statuses=["not_contacted"])
        audience.regions.set([regencies[n % len(regencies)]])
    AreaGoal.objects.bulk_create(AreaGoal(campaign=campaign, region=r, goal_persons=1000) for r in regencies)
    _guides()
    return campaign


def _carry(source, n):
    return campaign_carry_over(
        source=source,
        name=f"Sensus Ekonomi 2026 ({n})",
        short_name=f"SE2026-{n}",
        online_start=datetime.date(2026, 5, 1),
        online_end=datetime.date(2026, 5, 31),
        goal_percent=30,
    ).campaign


def _time(function):
    reset_queries()
    started = time.perf_counter()
    value = function()
    return value, (time.perf_counter() - started) * 1000, len(connection.queries)


@override_settings(DEBUG=True)  # query counts
def run():
    started = time.perf_counter()
    source = _world()
    setup = time.perf_counter() - started
    assert Institution.objects.count() == INSTITUTIONS
    assert Contact.objects.count() == INSTITUTIONS * CONTACTS_PER_INSTITUTION

    carried = [_time(lambda n=n: _carry(source, n)) for n in range(3)]
    durations = sorted(ms for _c, ms, _q in carried)
    new, _ms, queries = carried[0]

    audience = Audience.objects.filter(campaign=new).first()
    half = Contact.objects.filter(pk__in=Contact.objects.order_by("pk").values("pk")[:50_000])
    confirmed, confirm_ms, confirm_queries = _time(
        lambda: contact_purposes_confirm(contacts=half, campaign=new)
    )
    assert confirmed == 50_000
    everyone = Audience.objects.create(name="Semua", campaign=new)
    summary, summary_ms, _q = _time(lambda: audience_summary(audience=everyone))
    assert summary.count == 50_000 and summary.excluded["purpose_unconfirmed"] == 50_000

    new.is_active = True
    _saved, activate_ms, activate_queries = _time(lambda: campaign_admin_save(instance=new))
    kept = InstitutionCampaignStatus.objects.filter(campaign=source).count()
    assert Campaign.objects.get(is_active=True) == new and kept > 0
    assert not Institution.objects.exclude(status="not_contacted").exists()
    note = f"setup {setup:.0f} s; {INSTITUTIONS:,} institutions, {Contact.objects.count():,} contacts"
    return [
        Result(
            "carry over (campaign_carry_over), median of 3",
            durations[1],
            "ms",
            "< 5000",
            f"{queries} queries; max {durations[-1]:.0f} ms; {note}; {audience.name}",
        ),
        Result(
            "confirm the purpose of 50,000 contacts (bulk)",
            confirm_ms,
            "ms",
            "",
            f"{confirm_queries} queries",
        ),
        Result(
            "audience count, 100,000 contacts (half confirmed)", summary_ms, "ms", "", "preview / batch check"
        ),
        Result(
            "activate: keep old statuses, restart 50,000",
            activate_ms,
            "ms",
            "",
            f"{activate_queries} queries; {kept:,} statuses kept",
        ),
    ]
