"""Dissemination staff mark a template as the day-before-session reminder, and schedule
a batch "7 days before the online phase closes" through the batch form (its choosers
included); an extension moves it."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.utils import formats, timezone

from campaign.core.services import DISSEMINATION_STAFF, campaign_save
from campaign.invitations.models import Batch, EmailTemplate
from tests.browser.conftest import admin_sign_in, screenshot
from tests.browser.test_journey import choose, errors_of, save
from tests.factories import AudienceFactory, EmailTemplateFactory, UserFactory
from tests.fieldapp.world import PASSWORD, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shown(day):
    return formats.date_format(day, "j F Y")


def test_a_reminder_before_the_close_follows_the_extension(live_server, page):
    world = build_world()
    campaign = world.campaign
    EmailTemplateFactory(name="Pengingat penutupan")
    AudienceFactory(name="Belum selesai")
    editor = UserFactory(username="editor", groups=[Group.objects.get(name=DISSEMINATION_STAFF)])
    editor.set_password(PASSWORD)
    editor.save()
    errors = errors_of(page)
    admin_sign_in(page, live_server, "editor", PASSWORD)

    # The template becomes the day-before-session reminder: one tick on its form.
    template = EmailTemplate.objects.get(name="Pengingat penutupan")
    page.goto(live_server.url + f"/admin/snippets/invitations/emailtemplate/edit/{template.pk}/")
    page.get_by_role("checkbox", name="Kirim sebagai pengingat sehari sebelum sesi").check()
    save(page, "reminder-template")
    template.refresh_from_db()
    assert template.for_session_reminders is True

    page.goto(live_server.url + "/admin/snippets/invitations/batch/add/")
    page.fill("#id_name", "Pengingat seminggu sebelum penutupan")
    choose(page, "template", "Pengingat penutupan")
    choose(page, "audience", "Belum selesai")
    page.get_by_label("Hari sebelum tahap online ditutup").fill("7")
    screenshot(page, "batch-form-days-before-end")
    save(page, "relative-batch")
    page.get_by_role("button", name="Jadwalkan").click()
    page.wait_for_selector(".batch-send-at")
    batch = Batch.objects.get(name="Pengingat seminggu sebelum penutupan")
    assert batch.status == Batch.Status.SCHEDULED
    week_before = campaign.online_end - datetime.timedelta(days=7)
    assert timezone.localtime(batch.scheduled_at).date() == week_before
    assert _shown(week_before) in page.locator(".batch-send-at").inner_text()
    assert "7 hari sebelum tahap online ditutup" in page.locator(".batch-relative").inner_text()

    # The campaign is extended by two weeks: the reminder moves with the close.
    new_end = campaign.online_end + datetime.timedelta(days=14)
    campaign_save(campaign=campaign, extensions=[(new_end, "Perpanjangan")])
    page.reload()
    assert _shown(new_end - datetime.timedelta(days=7)) in page.locator(".batch-send-at").inner_text()
    screenshot(page, "batch-relative-moved")
    assert errors == [] and page.csp_violations == []
