"""The office dimension of the permission tables (issue 19): staff of one regency office
neither see nor change another office's rows, through any URL of any ViewSet, our own
views and the field app's API; their lists, choosers, exports and dashboard hold only
their area (counts checked); a regency office's batch never reaches another area.

The world (tests/security/conftest.py) lies in Kota Kupang (5371), BPS Kota Kupang's
area; this file adds BPS Kabupaten Sikka (5310) with one institution, contact and team,
and a dissemination staff member in each regency office."""

import csv
import io
import re

import pytest
from django.apps import apps
from django.test import Client
from django.urls import NoReverseMatch, reverse
from wagtail.snippets.models import get_snippet_models

from campaign.core.models import Office, OfficeMember
from campaign.core.services import DISSEMINATION_STAFF, roles_sync
from campaign.institutions.models import Institution
from campaign.institutions.policies import policy_for
from campaign.institutions.services import team_save
from campaign.invitations import services as invitation_services
from campaign.invitations.models import Audience, Recipient
from tests.factories import (
    ContactFactory,
    EmailTemplateFactory,
    InstitutionFactory,
    RegionFactory,
    UserFactory,
)
from tests.http import drain
from tests.security.routes import PROJECT_APPS
from tests.security.test_permissions import KWARGS, url_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def offices(world):
    groups = roles_sync()
    kupang_office = world.objects["office"]
    sikka_region = RegionFactory(code="5310", name="Sikka", parent=kupang_office.parent.area.get())
    sikka_district = RegionFactory(code="5310010", name="Alok", parent=sikka_region)
    sikka = Office.objects.create(code="5310", name="BPS Kabupaten Sikka", parent=kupang_office.parent)
    sikka.area.set([sikka_region])
    sikka.save()
    users = {
        "kupang": UserFactory(username="staf_kupang", groups=[groups[DISSEMINATION_STAFF]]),
        "sikka": UserFactory(username="staf_sikka", groups=[groups[DISSEMINATION_STAFF]]),
    }
    OfficeMember.objects.create(office=kupang_office, user=users["kupang"])
    OfficeMember.objects.create(office=sikka, user=users["sikka"])
    institution = InstitutionFactory(name="Kantor Bupati Sikka", region=sikka_district)
    contact = ContactFactory(institution=institution, email="bupati@sikka.example.org")
    team = team_save(campaign=world.objects["campaign"], name="Tim Sikka", area=sikka_region)
    return {
        "office": sikka,
        "users": users,
        "institution": institution,
        "contact": contact,
        "team": team,
    }


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _scoped_models():
    """Our snippet models whose policy has an area rule, with the world's row of each."""
    found = []
    for model in get_snippet_models():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        policy = policy_for(model)
        if getattr(policy, "region_paths", ()) or model._meta.label_lower == "core.office":
            found.append(model)
    return found


def test_every_model_with_rows_in_an_area_has_an_area_rule():
    labels = {model._meta.label_lower for model in _scoped_models()}
    assert {
        "core.office",
        "institutions.institution",
        "institutions.contact",
        "institutions.team",
        "institutions.assignment",
        "institutions.guidedsession",
        "institutions.coordinationmeeting",
        "invitations.audience",
        "invitations.batch",
        "invitations.recipient",
        "invitations.trackingevent",
        "invitations.letter",
    } <= labels


def _object_urls(model, pk):
    viewset = model.snippet_viewset
    for namespace, patterns in (
        (viewset.url_namespace, viewset.get_urlpatterns()),
        (viewset.chooser_viewset.url_namespace, viewset.chooser_viewset.get_urlpatterns()),
    ):
        for pattern in patterns:
            if "<" in str(pattern.pattern):
                name = f"{namespace}:{pattern.name}"
                yield name, reverse(name, kwargs={"pk": pk})


def test_another_offices_objects_are_never_shown_by_any_viewset_url(world, offices):
    """Sikka's staff on every object URL of every scoped ViewSet (and chooser), for the
    world's Kota Kupang rows: 403/404 (a missing permission redirects), never the row."""
    sikka, kupang = _client(offices["users"]["sikka"]), _client(offices["users"]["kupang"])
    leaks, checked = [], 0
    for model in _scoped_models():
        obj = world.objects[model._meta.model_name]
        for name, url in _object_urls(model, obj.pk):
            response = sikka.get(url)
            body = drain(response).decode(errors="replace")
            checked += 1
            if response.status_code not in (302, 403, 404) or str(obj) in body:
                leaks.append(f"{name}: {response.status_code}")
        # Their own office's staff reach the same row.
        inspect_or_edit = "edit" if model._meta.label_lower != "core.office" else "edit"
        own = kupang.get(reverse(f"{model.snippet_viewset.url_namespace}:{inspect_or_edit}", args=[obj.pk]))
        drain(own)
        if model._meta.label_lower in (
            "invitations.recipient",
            "invitations.trackingevent",
            "invitations.letter",
        ):
            continue  # read-only: no edit view
        expected = 302 if model._meta.label_lower == "core.office" else 200  # offices: the province's
        assert own.status_code == expected, f"{model._meta.label_lower}: {own.status_code}"
    assert checked > 60
    assert leaks == []


# The world's rows that lie in an area (Kota Kupang's).
AREA_ROWS = {
    "institution",
    "contact",
    "team",
    "assignment",
    "guidedsession",
    "coordinationmeeting",
    "batch",
    "audience",
    "recipient",
    "pack",
    "letter",
    "letter_batch",
}


def _names_an_area_row(value):
    """Whether a KWARGS value is ``_o(name)`` of one of the world's area rows."""
    cells = getattr(value, "__closure__", None) or ()
    return any(cell.cell_contents in AREA_ROWS for cell in cells if isinstance(cell.cell_contents, str))


# Our own views that name a row of an area, read from the permission table's KWARGS.
OWN_VIEWS = sorted(
    name
    for name, spec in KWARGS.items()
    if isinstance(spec, dict)
    and not name.startswith("wagtailsnippets_")
    and any(_names_an_area_row(value) for value in spec.values())
)


def test_our_own_views_refuse_another_offices_rows(world, offices):
    """Every project URL naming a row (from the permission table's KWARGS), requested by
    Sikka's staff for the world's Kota Kupang rows: 403/404/405 (or a redirect for a
    missing permission), never the row's name."""
    assert {"invitations_batch_report", "institutions_contact_erase", "materials_institution"} <= set(
        OWN_VIEWS
    )
    sikka, kupang = _client(offices["users"]["sikka"]), _client(offices["users"]["kupang"])
    institution = world.objects["institution"]
    leaks = []
    for name in OWN_VIEWS:
        url = url_for(world, name)
        response = sikka.get(url)
        body = drain(response).decode(errors="replace")
        if response.status_code not in (302, 403, 404, 405) or institution.name in body:
            leaks.append(f"{name}: {response.status_code}")
    assert leaks == []
    for name in ("invitations_batch_report", "materials_institution", "invitations_institution_history"):
        response = kupang.get(url_for(world, name))
        drain(response)
        assert response.status_code == 200, name


def _rows(body):
    return re.findall(r"Kantor Bupati Sikka|Dinas Kependudukan Kota Kupang", body)


def test_lists_choosers_and_exports_hold_only_the_offices_area(world, offices):
    sikka_user = offices["users"]["sikka"]
    client = _client(sikka_user)
    assert policy_for(Institution).visible_to(sikka_user).count() == 1
    assert (
        policy_for(Institution).visible_to(offices["users"]["kupang"]).count()
        == Institution.objects.count() - 1
    )
    listing = drain(client.get(reverse("wagtailsnippets_institutions_institution:list"))).decode()
    assert set(_rows(listing)) == {"Kantor Bupati Sikka"}
    chooser = drain(client.get(reverse("wagtailsnippetchoosers_institutions_institution:choose"))).decode()
    assert set(_rows(chooser)) == {"Kantor Bupati Sikka"}
    response = client.get(reverse("wagtailsnippets_institutions_institution:list") + "?export=csv")
    rows = list(csv.reader(io.StringIO(drain(response).decode("utf-8-sig"))))
    assert response.status_code == 200
    assert len(rows) == 2 and rows[1][1] == "Kantor Bupati Sikka"
    # Contacts: the export has Sikka's one contact.
    response = client.get(reverse("wagtailsnippets_institutions_contact:list") + "?export=csv")
    text = drain(response).decode("utf-8-sig")
    assert "bupati@sikka.example.org" in text
    assert world.objects["contact"].email not in text
    assert len(list(csv.reader(io.StringIO(text)))) == 2
    # Teams: Sikka's one team; the world's Kota Kupang teams are not listed.
    teams = drain(client.get(reverse("wagtailsnippets_institutions_team:list"))).decode()
    assert "Tim Sikka" in teams and "Tim 1" not in teams
    # Reports.
    report = drain(client.get(reverse("institutions_report_not_reached_results"))).decode()
    assert set(_rows(report)) == {"Kantor Bupati Sikka"}
    performance = drain(client.get(reverse("institutions_report_team_performance_results"))).decode()
    assert "Tim Sikka" in performance and "Tim 1" not in performance


def test_the_dashboard_of_a_regency_office_shows_only_its_area(world, offices):
    body = drain(_client(offices["users"]["sikka"]).get(reverse("institutions_dashboard"))).decode()
    assert "Tim Sikka" in body and "Tim 1" not in body and "Tim 2" not in body
    assert 'id="offices"' not in body
    kupang = drain(_client(offices["users"]["kupang"]).get(reverse("institutions_dashboard"))).decode()
    assert "Tim 1" in kupang and "Tim Sikka" not in kupang


def test_the_province_dashboard_rolls_figures_up_by_office(world, offices):
    from campaign.institutions.dashboard import dashboard_data

    data = dashboard_data(campaign=world.objects["campaign"], area_user=world.users["editor"])
    rows = {row.office.code: row for row in data.offices}
    assert set(rows) == {"5371", "5310"}
    assert (rows["5371"].teams, rows["5371"].institutions) == (2, Institution.objects.count() - 1)
    assert (rows["5310"].teams, rows["5310"].institutions) == (1, 1)
    body = drain(_client(world.users["editor"]).get(reverse("institutions_dashboard"))).decode()
    assert 'id="offices"' in body and "BPS Kabupaten Sikka" in body


def test_a_regency_offices_batch_reaches_only_its_area(world, offices):
    """Even with an audience of the whole province (made by the province), a batch of
    Sikka's staff has Sikka's contact as its only recipient."""
    sikka_user = offices["users"]["sikka"]
    province_audience = Audience.objects.create(name="Semua institusi")  # no office: the province's
    own_audience = invitation_services.audience_save(name="Institusi Sikka", user=sikka_user)
    assert own_audience.office == offices["office"]
    for audience in (province_audience, own_audience):
        batch = invitation_services.batch_create(
            template=EmailTemplateFactory(),
            audience=audience,
            name=f"Undangan {audience.pk}",
            user=sikka_user,
        )
        assert batch.office == offices["office"]
        invitation_services.batch_start(batch=batch, user=sikka_user)
        recipients = Recipient.objects.filter(batch=batch)
        assert list(recipients.values_list("contact_id", flat=True)) == [offices["contact"].pk]
        assert not recipients.exclude(institution=offices["institution"]).exists()
    # The same province audience sent by the province reaches both areas.
    batch = invitation_services.batch_create(
        template=EmailTemplateFactory(),
        audience=province_audience,
        name="Provinsi",
        user=world.users["editor"],
    )
    invitation_services.batch_start(batch=batch, user=world.users["editor"])
    reached = set(Recipient.objects.filter(batch=batch).values_list("contact_id", flat=True))
    assert {offices["contact"].pk, world.objects["contact"].pk} <= reached


def test_a_regency_editor_cannot_pick_another_areas_team_or_audience_on_the_batch_form(world, offices):
    from campaign.invitations.models import Batch

    client = _client(offices["users"]["sikka"])
    own_audience = invitation_services.audience_save(name="Institusi Sikka", user=offices["users"]["sikka"])
    template = world.objects["emailtemplate"]
    url = reverse("wagtailsnippets_invitations_batch:add")
    base = {"name": "Undangan", "template": template.pk, "rate_per_minute": 600, "chunk_size": 100}
    base["max_consecutive_errors"] = 5
    before = Batch.objects.count()
    for changes in (
        {"audience": world.objects["audience"].pk, "team": offices["team"].pk},  # Kota Kupang's audience
        {"audience": own_audience.pk, "team": world.teams[0].pk},  # a Kota Kupang team
    ):
        response = client.post(url, {**base, **changes})
        drain(response)
        assert response.status_code == 200, changes  # the form again, with the error
    assert Batch.objects.count() == before
    response = client.post(url, {**base, "audience": own_audience.pk, "team": offices["team"].pk})
    drain(response)
    assert response.status_code == 302
    assert Batch.objects.get(name="Undangan").office == offices["office"]


def test_the_office_tree_is_the_provinces_to_manage(world, offices):
    sikka = _client(offices["users"]["sikka"])
    own = offices["office"]
    assert sikka.get(reverse("wagtailsnippets_core_office:edit", args=[own.pk])).status_code == 302
    listing = drain(sikka.get(reverse("wagtailsnippets_core_office:list"))).decode()
    assert "BPS Kabupaten Sikka" in listing and "BPS Kota Kupang" not in listing
    # A regency's staff cannot move themselves into the province office.
    response = sikka.post(reverse("wagtailsnippets_core_office:add"), {"name": "X", "code": "5399"})
    assert response.status_code == 302 and not Office.objects.filter(code="5399").exists()
    editor = _client(world.users["editor"])
    assert editor.get(reverse("wagtailsnippets_core_office:edit", args=[own.pk])).status_code == 200


def test_the_field_app_api_of_a_regency_office(world, offices):
    """A field team member of Sikka's team reaches only their week; the world's session
    (Kota Kupang, team 1) is not theirs: 404 on the session endpoint."""
    member = UserFactory(username="anggota_sikka", groups=[roles_sync()["Field team"]])
    OfficeMember.objects.create(office=offices["office"], user=member)
    team = offices["team"]
    team.members.set([member])
    team.save()
    client = _client(member)
    week = drain(client.get(reverse("fieldapp:api_week"))).decode()
    assert world.objects["institution"].name not in week
    response = client.patch(
        reverse("fieldapp:api_session", args=[world.objects["guidedsession"].pk]),
        data="{}",
        content_type="application/json",
    )
    assert response.status_code in (403, 404)


def test_the_model_labels_are_ours():
    assert apps.get_model("core", "office") is Office


def test_an_import_by_a_regency_office_neither_places_nor_changes_rows_outside_its_area(world, offices):
    from django.utils import translation

    from campaign.institutions.imports import institutions_import

    kupang = world.objects["institution"]
    kupang.external_id = "KPG-1"
    kupang.save()
    kind = kupang.kind.name
    header = "external_id,name,kind,region_code"
    rows = [
        f",Kantor Camat Alok,{kind},5310010",  # in Sikka's area
        f",Kantor Lurah Oebobo,{kind},5371010",  # Kota Kupang's district
        f"KPG-1,Dinas Baru,{kind},5310010",  # Kota Kupang's institution, moved into Sikka
    ]
    content = ("\r\n".join([header, *rows]) + "\r\n").encode()
    with translation.override("en"):
        result = institutions_import(
            content=content, filename="a.csv", source="uji", user=offices["users"]["sikka"]
        )
    assert [(error.row, error.column) for error in result.errors] == [(3, "region_code")]
    with translation.override("en"):
        result = institutions_import(
            content=("\r\n".join([header, rows[0], rows[2]]) + "\r\n").encode(),
            filename="a.csv",
            source="uji",
            user=offices["users"]["sikka"],
        )
    assert [(error.row, error.column) for error in result.errors] == [(3, "external_id")]
    kupang.refresh_from_db()
    assert (kupang.name, kupang.region.code) == ("Dinas Kependudukan Kota Kupang", "5371010")
    assert not Institution.objects.filter(name__in=["Kantor Camat Alok", "Kantor Lurah Oebobo"]).exists()


def test_a_regency_editor_places_an_institution_only_in_their_area(world, offices):
    client = _client(offices["users"]["sikka"])
    url = reverse("wagtailsnippets_institutions_institution:add")
    kind = world.objects["institution"].kind_id
    data = {"name": "Kantor Baru", "kind": kind, "status": "not_contacted"}
    response = client.post(url, {**data, "region": world.objects["region"].pk})
    drain(response)
    assert response.status_code == 200  # the form again: Kota Kupang's district is no choice
    assert not Institution.objects.filter(name="Kantor Baru").exists()
    sikka_district = offices["institution"].region
    response = client.post(url, {**data, "region": sikka_district.pk})
    drain(response)
    assert response.status_code == 302
    assert Institution.objects.get(name="Kantor Baru").region == sikka_district


def test_the_suppression_lists_and_the_outbox_are_the_provinces_only(world, offices):
    """They lie in no region but hold every office's contacts: a regency office's staff
    neither list, export, open, change nor delete them (nor see them in the menu); the
    province's staff do."""
    from campaign.invitations.models import ChannelSuppression, OutboxMessage, Suppression

    sikka = _client(offices["users"]["sikka"])
    province = _client(world.users["editor"])
    rows = {
        "suppression": world.objects["suppression"],
        "channelsuppression": world.objects["channelsuppression"],
        "outboxmessage": world.objects["outboxmessage"],
    }
    for name, row in rows.items():
        namespace = f"wagtailsnippets_invitations_{name}"
        urls = [reverse(f"{namespace}:list"), reverse(f"{namespace}:list") + "?export=csv"]
        for action in ("edit", "delete", "inspect"):
            try:
                urls.append(reverse(f"{namespace}:{action}", args=[row.pk]))
            except NoReverseMatch:
                pass  # the Outbox is read-only
        for url in urls:
            response = sikka.get(url)
            body = drain(response).decode(errors="replace")
            assert response.status_code in (302, 403, 404), (url, response.status_code)
            assert str(row) not in body, url
        assert drain(province.get(reverse(f"{namespace}:list"))).decode().count(str(row)) >= 1
    response = sikka.post(
        reverse("wagtailsnippets_invitations_suppression:delete", args=[rows["suppression"].pk])
    )
    assert response.status_code in (302, 403, 404)
    assert Suppression.objects.filter(pk=rows["suppression"].pk).exists()
    assert ChannelSuppression.objects.filter(pk=rows["channelsuppression"].pk).exists()
    assert sikka.get(reverse("invitations_outbox_html", args=[rows["outboxmessage"].pk])).status_code in (
        302,
        403,
    )
    assert (
        province.get(reverse("invitations_outbox_html", args=[rows["outboxmessage"].pk])).status_code == 200
    )
    menu = drain(sikka.get(reverse("wagtailadmin_home"))).decode()
    assert "/admin/snippets/invitations/suppression/" not in menu
    assert "/admin/snippets/invitations/outboxmessage/" not in menu
    assert OutboxMessage.objects.filter(pk=rows["outboxmessage"].pk).exists()
