import pytest
from django.contrib.auth.models import Group
from wagtail.models import GroupPagePermission

from campaign.core.services import (
    DISSEMINATION_STAFF,
    FIELD_TEAM,
    HEAD_OF_SECTION,
    ROLE_PERMISSIONS,
    roles_sync,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _page_codenames(group):
    return set(GroupPagePermission.objects.filter(group=group).values_list("permission__codename", flat=True))


def test_migrate_creates_the_role_groups():
    # The post_migrate hook ran when the test database was created.
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLE_PERMISSIONS)


def test_staff_draft_and_the_head_of_section_publishes():
    groups = roles_sync()
    assert _page_codenames(groups[DISSEMINATION_STAFF]) == {"add_page", "change_page"}
    assert "publish_page" in _page_codenames(groups[HEAD_OF_SECTION])
    assert _page_codenames(groups[FIELD_TEAM]) == set()


def test_roles_sync_removes_permissions_granted_by_hand():
    groups = roles_sync()
    field_team = groups[FIELD_TEAM]
    extra = groups[HEAD_OF_SECTION].permissions.get(codename="change_campaign")
    field_team.permissions.add(extra)

    roles_sync()

    assert not field_team.permissions.filter(codename="change_campaign").exists()
    assert field_team.permissions.filter(codename="access_admin").exists()


@pytest.mark.parametrize(
    ("group", "url", "expected"),
    [
        (DISSEMINATION_STAFF, "/admin/", 200),
        (DISSEMINATION_STAFF, "/admin/snippets/core/campaign/", 200),
        (DISSEMINATION_STAFF, "/admin/settings/core/campaignsettings/", 302),  # to its site
        (DISSEMINATION_STAFF, "/admin/users/", 302),  # no user management
        (FIELD_TEAM, "/admin/", 200),
        (FIELD_TEAM, "/admin/snippets/core/campaign/", 200),  # read only
        (FIELD_TEAM, "/admin/snippets/core/campaign/add/", 302),
        (None, "/admin/", 302),  # anonymous: to the login page
    ],
)
def test_admin_access_per_role(client, group, url, expected):
    groups = roles_sync()
    if group:
        client.force_login(UserFactory(groups=[groups[group]]))
    response = client.get(url)
    assert response.status_code == expected
    if group and expected == 302 and url == "/admin/users/":
        assert response["Location"] == "/admin/"
