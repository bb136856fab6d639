"""Personalised sheets: the institution's guiding team and planned session, packs for a
team's week, and the institution's materials page in the admin."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from campaign.core.services import DISSEMINATION_STAFF, FIELD_TEAM, roles_sync
from campaign.institutions.models import Assignment, GuidedSession, Team, week_start
from campaign.materials import codes, printing, selectors, services, tokens
from campaign.materials.models import GuidePack
from tests.factories import InstitutionFactory, ScanFactory, UserFactory
from tests.materials.pdftools import decode_qr, pdf_page_count, pdf_text, pdf_to_png

pytestmark = pytest.mark.django_db


@pytest.fixture
def soon():
    """09.00 WITA three days from now: a session still to come."""
    day = timezone.localdate() + datetime.timedelta(days=3)
    return datetime.datetime.combine(day, datetime.time(9), tzinfo=timezone.get_current_timezone())


@pytest.fixture
def team(campaign, regions):
    leader = UserFactory(username="tim3", first_name="Maria", last_name="Ndun")
    return Team.objects.create(
        campaign=campaign, name="Tim 3", area=regions["5371"], leader=leader, phone="0812 3456 7890"
    )


def _plan(institution, team, day, *, session_at=None, status=GuidedSession.Status.PLANNED, planned_date=None):
    Assignment.objects.create(
        institution=institution, team=team, week=week_start(day), planned_date=planned_date
    )
    if session_at is not None:
        GuidedSession.objects.create(institution=institution, team=team, starts_at=session_at, status=status)


def test_the_sheet_prints_the_team_and_the_next_planned_session(guide, institution, team, soon, tmp_path):
    _plan(institution, team, soon.date(), session_at=soon)

    personal = selectors.institution_personal(institution=institution)

    assert personal["team_contact"] == "Tim 3 · Maria Ndun · 0812 3456 7890"
    assert personal["session_date"] == soon
    with translation.override("id"):
        text = pdf_text(printing.sheet_pdf(guide=guide, institution=institution), tmp_path)
    assert "Tim 3 · Maria Ndun · 0812 3456 7890" in text
    assert f"{soon:%-d} " in text and "09.00" in text


def test_a_session_that_is_over_or_cancelled_is_not_announced(institution, team, soon):
    past = soon - datetime.timedelta(days=10)
    _plan(institution, team, past.date(), session_at=past)
    GuidedSession.objects.create(
        institution=institution, team=team, starts_at=soon, status=GuidedSession.Status.CANCELLED
    )

    personal = selectors.institution_personal(institution=institution)

    assert personal["team_contact"].startswith("Tim 3")  # the team of its latest plan
    assert "session_date" not in personal


def test_without_a_session_the_planned_day_of_the_visit_is_printed(institution, team, soon):
    _plan(institution, team, soon.date(), planned_date=soon.date())
    assert selectors.institution_personal(institution=institution)["session_date"] == soon.date()


def test_an_institution_without_a_plan_gets_blank_lines(institution):
    assert set(selectors.institution_personal(institution=institution)) == {
        "institution_name",
        "institution_region",
    }


def test_personal_values_of_a_batch_take_two_queries(regions, team, soon, django_assert_num_queries):
    institutions = [InstitutionFactory(region=regions["5371030"]) for _ in range(6)]
    for institution in institutions:
        _plan(institution, team, soon.date(), session_at=soon)
    with django_assert_num_queries(2):
        values = selectors.institutions_personal(institutions=institutions)
    assert all(value["team_contact"].startswith("Tim 3") for value in values.values())


def test_the_cached_sheet_changes_when_a_session_is_planned(guide, institution, team, soon, tmp_path):
    before = printing.sheet_pdf(guide=guide, institution=institution)
    assert "Tim 3" not in pdf_text(before, tmp_path)
    _plan(institution, team, soon.date(), session_at=soon)
    assert "Tim 3" in pdf_text(printing.sheet_pdf(guide=guide, institution=institution), tmp_path)


def test_a_pack_for_a_teams_week(guide, regions, team, soon, django_capture_on_commit_callbacks, tmp_path):
    mine = [InstitutionFactory(name=f"Instansi {letter}", region=regions["5371030"]) for letter in "CAB"]
    for index, institution in enumerate(mine):
        _plan(institution, team, soon.date(), session_at=soon + datetime.timedelta(hours=index))
    next_week = soon + datetime.timedelta(days=7)
    _plan(InstitutionFactory(name="Minggu depan", region=regions["5371030"]), team, next_week.date())

    with django_capture_on_commit_callbacks(execute=True):
        pack = services.guide_pack_start(guide=guide, team=team, week=soon.date(), size="a5")
    pack.refresh_from_db()

    assert (pack.status, pack.total, pack.week) == (GuidePack.Status.DONE, 3, week_start(soon.date()))
    assert "tim-3" in pack.file.name
    data = pack.file.read()
    pack.file.close()
    assert pdf_page_count(data, tmp_path) == 3
    text = pdf_text(data, tmp_path)
    assert text.index("Instansi A") < text.index("Instansi B") < text.index("Instansi C")
    assert "Minggu depan" not in text and text.count("Tim 3 · Maria Ndun") == 3
    first = pdf_to_png(data, tmp_path)[0]
    assert decode_qr(first) == [codes.for_institution(guide.pk, mine[1].pk).url]


def test_a_pack_is_for_a_region_or_a_team_week(guide, regions, team, soon):
    with pytest.raises(ValidationError):
        services.guide_pack_start(guide=guide)
    with pytest.raises(ValidationError):
        services.guide_pack_start(guide=guide, region=regions["5371030"], team=team, week=soon.date())
    with pytest.raises(ValidationError, match="week"):
        services.guide_pack_start(guide=guide, team=team)
    with pytest.raises(ValidationError, match="tidak memiliki instansi yang direncanakan"):
        services.guide_pack_start(guide=guide, team=team, week=soon.date())
    assert not GuidePack.objects.exists()


def test_staff_start_a_team_week_pack_in_the_admin(
    client, guide, regions, team, soon, django_capture_on_commit_callbacks
):
    _plan(InstitutionFactory(region=regions["5371030"]), team, soon.date(), session_at=soon)
    client.force_login(UserFactory(username="editor", groups=[roles_sync()[DISSEMINATION_STAFF]]))
    assert "Tim 3" in client.get(reverse("materials_packs")).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("materials_packs"),
            {"guide": guide.pk, "region": "", "team": team.pk, "week": soon.date().isoformat(), "size": "a4"},
        )
    pack = GuidePack.objects.get()
    assert response.status_code == 302 and pack.status == GuidePack.Status.DONE
    assert "Tim 3" in client.get(reverse("materials_pack", args=[pack.pk])).content.decode()

    both = client.post(
        reverse("materials_packs"),
        {"guide": guide.pk, "region": regions["5371030"].pk, "team": team.pk, "week": "", "size": "a4"},
    )
    assert both.status_code == 200 and "Pilih wilayah, atau tim dan minggu" in both.content.decode()
    assert GuidePack.objects.count() == 1


def test_the_institutions_materials_page_in_the_admin(client, guide, institution, team, soon):
    _plan(institution, team, soon.date(), session_at=soon)
    ScanFactory(guide=guide, material="i", institution=institution)
    url = reverse("materials_institution", args=[institution.pk])
    client.force_login(UserFactory(username="editor", groups=[roles_sync()[DISSEMINATION_STAFF]]))

    listing = client.get(reverse("wagtailsnippets_institutions_institution:list")).content.decode()
    assert url in listing  # a button in each institution's row
    inspect = reverse("wagtailsnippets_institutions_institution:inspect", args=[institution.pk])
    assert url in client.get(inspect).content.decode()

    with translation.override("en"):
        html = client.get(url).content.decode()
    assert institution.name in html and "Tim 3 · Maria Ndun" in html
    h1 = " ".join(re.search(r"<h1 [^>]*>(.*?)</h1>", html, re.S).group(1).split())
    assert h1.endswith(
        f'Lembar panduan dan kode QR <span class="w-header__subtitle">{institution.name}</span>'
    )
    assert f"{reverse('materials_institution_guide', args=[institution.pk])}?guide={guide.pk}" in html
    # The contacts' own download link: read back from the page and decoded (recomputing it
    # here would flake when a second boundary falls between the view and this line).
    prefix = reverse("materials:guide_download", args=["TOKEN"]).split("TOKEN")[0]
    [token] = re.findall(re.escape(prefix) + r"([^/\"]+)/", html)
    assert tokens.guide_token_read(token) == (guide.pk, institution.pk)
    assert "Semuanya 1 pindaian" in html

    client.force_login(UserFactory(username="tim1", groups=[roles_sync()[FIELD_TEAM]]))
    assert client.get(url).status_code == 200
    client.force_login(UserFactory(username="nobody"))
    assert client.get(url).status_code in (302, 403)
