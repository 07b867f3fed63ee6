"""User administration by admins: list, create, re-role, (de)activate, reset; all audited.

An administrator can never raise their own privileges.
"""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bonehealth.accounts.models import Site, User
from bonehealth.audit.models import AuditAction, AuditEvent
from tests.conftest import login
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _group(name: str) -> int:
    return Group.objects.get(name=name).pk


def test_list_searches_and_filters_active_and_inactive(
    admin_client_: Client, nurse: User, physician: User
) -> None:
    UserFactory(username="gone", first_name="Gone", is_active=False)
    url = reverse("accounts:user_list")
    names = [u.username for u in admin_client_.get(url).context["page"]]
    assert names == ["admin", "nurse", "physician"]
    assert [u.username for u in admin_client_.get(url, {"q": "phys"}).context["page"]] == [
        "physician"
    ]
    inactive = admin_client_.get(url, {"status": "inactive"}).context["page"]
    assert [u.username for u in inactive] == ["gone"]
    assert len(admin_client_.get(url, {"status": "all"}).context["page"]) == 4


def test_list_query_count_does_not_grow_with_users(admin_client_: Client, site: Site) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert admin_client_.get(reverse("accounts:user_list")).status_code == 200
        return len(queries)

    UserFactory(role="nurse", sites=[site])
    few = count()
    for _ in range(15):
        UserFactory(role="physician", sites=[site])
    assert count() == few


def test_create_with_roles_and_sites_and_a_generated_password_shown_once(
    admin_client_: Client, admin_user: User, site: Site
) -> None:
    response = admin_client_.post(
        reverse("accounts:user_create"),
        {
            "username": "newnurse",
            "first_name": "New",
            "last_name": "Nurse",
            "email": "new@example.org",
            "roles": [_group("nurse")],
            "sites": [site.pk],
        },
    )
    assert response.status_code == 200
    password = response.context["password"]
    assert len(password) >= 12
    assert password in response.text
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    user = User.objects.get(username="newnurse")
    assert user.check_password(password)
    assert user.must_change_password
    assert user.has_perm("patients.view_patient")
    assert list(user.sites.all()) == [site]
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="accounts.user")
    assert event.actor == admin_user
    assert event.changes["roles"] == ["nurse"]
    assert event.changes["sites"] == ["north"]
    assert password not in str(event.changes)
    # The new user must change the password at first login.
    fresh = Client()
    fresh.post(reverse("accounts:login"), {"username": "newnurse", "password": password})
    assert fresh.get(reverse("patients:list"))["Location"] == reverse("accounts:password_change")


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short-pass1", "at least 12 characters"),
        ("password1234", "too common"),
        ("739184620573", "entirely numeric"),
    ],
)
def test_create_refuses_weak_typed_passwords(
    admin_client_: Client, password: str, message: str
) -> None:
    response = admin_client_.post(
        reverse("accounts:user_create"),
        {
            "username": "weak",
            "roles": [_group("nurse")],
            "password1": password,
            "password2": password,
        },
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["password1"])
    assert not User.objects.filter(username="weak").exists()


def test_create_with_a_typed_password(admin_client_: Client) -> None:
    response = admin_client_.post(
        reverse("accounts:user_create"),
        {
            "username": "typed",
            "roles": [_group("physician")],
            "password1": "a chosen long passphrase",
            "password2": "a chosen long passphrase",
        },
    )
    user = User.objects.get(username="typed")
    assert response["Location"] == reverse("accounts:user_update", args=[user.pk])
    assert user.check_password("a chosen long passphrase")
    assert user.must_change_password


def test_change_roles_and_sites_is_audited_with_the_fields_changed(
    admin_client_: Client, admin_user: User, nurse: User, site: Site, other_site: Site
) -> None:
    response = admin_client_.post(
        reverse("accounts:user_update", args=[nurse.pk]),
        {
            "first_name": "Nora",
            "last_name": "",
            "email": "",
            "roles": [_group("physician")],
            "sites": [site.pk, other_site.pk],
        },
    )
    assert response.status_code == 302
    nurse.refresh_from_db()
    assert nurse.has_perm("patients.end_follow_up")
    assert set(nurse.sites.all()) == {site, other_site}
    event = AuditEvent.objects.get(action=AuditAction.CHANGE, object_id=str(nurse.pk))
    assert event.actor == admin_user
    assert event.changes == {
        "first_name": ["", "Nora"],
        "roles": [["nurse"], ["physician"]],
        "sites": [["north"], ["elsewhere", "north"]],
    }


def test_an_admin_cannot_change_their_own_roles_or_sites(
    admin_client_: Client, admin_user: User, site: Site, other_site: Site
) -> None:
    url = reverse("accounts:user_update", args=[admin_user.pk])
    form = admin_client_.get(url).context["form"]
    assert form.fields["roles"].disabled
    assert form.fields["sites"].disabled
    # A crafted POST granting themselves a clinical role and another site changes nothing.
    admin_client_.post(
        url,
        {
            "first_name": "Adam",
            "roles": [_group("admin"), _group("physician")],
            "sites": [site.pk, other_site.pk],
        },
    )
    admin_user.refresh_from_db()
    assert [g.name for g in admin_user.groups.all()] == ["admin"]
    assert list(admin_user.sites.all()) == [site]
    assert admin_user.first_name == "Adam"  # their own name they may change
    assert not User.objects.get(pk=admin_user.pk).has_perm("patients.view_patient")


def test_the_service_refuses_self_promotion_even_without_the_form(
    admin_user: User, site: Site
) -> None:
    from django.core.exceptions import PermissionDenied

    from bonehealth.accounts import services

    with pytest.raises(PermissionDenied):
        services.user_update(
            actor=admin_user,
            user=admin_user,
            values={},
            roles=list(Group.objects.filter(name__in=["admin", "physician"])),
            sites=[site],
        )
    assert not User.objects.get(pk=admin_user.pk).has_perm("patients.view_patient")


def test_an_admin_cannot_deactivate_or_reset_themselves(
    admin_client_: Client, admin_user: User
) -> None:
    assert (
        admin_client_.post(reverse("accounts:user_deactivate", args=[admin_user.pk])).status_code
        == 403
    )
    response = admin_client_.post(reverse("accounts:user_password_reset", args=[admin_user.pk]), {})
    assert response.status_code == 403
    admin_user.refresh_from_db()
    assert admin_user.is_active
    assert not admin_user.must_change_password


def test_an_admin_cannot_change_a_superuser(admin_client_: Client) -> None:
    root = UserFactory(username="root", is_superuser=True)
    assert (
        admin_client_.post(reverse("accounts:user_deactivate", args=[root.pk])).status_code == 403
    )
    assert (
        admin_client_.post(reverse("accounts:user_password_reset", args=[root.pk]), {}).status_code
        == 403
    )
    root.refresh_from_db()
    assert root.is_active


def test_the_django_admin_site_is_read_only_for_admins(
    admin_client_: Client, admin_user: User
) -> None:
    url = reverse("admin:accounts_user_change", args=[admin_user.pk])
    response = admin_client_.post(url, {"username": "admin", "groups": [_group("physician")]})
    assert response.status_code == 403
    assert not User.objects.get(pk=admin_user.pk).has_perm("patients.view_patient")
    assert admin_client_.get(reverse("admin:accounts_user_add")).status_code == 403


def test_deactivate_and_reactivate_never_delete_and_are_audited(
    admin_client_: Client, nurse: User
) -> None:
    nurse_session = login(nurse, Client())
    admin_client_.post(reverse("accounts:user_deactivate", args=[nurse.pk]))
    nurse.refresh_from_db()
    assert not nurse.is_active
    assert nurse_session.get(reverse("patients:list")).status_code == 302  # logged out
    admin_client_.post(reverse("accounts:user_reactivate", args=[nurse.pk]))
    nurse.refresh_from_db()
    assert nurse.is_active
    changes = [
        event.changes for event in AuditEvent.objects.filter(object_id=str(nurse.pk)).order_by("id")
    ]
    assert changes == [{"is_active": [True, False]}, {"is_active": [False, True]}]


def test_reset_password_generated_then_forced_change(admin_client_: Client, nurse: User) -> None:
    response = admin_client_.post(reverse("accounts:user_password_reset", args=[nurse.pk]), {})
    password = response.context["password"]
    nurse.refresh_from_db()
    assert nurse.check_password(password)
    assert nurse.must_change_password
    event = AuditEvent.objects.get(object_id=str(nurse.pk), action=AuditAction.CHANGE)
    assert event.changes == {
        "password": "reset by administrator",
        "must_change_password": [False, True],
    }
    assert password not in str(event.changes)
    client = Client()
    client.post(reverse("accounts:login"), {"username": "nurse", "password": password})
    assert client.get(reverse("patients:list"))["Location"] == reverse("accounts:password_change")
    client.post(
        reverse("accounts:password_change"),
        {
            "old_password": password,
            "new_password1": "my own long passphrase",
            "new_password2": "my own long passphrase",
        },
    )
    assert client.get(reverse("patients:list")).status_code == 200
    nurse.refresh_from_db()
    assert not nurse.must_change_password


def test_reset_password_typed_is_validated(admin_client_: Client, nurse: User) -> None:
    url = reverse("accounts:user_password_reset", args=[nurse.pk])
    response = admin_client_.post(url, {"password1": "short", "password2": "short"})
    assert "at least 12 characters" in str(response.context["form"].errors)
    response = admin_client_.post(
        url, {"password1": "a chosen long passphrase", "password2": "a chosen long passphrase"}
    )
    assert response.status_code == 302
    nurse.refresh_from_db()
    assert nurse.check_password("a chosen long passphrase")
    assert nurse.must_change_password
