"""Follow-up after a visit: the institution reports "X of Y staff done" through its
signed link; the latest report is its figure, and passing the threshold completes it."""

import datetime

import pytest
from django.core import signing
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from campaign.institutions import completion
from campaign.institutions.models import CompletionReport, Institution
from tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db


def _path(institution):
    return completion.completion_url(institution_id=institution.pk).removeprefix("http://127.0.0.1:8000")


@pytest.fixture
def institution(settings):
    settings.BASE_URL = "http://127.0.0.1:8000"
    settings.INSTITUTION_COMPLETION_THRESHOLD_PERCENT = 75
    return InstitutionFactory(
        name="Dinas Kesehatan Kota Kupang", status=Institution.Status.GUIDED, employees=48
    )


def test_forty_of_fifty_is_eighty_percent_and_completes_under_a_75_percent_threshold(institution):
    report = completion.completion_report_record(institution=institution, staff_completed=40, staff_total=50)
    institution.refresh_from_db()
    assert (institution.staff_completed, institution.staff_total) == (40, 50)
    assert institution.completion_percent == 80
    assert report.percent == 80
    assert institution.status == Institution.Status.COMPLETED_REPORTED
    assert institution.completion_reported_at == report.reported_at


def test_below_the_threshold_the_status_stays(institution, settings):
    settings.INSTITUTION_COMPLETION_THRESHOLD_PERCENT = 90
    completion.completion_report_record(institution=institution, staff_completed=40, staff_total=50)
    institution.refresh_from_db()
    assert institution.completion_percent == 80
    assert institution.status == Institution.Status.GUIDED


def test_a_second_report_replaces_the_first_and_the_first_stays_in_the_log(institution):
    earlier = timezone.now() - datetime.timedelta(days=2)
    completion.completion_report_record(
        institution=institution, staff_completed=10, staff_total=50, now=earlier
    )
    institution.refresh_from_db()
    assert institution.completion_percent == 20
    assert institution.status == Institution.Status.GUIDED
    completion.completion_report_record(institution=institution, staff_completed=45, staff_total=48)
    institution.refresh_from_db()
    assert (institution.staff_completed, institution.staff_total) == (45, 48)
    assert institution.status == Institution.Status.COMPLETED_REPORTED
    log = list(
        CompletionReport.objects.filter(institution=institution).values_list("staff_completed", "staff_total")
    )
    assert log == [(45, 48), (10, 50)]


def test_a_lower_correction_changes_the_figure_but_never_downgrades_the_status(institution):
    completion.completion_report_record(institution=institution, staff_completed=40, staff_total=50)
    completion.completion_report_record(institution=institution, staff_completed=30, staff_total=50)
    institution.refresh_from_db()
    assert institution.completion_percent == 60
    assert institution.status == Institution.Status.COMPLETED_REPORTED


@pytest.mark.parametrize(
    ("done", "total", "field"),
    [(51, 50, "staff_completed"), (0, 0, "staff_total"), (-1, 10, "staff_completed")],
)
def test_impossible_figures_are_refused_and_nothing_changes(institution, done, total, field):
    with pytest.raises(ValidationError) as error:
        completion.completion_report_record(institution=institution, staff_completed=done, staff_total=total)
    assert field in error.value.message_dict
    institution.refresh_from_db()
    assert institution.staff_total is None
    assert not CompletionReport.objects.exists()


def test_opening_the_link_changes_nothing_and_offers_the_known_staff_count(institution):
    page = Client().get(_path(institution))
    assert page.status_code == 200
    assert page["Cache-Control"].startswith("private") or "no-store" in page["Cache-Control"]
    html = page.content.decode()
    assert "Dinas Kesehatan Kota Kupang" in html
    assert 'name="staff_total" value="48"' in html
    assert not CompletionReport.objects.exists()


def test_reporting_through_the_link(institution):
    client = Client()
    response = client.post(_path(institution), {"staff_completed": "40", "staff_total": "50"})
    assert response.status_code == 302
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "40 dari 50" in html and "80%" in html
    institution.refresh_from_db()
    assert institution.status == Institution.Status.COMPLETED_REPORTED
    report = CompletionReport.objects.get()
    assert report.source == CompletionReport.Source.LINK and report.recorded_by is None


def test_a_report_of_more_staff_than_the_total_comes_back_with_the_error_in_indonesian(institution):
    response = Client().post(_path(institution), {"staff_completed": "60", "staff_total": "50"})
    assert response.status_code == 200
    assert "lebih banyak dari seluruh pegawai" in response.content.decode()
    assert not CompletionReport.objects.exists()


def test_a_broken_or_expired_link_gets_the_friendly_page(institution, settings):
    assert Client().get("/lapor-progres/bukan-token/").status_code == 404
    # An RSVP-purpose token does not open the report page.
    other = signing.dumps({"i": institution.pk}, salt="jemputbola.invitations.rsvp", compress=True)
    assert Client().get(f"/lapor-progres/{other}/").status_code == 404
    token = completion.completion_token(institution_id=institution.pk)
    later = timezone.now() + completion.COMPLETION.max_age + datetime.timedelta(days=1)
    from unittest import mock

    with mock.patch("django.core.signing.time.time", return_value=later.timestamp()):
        expired = Client().get(f"/lapor-progres/{token}/")
    assert expired.status_code == 410
    assert "kedaluwarsa" in expired.content.decode().lower()
