"""A session keeps its user's permissions while their roles are unchanged, and reads them afresh
the moment they change, however they change."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bonehealth.accounts.models import Site, User
from bonehealth.accounts.roles import NURSE, PHYSICIAN
from bonehealth.accounts.services import user_update
from tests.conftest import login

pytestmark = pytest.mark.django_db
DASHBOARD = reverse("monitoring:dashboard")


def _permission_queries(client: Client, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        status = client.get(url).status_code
    return status, sum("auth_permission" in q["sql"] for q in queries)


def test_a_second_page_reads_no_permissions(physician: User) -> None:
    client = login(physician)
    assert _permission_queries(client, DASHBOARD) == (200, 0)  # kept at login
    assert _permission_queries(client, DASHBOARD) == (200, 0)


def test_a_role_change_applies_at_the_next_request(
    admin_user: User, physician: User, site: Site
) -> None:
    client = login(physician)
    assert client.get(DASHBOARD).status_code == 200
    physician.refresh_from_db()
    before = physician.permissions_version
    user_update(
        actor=admin_user,
        user=physician,
        values={},
        roles=[Group.objects.get(name=NURSE)],
        sites=[site],
    )
    assert _permission_queries(client, DASHBOARD)[0] == 403
    physician.refresh_from_db()
    assert physician.permissions_version > before  # not undone by the service's save()


def test_removal_from_the_other_side_and_clear_apply_at_once(physician: User) -> None:
    client = login(physician)
    group = Group.objects.get(name=PHYSICIAN)
    assert client.get(DASHBOARD).status_code == 200
    group.user_set.remove(physician)
    assert client.get(DASHBOARD).status_code == 403
    group.user_set.add(physician)
    assert client.get(DASHBOARD).status_code == 200
    group.user_set.clear()
    assert client.get(DASHBOARD).status_code == 403


def test_a_permission_taken_from_a_role_applies_at_once(physician: User) -> None:
    client = login(physician)
    group = Group.objects.get(name=PHYSICIAN)
    permission = Permission.objects.get(codename="view_dashboard")
    assert client.get(DASHBOARD).status_code == 200
    group.permissions.remove(permission)
    assert client.get(DASHBOARD).status_code == 403
    group.permissions.add(permission)
    assert client.get(DASHBOARD).status_code == 200
    permission.group_set.clear()
    assert client.get(DASHBOARD).status_code == 403


def test_a_permission_given_to_the_user_applies_at_once(nurse: User) -> None:
    client = login(nurse)
    assert client.get(DASHBOARD).status_code == 403
    nurse.user_permissions.add(Permission.objects.get(codename="view_dashboard"))
    assert client.get(DASHBOARD).status_code == 200
    Permission.objects.get(codename="view_dashboard").user_set.clear()
    assert client.get(DASHBOARD).status_code == 403
