"""Team isolation through every view of a ViewSet (issue 15): a field team member neither
sees nor changes another team's sessions, plans and Rakorcam meetings, whichever of
Wagtail's views they go through (copy, history, usage, inspect, choosers …), and sees
only the contacts their team's work needs (UU 27/2022, data minimisation).

The world (tests/security/conftest.py): ``member`` is in team 1, ``other_member`` in
team 2; the session, visit plan and meeting of the world belong to team 1, and the
world's contact works at the institution planned for team 1."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from campaign.institutions.models import Assignment, Contact, CoordinationMeeting, GuidedSession
from tests.factories import ContactFactory, InstitutionFactory
from tests.http import drain

pytestmark = pytest.mark.django_db

SCOPED = ("guidedsession", "assignment", "coordinationmeeting", "contact")


def client_for(world, role):
    client = Client()
    client.force_login(world.users[role])
    return client


def object_urls(model_name, pk):
    """Every URL of the model's snippet ViewSet and chooser that names one object, read
    from the ViewSets themselves (a view a later Wagtail adds is in the list too)."""
    from django.apps import apps

    model = apps.get_model("institutions", model_name)
    viewset = model.snippet_viewset
    urls = {}
    for namespace, patterns in (
        (viewset.url_namespace, viewset.get_urlpatterns()),
        (viewset.chooser_viewset.url_namespace, viewset.chooser_viewset.get_urlpatterns()),
    ):
        for pattern in patterns:
            if "<" in str(pattern.pattern):
                name = f"{namespace}:{pattern.name}"
                urls[name] = reverse(name, kwargs={"pk": pk})
    return urls


@pytest.mark.parametrize("model_name", SCOPED)
def test_no_view_of_a_viewset_shows_another_teams_object(world, model_name):
    obj = world.objects[model_name]
    title = str(obj)
    client = client_for(world, "other_member")
    urls = object_urls(model_name, obj.pk)
    assert {"copy", "history", "usage"} <= {name.split(":")[1] for name in urls}
    leaks = []
    for name, url in urls.items():
        response = client.get(url)
        body = drain(response).decode()
        if response.status_code not in (403, 404) or title in body:
            leaks.append(f"{name}: {response.status_code}")
    assert leaks == []


def _session_post(session, team, **changes):
    local = timezone.localtime(session.starts_at)
    data = {
        "institution": session.institution_id,
        "team": team.pk,
        "starts_at": local.strftime("%Y-%m-%d %H:%M"),
        "status": "held",
        "people_guided": 12,
        "people_completed": 3,
        "notes": "salinan",
    }
    data.update(changes)
    return data


def test_copying_another_teams_session_is_refused_and_changes_nothing(world):
    session = world.objects["guidedsession"]
    before = GuidedSession.objects.count()
    client = client_for(world, "other_member")
    url = reverse("wagtailsnippets_institutions_guidedsession:copy", args=[session.pk])
    response = client.post(url, _session_post(session, world.teams[1]))
    assert response.status_code == 404
    session.refresh_from_db()
    assert (session.team, session.status, session.notes) == (world.teams[0], "planned", "")
    assert GuidedSession.objects.count() == before


def test_a_copy_is_a_new_row_and_leaves_the_original_untouched(world):
    session = world.objects["guidedsession"]
    client = client_for(world, "member")
    url = reverse("wagtailsnippets_institutions_guidedsession:copy", args=[session.pk])
    # The copy form shows the original's values but is not bound to its row.
    response = client.get(url)
    assert response.status_code == 200
    response = client.post(url, _session_post(session, world.teams[0]))
    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.status, session.notes, session.people_guided) == ("planned", "", 0)
    copy = GuidedSession.objects.exclude(pk=session.pk).get()
    assert (copy.team, copy.status, copy.notes) == (world.teams[0], "held", "salinan")


def test_a_copy_cannot_move_ones_own_session_to_another_team(world):
    session = world.objects["guidedsession"]
    client = client_for(world, "member")
    url = reverse("wagtailsnippets_institutions_guidedsession:copy", args=[session.pk])
    response = client.post(url, _session_post(session, world.teams[1]))
    assert response.status_code == 200  # the form, with an error on the team
    session.refresh_from_db()
    assert session.team == world.teams[0]
    assert not GuidedSession.objects.filter(team=world.teams[1]).exists()


def test_another_teams_plans_are_neither_listed_nor_creatable(world):
    plan = world.objects["assignment"]
    client = client_for(world, "other_member")
    listing = reverse("wagtailsnippets_institutions_assignment:list")
    for url in (listing, f"{listing}?team={world.teams[0].pk}", f"{listing}?week={plan.week:%Y-%m-%d}"):
        body = drain(client.get(url)).decode()
        assert plan.institution.name not in body, url
    other = InstitutionFactory(name="Kantor Camat Alak")
    response = client.post(
        reverse("wagtailsnippets_institutions_assignment:add"),
        {"institution": other.pk, "team": world.teams[0].pk, "week": f"{plan.week:%Y-%m-%d}"},
    )
    assert response.status_code == 200
    assert not Assignment.objects.filter(institution=other).exists()
    # Their own team is accepted.
    response = client.post(
        reverse("wagtailsnippets_institutions_assignment:add"),
        {"institution": other.pk, "team": world.teams[1].pk, "week": f"{plan.week:%Y-%m-%d}"},
    )
    assert response.status_code == 302
    assert Assignment.objects.get(institution=other).team == world.teams[1]


def test_a_meeting_of_another_team_cannot_be_edited(world):
    meeting = world.objects["coordinationmeeting"]
    client = client_for(world, "other_member")
    response = client.post(
        reverse("wagtailsnippets_institutions_coordinationmeeting:edit", args=[meeting.pk]),
        {
            "campaign": meeting.campaign_id,
            "district": meeting.district_id,
            "date": f"{meeting.date:%Y-%m-%d}",
            "teams": [world.teams[1].pk],
            "attendees": 999,
            "notes": "",
            "commitments-TOTAL_FORMS": 0,
            "commitments-INITIAL_FORMS": 0,
            "commitments-MIN_NUM_FORMS": 0,
            "commitments-MAX_NUM_FORMS": 1000,
        },
    )
    assert response.status_code == 404
    meeting.refresh_from_db()
    assert meeting.attendees == 0
    assert list(meeting.teams.all()) == [world.teams[0]]
    listing = drain(client.get(reverse("wagtailsnippets_institutions_coordinationmeeting:list"))).decode()
    assert meeting.district.name not in listing


def test_a_member_editing_a_shared_meeting_keeps_the_other_teams_in_it(world):
    meeting = world.objects["coordinationmeeting"]
    meeting.teams.set(world.teams)
    meeting.save()
    client = client_for(world, "member")
    response = client.post(
        reverse("wagtailsnippets_institutions_coordinationmeeting:edit", args=[meeting.pk]),
        {
            "campaign": meeting.campaign_id,
            "district": meeting.district_id,
            "date": f"{meeting.date:%Y-%m-%d}",
            "teams": [world.teams[0].pk],
            "attendees": 40,
            "notes": "",
            "commitments-TOTAL_FORMS": 0,
            "commitments-INITIAL_FORMS": 0,
            "commitments-MIN_NUM_FORMS": 0,
            "commitments-MAX_NUM_FORMS": 1000,
        },
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.attendees == 40
    assert set(meeting.teams.all()) == set(world.teams)


def test_a_member_sees_the_contacts_of_their_teams_institutions_only(world):
    planned = world.objects["contact"]  # at the institution planned for team 1
    elsewhere = ContactFactory(institution=InstitutionFactory(name="Bank NTT"), name="Maria Elsewhere")
    visited_institution = InstitutionFactory(name="RSUD Kupang")
    visited = ContactFactory(institution=visited_institution, name="Yohanes Visited")
    GuidedSession.objects.create(
        institution=visited_institution,
        team=world.teams[0],
        starts_at=timezone.now() - datetime.timedelta(days=1),
        status=GuidedSession.Status.HELD,
    )
    member = client_for(world, "member")
    inspect = "wagtailsnippets_institutions_contact:inspect"
    assert member.get(reverse(inspect, args=[planned.pk])).status_code == 200
    assert member.get(reverse(inspect, args=[visited.pk])).status_code == 200
    assert member.get(reverse(inspect, args=[elsewhere.pk])).status_code == 404
    listing = drain(member.get(reverse("wagtailsnippets_institutions_contact:list"))).decode()
    assert planned.name in listing and visited.name in listing
    assert elsewhere.name not in listing and world.objects["partner"].name not in listing
    # The other team's member sees none of them.
    other = client_for(world, "other_member")
    assert other.get(reverse(inspect, args=[planned.pk])).status_code == 404
    listing = drain(other.get(reverse("wagtailsnippets_institutions_contact:list"))).decode()
    assert not any(c.name in listing for c in (planned, visited, elsewhere))
    # The institution's own page lists only the contacts the member may see.
    page = drain(
        other.get(reverse("wagtailsnippets_institutions_institution:inspect", args=[planned.institution_id]))
    ).decode()
    assert planned.name not in page and planned.email not in page
    # Staff see the whole registry.
    editor = client_for(world, "editor")
    assert editor.get(reverse(inspect, args=[elsewhere.pk])).status_code == 200


def test_choosers_offer_only_what_the_member_may_pick(world):
    client = client_for(world, "other_member")
    body = drain(client.get(reverse("wagtailsnippetchoosers_institutions_team:choose"))).decode()
    assert "Tim 2" in body and "Tim 1" not in body
    body = drain(client.get(reverse("wagtailsnippetchoosers_institutions_contact:choose"))).decode()
    assert world.objects["contact"].name not in body
    response = client.get(
        reverse("wagtailsnippetchoosers_institutions_team:chosen_multiple") + f"?id={world.teams[0].pk}"
    )
    assert "Tim 1" not in drain(response).decode()


def test_members_cannot_export_the_not_reached_report(world):
    url = reverse("institutions_report_not_reached") + "?export=csv"
    response = client_for(world, "member").get(url)
    assert response.status_code in (302, 403)
    assert "attachment" not in response.headers.get("Content-Disposition", "")
    page = drain(client_for(world, "member").get(reverse("institutions_report_not_reached"))).decode()
    assert "export=csv" not in page
    response = client_for(world, "editor").get(url)
    assert response.status_code == 200
    assert world.objects["institution"].name in drain(response).decode()


def test_the_field_app_shows_contacts_through_the_same_policy(world):
    from campaign.fieldapp.selectors import week_data
    from campaign.institutions.policies import policy_for

    member = world.users["member"]
    data = week_data(user=member, team=world.teams[0])
    names = {c["name"] for row in data["assignments"] for c in row["institution"]["contacts"]}
    visible = set(
        policy_for(Contact).instances_user_has_permission_for(member, "view").values_list("name", flat=True)
    )
    assert names == {world.objects["contact"].name} and names <= visible
    assert not policy_for(Contact).instances_user_has_permission_for(world.users["other_member"], "view")
    assert not policy_for(CoordinationMeeting).instances_user_has_permission_for(
        world.users["other_member"], "change"
    )
