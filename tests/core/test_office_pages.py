"""Per-office sections of the site tree (issue 19): Wagtail's page permissions, through
the office-aware page permission policy. A regency office's staff write under their
office's section only; the province office's staff keep the whole site."""

import pytest
from django.test import Client
from django.urls import reverse
from wagtail.models import Page
from wagtail.permissions import policy_registry

from campaign.core.models import Office, OfficeMember
from campaign.core.offices import OfficePagePermissionPolicy
from campaign.core.services import DISSEMINATION_STAFF, HEAD_OF_SECTION, roles_sync
from tests.factories import NewsIndexPageFactory, NewsPageFactory, RegionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(home_page):
    groups = roles_sync()
    ntt = RegionFactory(code="53", name="Nusa Tenggara Timur")
    kupang = RegionFactory(code="5371", name="Kota Kupang", parent=ntt)
    sikka = RegionFactory(code="5310", name="Sikka", parent=ntt)
    province_news = NewsIndexPageFactory(parent=home_page, title="Berita", slug="berita")
    kupang_news = NewsIndexPageFactory(parent=home_page, title="Berita BPS Kota Kupang", slug="berita-kupang")
    province = Office.objects.create(code="5300", name="BPS Provinsi NTT")
    province.area.set([ntt])
    province.save()
    kupang_office = Office.objects.create(
        code="5371", name="BPS Kota Kupang", parent=province, section=kupang_news
    )
    kupang_office.area.set([kupang])
    kupang_office.save()
    sikka_office = Office.objects.create(code="5310", name="BPS Kabupaten Sikka", parent=province)
    sikka_office.area.set([sikka])
    sikka_office.save()
    users = {}
    for username, office, role in (
        ("staf_provinsi", province, DISSEMINATION_STAFF),
        ("staf_kupang", kupang_office, DISSEMINATION_STAFF),
        ("kepala_kupang", kupang_office, HEAD_OF_SECTION),
        ("staf_sikka", sikka_office, DISSEMINATION_STAFF),
    ):
        users[username] = UserFactory(username=username, groups=[groups[role]])
        OfficeMember.objects.create(office=office, user=users[username])
    return {
        "home": home_page,
        "province_news": province_news,
        "kupang_news": kupang_news,
        "province_post": NewsPageFactory(parent=province_news, title="Kabar provinsi"),
        "kupang_post": NewsPageFactory(parent=kupang_news, title="Kabar Kota Kupang"),
        "users": users,
        "sikka_office": sikka_office,
    }


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_wagtail_reads_page_permissions_through_the_office_policy():
    assert isinstance(policy_registry.get_by_type(Page), OfficePagePermissionPolicy)


def test_a_regency_office_writes_in_its_section_and_nowhere_else(tree):
    staff = tree["users"]["staf_kupang"]
    own, province = tree["kupang_post"], tree["province_post"]
    assert own.permissions_for_user(staff).can_edit()
    assert not province.permissions_for_user(staff).can_edit()
    assert tree["kupang_news"].permissions_for_user(staff).can_add_subpage()
    assert not tree["province_news"].permissions_for_user(staff).can_add_subpage()
    assert not tree["home"].permissions_for_user(staff).can_add_subpage()
    # Staff draft; they do not publish, in their section or elsewhere (their role).
    assert not own.permissions_for_user(staff).can_publish()

    client = _client(staff)
    assert client.get(reverse("wagtailadmin_pages:edit", args=[own.pk])).status_code == 200
    refused = client.get(reverse("wagtailadmin_pages:edit", args=[province.pk]))
    assert refused.status_code in (302, 403)
    add = reverse("wagtailadmin_pages:add", args=["news", "newspage", tree["province_news"].pk])
    assert client.get(add).status_code in (302, 403)
    add_own = reverse("wagtailadmin_pages:add", args=["news", "newspage", tree["kupang_news"].pk])
    assert client.get(add_own).status_code == 200


def test_a_regency_head_of_section_publishes_in_the_section_only(tree):
    head = tree["users"]["kepala_kupang"]
    assert tree["kupang_post"].permissions_for_user(head).can_publish()
    assert not tree["province_post"].permissions_for_user(head).can_publish()
    assert not tree["province_post"].permissions_for_user(head).can_unpublish()


def test_the_explorer_opens_at_the_section_and_lists_only_it(tree):
    staff = tree["users"]["staf_kupang"]
    policy = policy_registry.get_by_type(Page)
    assert policy.explorable_root_instance(staff).pk == tree["kupang_news"].pk
    explorable = set(policy.explorable_instances(staff).values_list("pk", flat=True))
    assert tree["kupang_post"].pk in explorable
    assert tree["province_post"].pk not in explorable
    assert tree["province_news"].pk not in explorable
    response = _client(staff).get(reverse("wagtailadmin_explore", args=[tree["kupang_news"].pk]))
    assert response.status_code == 200
    assert "Kabar Kota Kupang" in response.text
    assert "Kabar provinsi" not in response.text
    refused = _client(staff).get(reverse("wagtailadmin_explore", args=[tree["province_news"].pk]))
    assert refused.status_code in (302, 403)


def test_the_province_office_keeps_the_whole_site(tree):
    staff = tree["users"]["staf_provinsi"]
    for page in (tree["province_post"], tree["kupang_post"]):
        assert page.permissions_for_user(staff).can_edit()
    assert tree["home"].permissions_for_user(staff).can_add_subpage()


def test_a_regency_office_without_a_section_edits_no_page(tree):
    staff = tree["users"]["staf_sikka"]
    for page in (tree["province_post"], tree["kupang_post"], tree["home"]):
        assert not page.permissions_for_user(staff).can_edit()
    assert not policy_registry.get_by_type(Page).user_has_any_permission(staff, {"add", "change"})
    # Given a section, the same role applies there.
    tree["sikka_office"].section = tree["province_news"]
    tree["sikka_office"].save()
    staff = type(staff).objects.get(pk=staff.pk)  # a new request: a fresh permission cache
    assert tree["province_post"].permissions_for_user(staff).can_edit()
    assert not tree["kupang_post"].permissions_for_user(staff).can_edit()


def test_whom_a_page_concerns_leaves_out_other_offices_staff(tree):
    policy = policy_registry.get_by_type(Page)
    kupang = set(
        policy.users_with_permission_for_instance("change", tree["kupang_post"]).values_list(
            "username", flat=True
        )
    )
    province = set(
        policy.users_with_permission_for_instance("change", tree["province_post"]).values_list(
            "username", flat=True
        )
    )
    assert {"staf_provinsi", "staf_kupang", "kepala_kupang"} <= kupang
    assert "staf_sikka" not in kupang
    assert "staf_provinsi" in province
    assert not {"staf_kupang", "kepala_kupang", "staf_sikka"} & province
