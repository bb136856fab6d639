"""The field app on a 360 px phone in Chromium: online, offline, reload offline, sync."""

import io
import json
import os
import time
from pathlib import Path
from urllib.parse import quote_plus, unquote_plus

import pytest
from PIL import Image

from campaign.institutions.dashboard import dashboard_data
from campaign.institutions.models import GuidedSession
from tests.browser.conftest import SCREENSHOTS
from tests.fieldapp.world import PASSWORD, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# FIELDAPP_SHOTS moves them (e.g. to attach to the issue).
SHOTS = Path(os.environ.get("FIELDAPP_SHOTS", SCREENSHOTS / "fieldapp"))


def wait_until(condition, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    raise AssertionError("condition not met in time")


def wait_for_worker(page):
    # Not page.wait_for_function: its evaluation is refused by the app's strict CSP.
    wait_until(lambda: page.evaluate("navigator.serviceWorker.controller !== null"), timeout=15)


def phone_context(browser, **extra):
    options = {
        "viewport": {"width": 360, "height": 740},
        "device_scale_factor": 1,
        "is_mobile": True,
        "has_touch": True,
        "locale": "id-ID",
        "timezone_id": "Asia/Makassar",
    }
    return browser.new_context(**{**options, **extra})


def sign_in(page, live_server, username="tim1"):
    page.goto(live_server.url + "/lapangan/masuk/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    page.wait_for_selector("[data-institution]")


def shot(page, name, full_page=True):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("document.getElementById('toast') && (document.getElementById('toast').hidden = true)")
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)


def photo_bytes():
    image = Image.new("RGB", (2400, 1800))
    for x in range(0, 2400, 40):
        image.paste((x % 255, 90, 200 - x % 200), (x, 0, x + 40, 1800))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=92)
    return buffer.getvalue()


def record(page, institution, guided, completed, notes, photo=None):
    page.click(f'a[href="#/catat/{institution.pk}"]')
    page.wait_for_selector("#session-form")
    page.fill("#f-people_guided", str(guided))
    page.fill("#f-people_completed", str(completed))
    page.fill("#f-notes", notes)
    if photo:
        page.set_input_files("#f-photo", {"name": "foto.jpg", "mimeType": "image/jpeg", "buffer": photo})
        page.wait_for_selector(".photo-preview:not([hidden])")
    page.click("#session-form button[type=submit]")
    page.wait_for_selector("[data-institution]")


def queue_length(page):
    return page.evaluate("FieldStore.queue().then(q => q.length)")


def test_record_online_then_offline_reload_and_sync_exactly_once(live_server, browser):
    world = build_world()
    team = world.teams[0]
    first, second, third = world.institutions[0]
    context = phone_context(browser)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))

    page.goto(live_server.url + "/lapangan/")  # not signed in: the light sign-in page
    assert "/lapangan/masuk/" in page.url
    shot(page, "sign-in")
    sign_in(page, live_server)
    wait_for_worker(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.locator("[data-institution]").count() == 3
    shot(page, "week-list")

    # Online: the recording reaches the server at once.
    page.click(f'a[href="#/catat/{first.pk}"]')
    page.wait_for_selector("#session-form")
    plus = page.locator(".stepper").nth(0).locator("button").nth(1)
    for _ in range(3):
        plus.tap()
    assert page.input_value("#f-people_guided") == "3"
    page.fill("#f-people_guided", "20")
    page.fill("#f-people_completed", "15")
    page.check("input[name=follow_up_needed]")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, "record-form")
    page.click("#session-form button[type=submit]")
    wait_until(lambda: GuidedSession.objects.count() == 1)
    online = GuidedSession.objects.get()
    assert (online.institution, online.people_guided, online.follow_up_needed) == (first, 20, True)

    # Offline: two recordings (one with a photo) wait in IndexedDB.
    context.set_offline(True)
    page.wait_for_selector("#offline:not([hidden])")
    record(page, second, 31, 22, "Foto bersama staf", photo=photo_bytes())
    record(page, third, 12, 12, "Semua selesai mengisi")
    assert queue_length(page) == 2
    queued = page.evaluate("FieldStore.queue()")
    assert queued[0]["body"]["photo"].startswith("data:image/jpeg;base64,")
    assert page.locator("#sessions [data-session]").count() == 3
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, "offline-banner", full_page=False)
    assert GuidedSession.objects.count() == 1

    # Reload without a signal: the shell and the week come from the phone.
    page.reload()
    page.wait_for_selector("[data-institution]")
    assert page.locator("#offline").is_visible()
    assert queue_length(page) == 2
    assert page.locator("#sessions [data-session]").count() == 3
    assert GuidedSession.objects.count() == 1

    # The signal returns: both are sent, exactly once.
    context.set_offline(False)
    wait_until(lambda: GuidedSession.objects.count() == 3)
    wait_until(lambda: queue_length(page) == 0)
    with_photo = GuidedSession.objects.get(institution=second)
    assert with_photo.photo and with_photo.notes == "Foto bersama staf"
    with Image.open(with_photo.photo) as image:
        assert max(image.size) == 1280  # resized on the phone
    assert with_photo.photo.size < 400_000
    assert {str(s.client_id) for s in GuidedSession.objects.exclude(pk=online.pk)} == {
        item["body"]["client_id"] for item in queued
    }
    page.wait_for_selector("#offline", state="hidden")

    # Replay the same uploads twice: through the app's own queue, and as raw requests.
    for _ in range(2):
        page.evaluate("items => Promise.all(items.map(i => FieldStore.put('queue', i)))", queued)
        result = page.evaluate("FieldStore.flush()")
        assert result["sent"] == 2 and result["stopped"] is None
    token = next(c["value"] for c in context.cookies() if c["name"] == "csrftoken")
    for _ in range(2):
        response = page.request.post(
            live_server.url + "/lapangan/api/sessions",
            data=json.dumps(queued[1]["body"]),
            headers={"Content-Type": "application/json", "X-CSRFToken": token},
        )
        assert response.status == 200 and response.json()["created"] is False
    assert GuidedSession.objects.count() == 3

    data = dashboard_data(campaign=world.campaign, week=world.week)
    row = next(r for r in data.teams if r.team == team)
    assert (row.held, row.guided, row.completed) == (3, 63, 49)
    assert data.totals["sessions"] == 3

    # Edit a session from earlier in the week.
    page.reload()
    page.wait_for_selector("#sessions [data-session]")
    page.click(f'[data-session="s{with_photo.pk}"] a')
    page.wait_for_selector("#session-form")
    assert page.input_value("#f-people_guided") == "31"
    page.fill("#f-people_completed", "30")
    page.click("#session-form button[type=submit]")
    wait_until(lambda: GuidedSession.objects.get(pk=with_photo.pk).people_completed == 30)
    assert GuidedSession.objects.count() == 3
    assert errors == []
    context.close()


def test_an_edit_that_lost_to_another_phone_is_shown(live_server, browser):
    world = build_world()
    context = phone_context(browser)
    page = context.new_page()
    sign_in(page, live_server)
    page.click(f'a[href="#/catat/{world.institutions[0][0].pk}"]')
    page.fill("#f-people_guided", "10")
    page.click("#session-form button[type=submit]")
    wait_until(lambda: GuidedSession.objects.count() == 1)
    session = GuidedSession.objects.get()
    page.wait_for_selector(f'[data-session="s{session.pk}"]')

    # Another phone changes the session after this one loaded it.
    from campaign.institutions.services import session_record

    session_record(session=session, user=world.members[0], people_guided=40, notes="Ponsel lain")
    page.click(f'[data-session="s{session.pk}"] a')
    page.fill("#f-people_guided", "12")
    page.click("#session-form button[type=submit]")
    page.wait_for_selector(".notice .compare")
    assert "40" in page.locator(".compare > div").nth(0).inner_text()
    assert "12" in page.locator(".compare > div").nth(1).inner_text()
    shot(page, "conflict")
    assert GuidedSession.objects.get().people_guided == 40
    # "Use mine" re-sends on top of the server's version.
    page.click(".notice .primary")
    wait_until(lambda: GuidedSession.objects.get().people_guided == 12)
    context.close()


class Meter:
    """Bytes on the wire (CDP encodedDataLength) and requests, and which were answered
    by the service worker."""

    def __init__(self, page, disable_cache):
        self.requests = 0
        self.bytes = 0
        self.from_worker = 0
        session = page.context.new_cdp_session(page)
        session.send("Network.enable")
        session.send("Network.setCacheDisabled", {"cacheDisabled": disable_cache})
        session.on("Network.requestWillBeSent", lambda e: setattr(self, "requests", self.requests + 1))
        session.on(
            "Network.loadingFinished",
            lambda e: setattr(self, "bytes", self.bytes + int(e["encodedDataLength"])),
        )
        session.on(
            "Network.responseReceived",
            lambda e: (
                e["response"].get("fromServiceWorker") and setattr(self, "from_worker", self.from_worker + 1)
            ),
        )


def test_first_load_is_under_100_kb_and_later_loads_come_from_the_cache(live_server, browser):
    build_world()
    # First load as the phone sees it: cache disabled, no service worker yet.
    context = phone_context(browser, service_workers="block")
    page = context.new_page()
    sign_in(page, live_server)
    page2 = context.new_page()
    meter = Meter(page2, disable_cache=True)
    page2.goto(live_server.url + "/lapangan/", wait_until="networkidle")
    page2.wait_for_selector("[data-institution]")
    first = (meter.bytes, meter.requests)
    context.close()

    context = phone_context(browser)
    page = context.new_page()
    sign_in(page, live_server)
    wait_for_worker(page)
    meter = Meter(page, disable_cache=False)
    # What still goes over the network: the worker's own fetches, and page requests it
    # did not answer (Playwright reports both on the context).
    network = []
    context.on(
        "requestfinished",
        lambda r: (
            (r.service_worker is not None or not r.response().from_service_worker)
            and network.append((r.url, r.sizes()["responseBodySize"] + r.sizes()["responseHeadersSize"]))
        ),
    )
    page.reload(wait_until="networkidle")
    page.wait_for_selector("[data-institution]")
    page.wait_for_timeout(500)
    cached = (sum(size for _, size in network), len(network), meter.from_worker)
    context.close()

    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "transfer.json").write_text(
        json.dumps(
            {
                "first_load_bytes": first[0],
                "first_load_requests": first[1],
                "reload_network_bytes": cached[0],
                "reload_network_requests": cached[1],
                "reload_network_urls": [url for url, _ in network],
                "reload_answered_by_service_worker": cached[2],
            }
        )
    )
    assert first[0] < 100_000
    # Shell, CSS and scripts come from the worker's cache; only the week's data is fetched.
    assert cached[2] >= 4
    assert all(url.split("?")[0].endswith(("/lapangan/", "/lapangan/api/week")) for url, _ in network)


def test_times_are_shown_and_read_in_wita_on_a_phone_set_to_another_zone(live_server, browser):
    """A phone set to Jakarta (WIB, one hour behind) shows and records WITA times."""
    import datetime

    from django.utils import timezone

    from campaign.institutions.services import session_record

    world = build_world()
    team = world.teams[0]
    first, second, _ = world.institutions[0]
    today = timezone.localdate()
    wita = datetime.timezone(datetime.timedelta(hours=8))
    session_record(
        institution=first,
        team=team,
        starts_at=datetime.datetime.combine(today, datetime.time(9, 30), tzinfo=wita),
        status=GuidedSession.Status.HELD,
        people_guided=1_500,
        people_completed=1_200,
    )
    context = phone_context(browser, timezone_id="Asia/Jakarta")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    sign_in(page, live_server)
    assert page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == "Asia/Jakarta"

    item = page.locator("#sessions li").first
    assert "09.30 WITA" in item.inner_text()  # not 08.30, the phone's WIB reading
    assert "1.500 orang didampingi, 1.200 selesai mengisi" in item.inner_text()  # Intl.NumberFormat("id")
    shot(page, "wita-on-a-wib-phone")

    # The edit form shows the same WITA time and says so.
    item.get_by_role("link").click()
    page.wait_for_selector("#session-form")
    assert page.locator("label[for=f-when]").inner_text().endswith("(WITA)")
    assert page.input_value("#f-when").endswith("T09:30")
    page.click("a[href='#/']")

    # A time typed on this phone is read as WITA.
    page.click(f'a[href="#/catat/{second.pk}"]')
    page.wait_for_selector("#session-form")
    page.fill("#f-when", f"{today.isoformat()}T10:15")
    page.click("#session-form button[type=submit]")
    page.wait_for_selector("[data-institution]")
    wait_until(lambda: GuidedSession.objects.filter(institution=second).exists())
    recorded = GuidedSession.objects.get(institution=second).starts_at
    assert recorded == datetime.datetime.combine(today, datetime.time(10, 15), tzinfo=wita)
    assert errors == []
    context.close()


def test_a_member_passes_on_the_staff_progress_link_and_sees_the_reported_share(
    live_server, browser, settings
):
    """After a visit the member hands the institution its staff-progress link: by
    WhatsApp click-to-chat with the link written in, or copied; the card shows what
    the institution last reported."""
    from campaign.institutions.completion import (
        completion_report_record,
        completion_token_read,
        completion_url,
    )

    settings.BASE_URL = live_server.url
    world = build_world()
    first = world.institutions[0][1]
    completion_report_record(institution=first, staff_completed=40, staff_total=50)
    context = phone_context(browser)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    sign_in(page, live_server)

    card = page.locator(f'[data-institution="{first.pk}"]')
    assert card.locator(".staff-done").inner_text() == "Pegawai selesai: 40 dari 50 (80%)"
    card.locator("summary").click()
    whatsapp = card.get_by_role("link", name="Kirim link progres").first.get_attribute("href")
    assert whatsapp.startswith("https://wa.me/628123450001?text=Yth.")
    # The token is signed with a timestamp: the page's and a fresh one may be a
    # second apart, so compare where it leads and whose it is.
    link = unquote_plus(whatsapp).rsplit(" ", 1)[-1]
    prefix = completion_url(institution_id=first.pk).rsplit("/lapor-progres/", 1)[0]
    assert link.startswith(prefix + "/lapor-progres/")
    assert whatsapp.endswith(quote_plus(link))
    assert completion_token_read(link.rstrip("/").rsplit("/", 1)[-1]) == first.pk
    assert not page.evaluate("'share' in navigator")  # Linux Chromium: the clipboard path
    card.get_by_role("button", name="Bagikan link progres pegawai").click()
    page.wait_for_selector("#toast:not([hidden])")
    assert page.locator("#toast").inner_text() == "Link disalin"
    assert page.evaluate("navigator.clipboard.readText()") == link
    shot(page, "week-list-staff-progress")
    assert errors == []
    context.close()
