"""Every URL every snippet ViewSet (and its chooser) of ours registers, read from the
ViewSets themselves, requested by every role on an object of their own team and of the
other team: the status answers the expectation of its view kind.

A view kind without a rule in ``KINDS`` (a view a later Wagtail release adds, or one of
ours) fails ``test_every_viewset_url_has_an_expectation``: nobody ships a view without
deciding who may open it.

Roles: ``anonymous``; ``editor`` (Dissemination staff); ``kepala`` (Head of section);
``member`` (field team member of team 1, "team A"); ``admin`` (superuser).
"""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.snippets.models import get_snippet_models

from campaign.core.services import HEAD_OF_SECTION, roles_sync
from campaign.institutions.models import Assignment, CoordinationMeeting, GuidedSession
from tests.factories import ContactFactory, InstitutionFactory, UserFactory
from tests.http import drain
from tests.security.routes import PROJECT_APPS

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "editor", "kepala", "member", "admin")
L = "login"
DENIED = 302  # Wagtail's admin answers a missing model permission with a redirect home
HIDDEN = 404  # a row outside the user's scope does not exist for them

# What each role may do on each model: v(iew), a(dd), c(hange), d(elete). The intended
# access, written out; staff roles and the superuser may do everything listed for them.
STAFF = {
    "core.campaign": "vac",
    "core.region": "vc",  # the centre on the campaign map (the rest of the form is read-only)
    "core.office": "vacd",  # the province's staff (no office: province-wide) manage offices
    "institutions.institution": "vacd",
    "institutions.contact": "vacd",
    "institutions.mediapartner": "vacd",
    "institutions.institutionkind": "vacd",
    "institutions.team": "vacd",
    "institutions.guidedsession": "vacd",
    "institutions.assignment": "vacd",
    "institutions.coordinationmeeting": "vacd",
    "invitations.emailtemplate": "vacd",
    "invitations.lettertemplate": "vacd",
    "invitations.letter": "v",  # the register: letters are numbered by sending, never written
    "invitations.audience": "vacd",
    "invitations.batch": "vacd",
    "invitations.suppression": "vacd",
    "invitations.channelsuppression": "vacd",
    "invitations.recipient": "v",
    "invitations.trackingevent": "v",
    "invitations.outboxmessage": "v",
    # The personal-data log: the superuser (or a data protection officer given the
    # permission), not the campaign roles.
    "institutions.personaldatalog": "",
}
MEMBER = {
    "core.campaign": "v",  # the Rakorcam form names its campaign
    "core.region": "v",
    "institutions.institution": "v",
    "institutions.contact": "v",
    "institutions.mediapartner": "v",
    "institutions.institutionkind": "v",
    "institutions.team": "v",
    "institutions.guidedsession": "vac",
    "institutions.assignment": "va",
    "institutions.coordinationmeeting": "vac",
}
ALL = "vacd"
# Models nobody writes through the admin, the superuser included.
READ_ONLY = {"invitations.letter", "institutions.personaldatalog"}

# Models whose rows belong to a team: a member reaches team 1's rows, not team 2's.
TEAM_SCOPED = {
    "institutions.team",
    "institutions.guidedsession",
    "institutions.assignment",
    "institutions.coordinationmeeting",
    "institutions.contact",
}


def _any(access, letters):
    return bool(set(access) & set(letters))


# View kind → the status for a role holding ``access`` on the model (after the scope:
# an object outside it is a 404 whatever the kind). The chooser's kinds come last.
KINDS = {
    "list": lambda access: 200 if _any(access, "vacd") else DENIED,
    "list_results": lambda access: 200 if _any(access, "vacd") else DENIED,
    "add": lambda access: 200 if "a" in access else DENIED,
    "edit": lambda access: 200 if "c" in access else DENIED,
    "delete": lambda access: 200 if "d" in access else DENIED,
    "copy": lambda access: 200 if "a" in access else DENIED,
    "history": lambda access: 200 if _any(access, "acd") else DENIED,
    "history_results": lambda access: 200 if _any(access, "acd") else DENIED,
    "usage": lambda access: 200 if "c" in access else DENIED,
    "inspect": lambda access: 200 if _any(access, "vacd") else DENIED,
    # "New campaign from this one" (the campaign's own view): whoever may add campaigns
    # province-wide (a regency office's staff are refused: test_carryover_admin).
    "carry_over": lambda access: 200 if "a" in access else DENIED,
    # Choosers list (and return) only the rows the user may see: none without access.
    "choose": lambda access: 200,
    "choose_results": lambda access: 200,
    "chosen": lambda access: 200,
    "chosen_multiple": lambda access: 200,
    "create": lambda access: 200 if "a" in access else DENIED,
}
OBJECT_KINDS_NEED_SEEING = ("v", "c", "d")


def viewset_urls():
    """(model label, view kind, URL name, takes a pk) for every URL registered by the
    snippet ViewSet of each of our models and by its chooser ViewSet."""
    found = []
    for model in get_snippet_models():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        viewset = model.snippet_viewset
        for namespace, patterns in (
            (viewset.url_namespace, viewset.get_urlpatterns()),
            (viewset.chooser_viewset.url_namespace, viewset.chooser_viewset.get_urlpatterns()),
        ):
            for pattern in patterns:
                takes_pk = "<" in str(pattern.pattern)
                found.append((model._meta.label_lower, pattern.name, f"{namespace}:{pattern.name}", takes_pk))
    return found


def missing_expectations(urls):
    """URL names whose view kind has no rule, and models without an access row."""
    missing = [name for _label, kind, name, _pk in urls if kind not in KINDS]
    missing += [label for label, *_rest in urls if label not in STAFF]
    return sorted(set(missing))


def test_every_viewset_url_has_an_expectation():
    urls = viewset_urls()
    assert len({label for label, *_rest in urls}) >= 17
    assert missing_expectations(urls) == []


def test_the_completeness_check_catches_a_new_view():
    """A view Wagtail (or we) add to a ViewSet, e.g. ``export/<pk>/``, and a new snippet
    model, are reported until the table says who may open them."""
    urls = [
        *viewset_urls(),
        ("institutions.guidedsession", "export", "wagtailsnippets_institutions_guidedsession:export", True),
        ("institutions.newthing", "list", "wagtailsnippets_institutions_newthing:list", False),
    ]
    assert missing_expectations(urls) == [
        "institutions.newthing",
        "wagtailsnippets_institutions_guidedsession:export",
    ]


def expected(role, label, kind, takes_pk, own):
    if role == "anonymous":
        return L
    access = (
        ("v" if label in READ_ONLY else ALL)
        if role == "admin"
        else STAFF.get(label, "")
        if role in ("editor", "kepala")
        else MEMBER.get(label, "")
    )
    if takes_pk and kind not in ("chosen_multiple",):
        in_scope = own or role != "member" or label not in TEAM_SCOPED
        if not (in_scope and _any(access, OBJECT_KINDS_NEED_SEEING)):
            return HIDDEN
    return KINDS[kind](access)


@pytest.fixture
def other_team_objects(world):
    """Rows of team 2, for the ``other`` column of the scoped models."""
    team = world.teams[1]
    institution = InstitutionFactory(name="Kantor Lurah Oesapa", region=world.objects["region"])
    assignment = Assignment.objects.create(
        institution=institution, team=team, week=world.objects["assignment"].week
    )
    session = GuidedSession.objects.create(institution=institution, team=team, starts_at=timezone.now())
    meeting = CoordinationMeeting.objects.create(
        campaign=world.objects["campaign"], district=world.objects["region"], date=timezone.localdate()
    )
    meeting.teams.set([team])
    meeting.save()
    return {
        "institutions.team": team,
        "institutions.assignment": assignment,
        "institutions.guidedsession": session,
        "institutions.coordinationmeeting": meeting,
        "institutions.contact": ContactFactory(institution=institution),
    }


def _client(world, role):
    client = Client()
    if role == "kepala":
        client.force_login(UserFactory(username="kepala", groups=[roles_sync()[HEAD_OF_SECTION]]))
    elif role != "anonymous":
        client.force_login(world.users[role])
    return client


def _status(response):
    if response.status_code in (301, 302) and "/login/" in response.headers.get("Location", ""):
        return L
    return response.status_code


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_expected_status_on_every_viewset_url(world, other_team_objects, role):
    client = _client(world, role)
    mismatches = []
    for label, kind, name, takes_pk in viewset_urls():
        model_name = label.split(".")[1]
        variants = [("own", world.objects.get(model_name))]
        if label in TEAM_SCOPED:
            variants.append(("other", other_team_objects[label]))
        for variant, obj in variants:
            if takes_pk:
                assert obj is not None, f"the world has no {model_name}"
                url = reverse(name, kwargs={"pk": obj.pk})
            else:
                url = reverse(name)
            response = client.get(url)
            drain(response)
            want = expected(role, label, kind, takes_pk, variant == "own")
            got = _status(response)
            if got != want:
                mismatches.append(f"{name} ({variant}): expected {want}, got {got}")
    assert not mismatches, "\n".join(mismatches)
