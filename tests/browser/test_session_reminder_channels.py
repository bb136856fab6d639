"""Dissemination staff give the day-before-session reminder its WhatsApp template and
SMS text on the reminder template's form; a contact who prefers WhatsApp (opted in) and
accepted tomorrow's session is then reminded by WhatsApp, in a batch of its own that the
batch list names apart from the email one. Through the admin UI, signed in as staff."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from campaign.core.services import DISSEMINATION_STAFF
from campaign.invitations import services
from campaign.invitations.models import Batch, OutboxMessage, Recipient
from tests.browser.conftest import admin_sign_in, screenshot
from tests.browser.test_journey import errors_of, save
from tests.factories import (
    BatchFactory,
    ContactFactory,
    EmailTemplateFactory,
    InstitutionFactory,
    UserFactory,
)
from tests.fieldapp.world import PASSWORD, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_set_the_whatsapp_reminder_and_the_contact_gets_it(live_server, page, settings):
    settings.BASE_URL = live_server.url
    world = build_world()
    template = EmailTemplateFactory(
        name="Pengingat sesi", body_id="<p>Yth. {{ contact_name }}, tim {{ team }} datang besok.</p>"
    )
    editor = UserFactory(username="editor", groups=[Group.objects.get(name=DISSEMINATION_STAFF)])
    editor.set_password(PASSWORD)
    editor.save()
    errors = errors_of(page)
    admin_sign_in(page, live_server, "editor", PASSWORD)

    page.goto(live_server.url + f"/admin/snippets/invitations/emailtemplate/edit/{template.pk}/")
    page.get_by_role("checkbox", name="Kirim sebagai pengingat sehari sebelum sesi").check()
    # The panel is folded (most templates are not the reminder): open it.
    page.locator(
        "section.w-panel", has=page.get_by_role("heading", name="Pengingat sesi lewat WhatsApp dan SMS")
    ).locator("button.w-panel__toggle").first.click()
    page.get_by_label("Nama templat WhatsApp untuk pengingat").fill("pengingat_sesi")
    # Approved in Indonesian and English: contacts who prefer English get the English one.
    page.get_by_label("Bahasa templat WhatsApp").fill("id, en")
    page.get_by_label("Teks SMS pengingat").fill(
        "BPS NTT: {{ contact_name }}, tim datang besok {{ session_date }}."
    )
    screenshot(page, "reminder-template-channels")
    save(page, "reminder-template-channels")
    template.refresh_from_db()
    assert template.for_session_reminders and template.whatsapp_template == "pengingat_sesi"
    assert template.whatsapp_parameters == "contact_name, team, session_date"
    assert template.whatsapp_language == "id, en"
    assert template.sms_text.startswith("BPS NTT: {{ contact_name }}")

    # A contact who prefers WhatsApp (opted in) and one who prefers email accept tomorrow's session.
    now = timezone.localtime()
    tomorrow = timezone.make_aware(
        datetime.datetime.combine(now.date() + datetime.timedelta(days=1), datetime.time(10))
    )
    whatsapp = ContactFactory(
        institution=InstitutionFactory(name="Dinas Kesehatan Kota Kupang"),
        preferred_channel="whatsapp",
        preferred_language="en",
        whatsapp_opt_in_at=now - datetime.timedelta(days=3),
        whatsapp_opt_in_source="Daftar hadir sosialisasi",
    )
    by_email = ContactFactory(institution=InstitutionFactory(name="Bappeda Kota Kupang"))
    invitation = BatchFactory(team=world.teams[0], proposed_at=tomorrow)
    services.batch_start(batch=invitation)
    for recipient in invitation.recipients.filter(contact__in=[whatsapp, by_email]):
        services.rsvp_record(recipient=recipient, answer=Recipient.Answer.ACCEPT)
    assert services.session_reminders_queue(now=now.replace(hour=9)) == 2

    page.goto(live_server.url + "/admin/snippets/invitations/batch/")
    listing = page.locator("main").inner_text()
    day = f"{tomorrow.day} "
    assert "Pengingat sesi untuk " + day in listing
    assert "lewat WhatsApp" in listing
    screenshot(page, "reminder-batches-by-channel")
    whatsapp_batch = Batch.objects.get(kind=Batch.Kind.SESSION, channel="whatsapp")
    with page.expect_navigation():
        page.locator("tr", has_text="lewat WhatsApp").get_by_role(
            "link", name="Laporan dan pengiriman"
        ).click()
    assert page.url.endswith(f"/admin/invitations/batch/{whatsapp_batch.pk}/")
    assert "pengingat_sesi" in page.locator("main").inner_text()
    screenshot(page, "reminder-whatsapp-batch")
    assert whatsapp_batch.recipients.get().contact == whatsapp
    (kept,) = OutboxMessage.objects.filter(to=str(whatsapp.phone))
    assert kept.headers["X-Template"] == "pengingat_sesi"
    assert kept.subject == "Templat WhatsApp “pengingat_sesi” (en)"  # the English version
    email_batch = Batch.objects.get(kind=Batch.Kind.SESSION, channel="email")
    assert email_batch.recipients.get().contact == by_email
    assert invitation.template != template  # the reminder is its own template
    assert errors == [] and page.csp_violations == []
