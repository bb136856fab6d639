import base64
import datetime
import io
import json
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from campaign.institutions import completion
from campaign.institutions.dashboard import dashboard_data
from campaign.institutions.models import CoordinationMeeting, GuidedSession, Institution
from campaign.institutions.services import session_record

pytestmark = pytest.mark.django_db
WEEK_URL = reverse("fieldapp:api_week")
SESSIONS_URL = reverse("fieldapp:api_sessions")
MEETINGS_URL = reverse("fieldapp:api_meetings")


def post(client, url, payload, method="post", **extra):
    body = payload if isinstance(payload, (str, bytes)) else json.dumps(payload)
    return getattr(client, method)(url, body, content_type="application/json", **extra)


def session_payload(world, team=0, institution=0, **fields):
    return {
        "client_id": str(uuid.uuid4()),
        "team": world.teams[team].pk,
        "institution": world.institutions[team][institution].pk,
        "starts_at": timezone.localtime().replace(microsecond=0).isoformat(),
        "status": "held",
        "people_guided": 20,
        "people_completed": 15,
        "follow_up_needed": True,
        "notes": "Kepala dinas ikut mengisi.",
        **fields,
    }


def jpeg_data_url(size=(1600, 900)):
    buffer = io.BytesIO()
    Image.new("RGB", size, "#0b3d91").save(buffer, "JPEG")
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode()


# --- Reading the week ------------------------------------------------------------------


def test_week_shows_the_teams_plan_contacts_map_and_progress(member, world, django_assert_max_num_queries):
    session_record(
        institution=world.institutions[0][1],
        team=world.teams[0],
        starts_at=timezone.now(),
        status=GuidedSession.Status.HELD,
        people_guided=12,
        people_completed=9,
    )
    # 17: one of them reads the member's office (the area rule of the policies).
    with django_assert_max_num_queries(17):
        response = member.get(WEEK_URL)
    assert response.status_code == 200
    data = response.json()
    assert data["team"]["name"] == "Tim 1"
    assert data["week"] == world.week.isoformat()
    assert data["progress"] == {"target": 10, "planned": 3, "held": 1, "guided": 12, "completed": 9}
    names = [row["institution"]["name"] for row in data["assignments"]]
    assert sorted(names) == sorted(i.name for i in world.institutions[0])
    # The institution planned for today comes first.
    assert data["assignments"][0]["planned_date"] == timezone.localdate().isoformat()
    row = next(r for r in data["assignments"] if r["institution"]["id"] == world.institutions[0][1].pk)
    contact = row["institution"]["contacts"][0]
    assert contact["tel"] == "tel:+628123450001"
    assert contact["whatsapp"] == "https://wa.me/628123450001"
    # Click-to-chat with the institution's own staff-progress link written in.
    progress = urlsplit(row["institution"]["progress_url"]).path
    assert completion.completion_token_read(progress.split("/")[-2]) == world.institutions[0][1].pk
    text = parse_qs(urlsplit(contact["progress_whatsapp"]).query)["text"][0]
    assert contact["progress_whatsapp"].startswith("https://wa.me/628123450001?text=")
    assert text.startswith("Yth. ") and text.endswith(row["institution"]["progress_url"])
    assert row["institution"]["staff"] is None
    assert row["institution"]["map_url"].startswith("https://www.openstreetmap.org/search?query=Jl.+El+Tari")
    assert row["last_session"]["people_guided"] == 12
    assert [s["people_guided"] for s in data["sessions"]] == [12]
    assert [d["name"] for d in data["districts"]] == ["Alak", "Maulafa"]
    # Nothing of the other team leaks in.
    assert "Dinas D" not in json.dumps(data)


def test_week_query_count_does_not_grow_with_the_plan(member, world, django_assert_max_num_queries):
    from campaign.institutions.models import Assignment
    from tests.factories import ContactFactory, InstitutionFactory

    for _ in range(15):
        institution = InstitutionFactory(region=world.districts[0])
        ContactFactory.create_batch(2, institution=institution)
        Assignment.objects.create(institution=institution, team=world.teams[0], week=world.week)
    with django_assert_max_num_queries(16):
        assert len(member.get(WEEK_URL).json()["assignments"]) == 18


def test_another_teams_week_is_refused(member, world):
    response = member.get(WEEK_URL, {"team": world.teams[1].pk})
    assert response.status_code == 403
    assert response.json()["code"] == "not_your_team"


def test_without_sign_in_the_api_answers_401(client, world):
    response = client.get(WEEK_URL)
    assert response.status_code == 401
    assert response.json()["code"] == "login_required"
    assert post(client, SESSIONS_URL, session_payload(world)).status_code == 401


def test_a_user_in_no_team_is_told_so(client, world):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="lonely"))
    response = client.get(WEEK_URL)
    assert response.status_code == 403
    assert response.json()["code"] == "no_team"


# --- Recording -------------------------------------------------------------------------


def test_recording_is_idempotent_on_client_id_and_reaches_the_dashboard(member, world):
    payload = session_payload(world)
    first = post(member, SESSIONS_URL, payload)
    assert first.status_code == 201, first.content
    assert first.json()["created"] is True
    session = GuidedSession.objects.get()
    assert str(session.client_id) == payload["client_id"]
    assert session.recorded_by == world.members[0]
    assert session.week == world.week

    # The phone lost the answer and sends the same recording again, twice.
    for _ in range(2):
        again = post(member, SESSIONS_URL, payload)
        assert again.status_code == 200
        assert again.json() == {"session": first.json()["session"], "created": False}
    assert GuidedSession.objects.count() == 1

    # A retry carrying other values still changes nothing (edits go through PUT).
    post(member, SESSIONS_URL, {**payload, "people_guided": 99})
    assert GuidedSession.objects.get().people_guided == 20

    data = dashboard_data(campaign=world.campaign, week=world.week)
    row = next(r for r in data.teams if r.team == world.teams[0])
    assert (row.held, row.guided, row.completed) == (1, 20, 15)
    assert Institution.objects.get(pk=payload["institution"]).status == Institution.Status.GUIDED


def test_another_teams_institution_is_refused(member, world):
    # Tim 1's member records for Tim 2's institution under Tim 1...
    response = post(
        member, SESSIONS_URL, session_payload(world, team=0) | {"institution": world.institutions[1][0].pk}
    )
    assert response.status_code == 403
    assert response.json()["code"] == "not_your_team"
    # ...or under Tim 2.
    response = post(member, SESSIONS_URL, session_payload(world, team=1))
    assert response.status_code == 403
    assert response.json()["code"] == "not_your_team"
    assert not GuidedSession.objects.exists()


def test_a_client_id_of_another_team_is_refused(member, client, world):
    payload = session_payload(world, team=1)
    client.force_login(world.members[1])
    assert post(client, SESSIONS_URL, payload).status_code == 201
    client.force_login(world.members[0])
    response = post(client, SESSIONS_URL, {**payload, "team": world.teams[0].pk})
    assert response.status_code == 403


MALFORMED = [
    ("{not json", None),
    ("[1, 2]", None),
    ({"client_id": None}, "client_id"),
    ({"client_id": "abc"}, "client_id"),
    ({"people_guided": -3}, "people_guided"),
    ({"people_guided": "20"}, "people_guided"),
    ({"follow_up_needed": "ya"}, "follow_up_needed"),
    ({"status": "done"}, "status"),
    ({"starts_at": "kemarin"}, "starts_at"),
    ({"colour": "red"}, "colour"),
    ({"photo": "data:image/jpeg;base64,bm90IGFuIGltYWdl"}, "photo"),
    ({"photo": "https://example.org/x.jpg"}, "photo"),
    ({"people_guided": 5, "people_completed": 9}, "__all__"),
    ({"status": "cancelled"}, "people_guided"),
]


@pytest.mark.parametrize(("change", "field"), MALFORMED)
def test_malformed_payloads_get_400_with_a_clear_message(member, world, change, field):
    payload = change if isinstance(change, str) else session_payload(world) | change
    response = post(member, SESSIONS_URL, payload)
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert len(body["error"]) > 20
    if field is None:
        assert body["fields"] == {}
    else:
        assert body["fields"][field]
        if field != "__all__":
            # The message names what to fix, e.g. "…: people_guided: Must be between 0 and 100000."
            assert body["fields"][field][0] in body["error"]
    assert not GuidedSession.objects.exists()


def test_malformed_messages_in_detail(member, world):
    """The exact wording (English msgids; Indonesian once the catalogue has them)."""
    from django.utils import translation

    from campaign.fieldapp.payloads import PayloadError, parse_json, session_create_payload

    with translation.override("en"):
        with pytest.raises(PayloadError, match="The request body is not valid JSON."):
            parse_json(b"{")
        with pytest.raises(PayloadError) as error:
            session_create_payload(session_payload(world) | {"people_guided": -3})
        assert error.value.message == (
            "The recording was not accepted: people_guided: Must be between 0 and 100000."
        )


def test_messages_are_indonesian_whatever_the_browser_asks(member, world):
    # /lapangan/ is outside the language prefix: the default language (Indonesian) applies.
    response = post(
        member, SESSIONS_URL, session_payload(world) | {"client_id": None}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert response["Content-Language"] == "id"
    assert "harus diisi" in response.json()["error"]  # Django's own "This field is required."


def test_a_photo_is_stored_with_the_session(member, world):
    payload = session_payload(world, photo=jpeg_data_url((800, 600)))
    response = post(member, SESSIONS_URL, payload)
    assert response.status_code == 201
    session = GuidedSession.objects.get()
    assert session.photo.name.startswith("sessions/") and session.photo.name.endswith(".jpg")
    with Image.open(session.photo) as image:
        assert image.size == (800, 600)
    assert response.json()["session"]["photo_url"]


def test_a_held_recording_completes_the_planned_session_of_that_week(member, world):
    institution, team = world.institutions[0][2], world.teams[0]
    planned = session_record(
        institution=institution, team=team, starts_at=timezone.now(), status=GuidedSession.Status.PLANNED
    )
    response = post(member, SESSIONS_URL, session_payload(world, institution=2))
    assert response.status_code == 201
    assert GuidedSession.objects.count() == 1
    planned.refresh_from_db()
    assert planned.status == GuidedSession.Status.HELD and planned.client_id is not None


# --- Editing and the conflict rule -----------------------------------------------------


@pytest.fixture
def recorded(member, world):
    response = post(member, SESSIONS_URL, session_payload(world))
    return response.json()["session"]


def edit_url(session):
    return reverse("fieldapp:api_session", args=[session["id"]])


def test_an_edit_from_the_current_copy_is_saved(member, recorded):
    response = post(
        member,
        edit_url(recorded),
        {"base_updated_at": recorded["updated_at"], "people_completed": 18, "notes": "Tambah 3."},
        method="put",
    )
    assert response.status_code == 200, response.content
    session = GuidedSession.objects.get()
    assert (session.people_completed, session.notes) == (18, "Tambah 3.")
    assert response.json()["session"]["updated_at"] != recorded["updated_at"]


def test_an_edit_from_a_stale_copy_gets_409_with_both_versions(member, client, world, recorded):
    # Another phone of the same team edits first.
    first = post(
        member,
        edit_url(recorded),
        {"base_updated_at": recorded["updated_at"], "people_guided": 25},
        method="put",
    )
    assert first.status_code == 200
    second = post(
        member,
        edit_url(recorded),
        {"base_updated_at": recorded["updated_at"], "people_guided": 30, "notes": "Versi ponsel B"},
        method="put",
    )
    assert second.status_code == 409
    body = second.json()
    assert body["code"] == "conflict" and body["error"]
    assert body["server"]["people_guided"] == 25
    assert body["yours"]["people_guided"] == 30 and body["yours"]["notes"] == "Versi ponsel B"
    assert GuidedSession.objects.get().people_guided == 25  # the server's version was kept

    # "Use mine": the phone re-sends on top of the server's version.
    third = post(
        member,
        edit_url(recorded),
        {"base_updated_at": body["server"]["updated_at"], "people_guided": 30, "notes": "Versi ponsel B"},
        method="put",
    )
    assert third.status_code == 200
    assert GuidedSession.objects.get().people_guided == 30


def test_a_retried_edit_is_not_a_conflict(member, recorded):
    edit = {"base_updated_at": recorded["updated_at"], "people_completed": 19}
    assert post(member, edit_url(recorded), edit, method="put").status_code == 200
    again = post(member, edit_url(recorded), edit, method="put")
    assert again.status_code == 200
    assert GuidedSession.objects.get().people_completed == 19


def test_another_teams_session_cannot_be_edited(client, world, recorded):
    client.force_login(world.members[1])
    response = post(
        client,
        edit_url(recorded),
        {"base_updated_at": recorded["updated_at"], "people_guided": 1},
        method="put",
    )
    assert response.status_code == 403
    assert GuidedSession.objects.get().people_guided == 20


def test_edit_payload_checks(member, recorded):
    response = post(member, edit_url(recorded), {"people_guided": 1}, method="put")
    assert response.status_code == 400
    assert "base_updated_at" in response.json()["fields"]
    response = post(
        member, edit_url(recorded), {"base_updated_at": recorded["updated_at"], "team": 2}, method="put"
    )
    assert response.status_code == 400
    assert "team" in response.json()["fields"]
    missing = reverse("fieldapp:api_session", args=[999999])
    assert (
        post(
            member, missing, {"base_updated_at": recorded["updated_at"], "notes": "x"}, method="put"
        ).status_code
        == 404
    )


# --- Rakorcam --------------------------------------------------------------------------


def test_rakorcam_attendance_is_idempotent(member, world):
    payload = {
        "team": world.teams[0].pk,
        "district": world.districts[1].pk,
        "date": timezone.localdate().isoformat(),
        "attendees": 34,
        "notes": "Camat hadir.",
    }
    for _ in range(2):
        response = post(member, MEETINGS_URL, payload)
        assert response.status_code == 200, response.content
    meeting = CoordinationMeeting.objects.get()
    assert (meeting.attendees, meeting.notes) == (34, "Camat hadir.")
    assert list(meeting.teams.all()) == [world.teams[0]]
    assert member.get(WEEK_URL).json()["meetings"][0]["district_name"] == "Maulafa"


def test_rakorcam_outside_the_area_or_campaign_is_refused(member, world):
    from tests.factories import RegionFactory

    elsewhere = RegionFactory(code="5301010", name="Semau", parent=RegionFactory(code="5301", name="Kupang"))
    base = {"team": world.teams[0].pk, "date": timezone.localdate().isoformat()}
    assert post(member, MEETINGS_URL, base | {"district": elsewhere.pk}).status_code == 400
    too_late = (timezone.localdate() + datetime.timedelta(days=400)).isoformat()
    assert (
        post(member, MEETINGS_URL, base | {"district": world.districts[0].pk, "date": too_late}).status_code
        == 400
    )
    assert (
        post(
            member, MEETINGS_URL, base | {"team": world.teams[1].pk, "district": world.districts[0].pk}
        ).status_code
        == 403
    )


# --- Rate limit, sign-in, sign out everywhere -----------------------------------------


def test_the_api_is_rate_limited(member, world, settings):
    settings.FIELDAPP_RATE_LIMITS = {"read": 3, "write": 2}
    assert [member.get(WEEK_URL).status_code for _ in range(4)] == [200, 200, 200, 429]
    limited = member.get(WEEK_URL)
    assert limited.json()["code"] == "rate_limited" and int(limited["Retry-After"]) >= 1
    assert post(member, SESSIONS_URL, session_payload(world)).status_code == 201  # writes count apart


def test_sign_in_keeps_a_trusted_phone_signed_in(client, world, settings):
    login = reverse("fieldapp:login")
    page = client.get(login)
    assert page.status_code == 200
    assert len(page.content) < 4000
    response = client.post(login, {"username": "tim1", "password": "correct horse battery", "remember": "1"})
    assert response.status_code == 302 and response["Location"] == reverse("fieldapp:shell")
    assert client.session.get_expiry_age() == settings.FIELDAPP_SESSION_DAYS * 86400


def test_sign_out_everywhere_from_the_admin(client, world):
    from django.test import Client

    from tests.factories import UserFactory

    phone_a, phone_b = Client(), Client()
    for phone in (phone_a, phone_b):
        phone.force_login(world.members[0])
    Client().force_login(world.members[1])
    admin = UserFactory(username="admin", is_superuser=True, is_staff=True)
    client.force_login(admin)
    url = reverse("fieldapp_sign_out_everywhere", args=[world.members[0].pk])
    listing = client.get(reverse("wagtailusers_users:index"))
    assert url in listing.content.decode()
    assert client.get(url).status_code == 200
    response = client.post(url)
    assert response.status_code == 302
    for phone in (phone_a, phone_b):
        assert phone.get(WEEK_URL).status_code == 401
    # Others keep their sessions.
    assert client.get(reverse("wagtailadmin_home")).status_code == 200
    assert Session.objects.count() == 2


def test_a_field_member_cannot_sign_out_someone_else(member, world):
    url = reverse("fieldapp_sign_out_everywhere", args=[world.members[1].pk])
    assert member.post(url).status_code in (302, 403)
    assert member.get(WEEK_URL).status_code == 200


def test_a_session_outside_the_campaign_is_refused_with_its_own_code(member, world):
    campaign = world.teams[0].campaign
    before = datetime.datetime.combine(
        campaign.online_start - datetime.timedelta(days=1),
        datetime.time(9),
        tzinfo=timezone.get_current_timezone(),
    )
    response = post(member, SESSIONS_URL, session_payload(world, starts_at=before.isoformat()))
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "outside_campaign" and "starts_at" in body["fields"]
    assert "di luar masa kampanye" in body["error"]
    assert not GuidedSession.objects.exists()
