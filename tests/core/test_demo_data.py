import datetime
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import models
from django.db.models import Max
from django.utils import formats, timezone, translation
from wagtail.models import Page, Site

from campaign.core.models import Campaign, CampaignSettings, HomePage
from campaign.core.services import DISSEMINATION_STAFF, FIELD_TEAM, HEAD_OF_SECTION

pytestmark = pytest.mark.django_db


def _snapshot():
    """Rows of every model (page revisions, log entries, task results included), and
    the newest id of each, so a row deleted and made again shows too. Models keyed by
    something else than a number (task results: UUIDs, which PostgreSQL cannot MAX) are
    compared by their set of keys."""
    counts = {}
    for model in apps.get_models():
        rows = model._default_manager.all()
        if isinstance(model._meta.pk, (models.AutoField, models.BigAutoField, models.IntegerField)):
            newest = rows.aggregate(last=Max("pk"))["last"]
        else:
            newest = frozenset(str(pk) for pk in rows.values_list("pk", flat=True))
        counts[model._meta.label] = (rows.count(), newest)
    return counts


def test_load_demo_data_builds_the_sp2020_case_and_is_idempotent(settings):
    settings.DEBUG = True
    call_command("load_demo_data", stdout=StringIO())
    first = _snapshot()
    call_command("load_demo_data", stdout=StringIO())

    second = _snapshot()
    assert {k: (first[k], v) for k, v in second.items() if first[k] != v} == {}
    campaign = Campaign.objects.get(is_active=True)
    assert campaign.short_name == "SP2020"
    # The SP2020 phases on today's calendar: same durations, whole weeks moved.
    assert (campaign.online_end - campaign.online_start).days == 45
    assert (campaign.effective_end - campaign.online_end).days == 59
    assert (campaign.online_start - datetime.date(2020, 2, 15)).days % 7 == 0
    assert campaign.goal_percent == 23 and campaign.population_base == 5_400_000
    assert list(campaign.area.values_list("code", flat=True)) == ["53"]
    site = Site.objects.get(is_default_site=True)
    assert isinstance(site.root_page.specific, HomePage)
    assert CampaignSettings.for_site(site).hotline == "(0380) 826289"
    # Wagtail's welcome page is gone; the home page is the only page under the root.
    assert Page.objects.filter(depth=2).count() == 1

    users = get_user_model().objects
    assert users.get(username="admin").is_superuser
    assert users.get(username="admin").check_password("jemputbola-admin")
    assert users.get(username="editor").groups.filter(name=DISSEMINATION_STAFF).exists()
    assert users.get(username="kepala").groups.filter(name=HEAD_OF_SECTION).exists()
    assert users.filter(groups__name=FIELD_TEAM).count() == 6


def test_demo_users_are_created_only_with_debug_on(settings):
    settings.DEBUG = False
    out = StringIO()
    call_command("load_demo_data", stdout=out)
    assert not get_user_model().objects.exists()
    assert "demo users were not created" in out.getvalue()
    assert Campaign.objects.filter(is_active=True).exists()


def test_demo_home_page_renders(client, settings):
    settings.DEBUG = True
    call_command("load_demo_data", stdout=StringIO())
    html = client.get("/").content.decode()
    assert "Mencatat Indonesia" in html
    end = Campaign.objects.get(is_active=True).effective_end
    assert "Tahap online" in html and formats.date_format(end, "j F Y") in html
    assert "pst5300@bps.go.id" in html and "https://wa.me/6282247291975" in html


def test_the_demo_loaded_today_is_in_its_third_week(settings):
    """Sessions, plans, batches, news and the dashboard agree with the real clock."""
    from campaign.institutions.dashboard import current_week
    from campaign.institutions.models import Assignment, GuidedSession
    from campaign.invitations.models import Batch
    from campaign.news.models import NewsPage

    settings.DEBUG = True
    call_command("load_demo_data", stdout=StringIO())
    campaign = Campaign.objects.get(is_active=True)
    today = timezone.localdate()
    monday = today - datetime.timedelta(days=today.weekday())
    weeks = campaign.weeks()
    assert weeks.index(monday) == 2 and monday.weekday() == 0
    assert current_week(campaign) == monday
    assert campaign.online_start <= today <= campaign.effective_end

    sessions = GuidedSession.objects.all()
    assert sessions.exists()
    for session in sessions:
        day = timezone.localtime(session.starts_at).date()
        assert campaign.online_start <= day <= campaign.effective_end, session
        if session.status == GuidedSession.Status.HELD:
            assert session.starts_at <= timezone.now(), session
    assert set(Assignment.objects.values_list("week", flat=True)) == {monday, monday + datetime.timedelta(7)}
    for batch in Batch.objects.exclude(proposed_at=None):
        assert campaign.online_start <= timezone.localtime(batch.proposed_at).date() <= campaign.effective_end
        # Sent this week, an invitation proposes a visit still ahead (one accepted now is a
        # session to come, not one in the past).
        assert batch.proposed_at > timezone.now(), batch
    # News of days still to come is scheduled, not public yet.
    for post in NewsPage.objects.all():
        if post.date > today:
            assert not post.live
    assert NewsPage.objects.live().filter(date__lte=today).exists()
    assert campaign.official_count_date <= today
    with translation.override("id"):
        assert formats.date_format(campaign.effective_end, "j F Y") != "29 Mei 2020" or today.year == 2020


def test_the_demos_kota_kupang_batches_are_kota_kupangs(settings):
    """A batch or audience named for Kota Kupang reaches Kota Kupang only, and BPS Kota
    Kupang's staff find its batches in their lists; the team's sessions the invitations
    planned are in the team's city."""
    from campaign.core.models import Office
    from campaign.institutions.models import GuidedSession
    from campaign.invitations.models import Audience, Batch

    settings.DEBUG = True
    call_command("load_demo_data", stdout=StringIO())
    office = Office.objects.get(code="5371")
    for name in ("Institusi Kota Kupang", "Instansi pemerintah Kota Kupang"):
        assert list(Audience.objects.get(name=name).regions.values_list("code", flat=True)) == ["5371"]
    wave = Batch.objects.get(name="Gelombang 1 — Kota Kupang")
    assert wave.office == office and Batch.objects.get(name="Gelombang 2 — terjadwal").office == office
    regions = set(wave.recipients.values_list("institution__region__code", flat=True))
    assert regions and all(code.startswith("5371") for code in regions)
    letters = Batch.objects.get(channel="letter", name__contains="Kota Kupang")
    assert all(
        code.startswith("5371")
        for code in letters.recipients.values_list("institution__region__code", flat=True)
    )
    planned = GuidedSession.objects.filter(team=wave.team)
    assert planned.exists()
    assert all(
        code.startswith("5371") for code in planned.values_list("institution__region__code", flat=True)
    )
