"""An administrator grants only the sites they administer (their own) and never reaches beyond them.

Issue 14: an admin created a physician at a site they do not work at and read its records. Every
test here acts as the attacker would (forged POSTs, direct service calls) and asserts the database.
"""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from bonehealth.accounts import services
from bonehealth.accounts.models import Site, User
from bonehealth.audit.models import AuditAction, AuditEvent
from tests.conftest import login
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _group(name: str) -> Group:
    return Group.objects.get(name=name)


def _sites(user: User) -> set[str]:
    return set(User.objects.get(pk=user.pk).sites.values_list("code", flat=True))


def _admin(username: str, site: Site) -> User:
    user = UserFactory(username=username, role="admin", sites=[site])
    TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    return user


@pytest.fixture
def shared_nurse(site: Site, other_site: Site) -> User:
    """A nurse at the admin's site and at another site the admin does not administer."""
    return UserFactory(username="shared", role="nurse", sites=[site, other_site])


def test_the_forms_offer_only_the_admins_own_sites(
    admin_client_: Client, nurse: User, site: Site, other_site: Site
) -> None:
    for url in [reverse("accounts:user_create"), reverse("accounts:user_update", args=[nurse.pk])]:
        form = admin_client_.get(url).context["form"]
        assert list(form.fields["sites"].queryset) == [site]


def test_a_forged_create_at_another_site_writes_nothing(
    admin_client_: Client, other_site: Site, mailoutbox: list[EmailMessage]
) -> None:
    response = admin_client_.post(
        reverse("accounts:user_create"),
        {
            "username": "dr.elsewhere",
            "email": "me@example.org",
            "roles": [_group("physician").pk],
            "sites": [other_site.pk],
        },
    )
    assert response.status_code == 200
    assert "sites" in response.context["form"].errors
    assert not User.objects.filter(username="dr.elsewhere").exists()
    assert not AuditEvent.objects.filter(object_type="accounts.user").exists()
    assert mailoutbox == []


def test_the_service_refuses_another_sites_grant_without_the_form(
    admin_user: User, nurse: User, other_site: Site
) -> None:
    with pytest.raises(PermissionDenied):
        services.user_create(
            actor=admin_user,
            values={"username": "dr.elsewhere", "email": "me@example.org"},
            roles=[_group("physician")],
            sites=[other_site],
        )
    with pytest.raises(PermissionDenied):
        services.user_update(
            actor=admin_user,
            user=nurse,
            values={},
            roles=[_group("nurse")],
            sites=[other_site],
            expected_version=nurse.version,
        )
    assert not User.objects.filter(username="dr.elsewhere").exists()
    assert _sites(nurse) == {"north"}
    assert not AuditEvent.objects.exists()


def test_a_forged_update_adding_another_site_changes_nothing(
    admin_client_: Client, nurse: User, site: Site, other_site: Site
) -> None:
    response = admin_client_.post(
        reverse("accounts:user_update", args=[nurse.pk]),
        {
            "email": nurse.email,
            "roles": [_group("nurse").pk],
            "sites": [site.pk, other_site.pk],
            "version": nurse.version,
        },
    )
    assert response.status_code == 200
    assert _sites(nurse) == {"north"}
    assert not AuditEvent.objects.filter(object_type="accounts.user").exists()


def test_for_a_user_also_elsewhere_only_the_admins_own_sites_change(
    admin_client_: Client, shared_nurse: User
) -> None:
    url = reverse("accounts:user_update", args=[shared_nurse.pk])
    form = admin_client_.get(url).context["form"]
    assert all(form.fields[name].disabled for name in ("roles", "email", "first_name"))
    # Forged: a clinical role, the attacker's e-mail (to send themselves a reset link), and no
    # sites. Only the removal of the admin's own site happens; the other site stays.
    admin_client_.post(
        url,
        {
            "first_name": "Mallory",
            "email": "attacker@example.org",
            "roles": [_group("physician").pk],
            "sites": [],
            "version": shared_nurse.version,
        },
    )
    shared_nurse.refresh_from_db()
    assert shared_nurse.email == "shared@example.org"
    assert shared_nurse.first_name == ""
    assert [g.name for g in shared_nurse.groups.all()] == ["nurse"]
    assert _sites(shared_nurse) == {"elsewhere"}
    event = AuditEvent.objects.get(object_id=str(shared_nurse.pk))
    assert event.changes == {
        "sites": [["elsewhere", "north"], ["elsewhere"]],
        "version": [1, 2],
        "at_sites": "elsewhere, north",
    }


def test_the_service_refuses_account_wide_changes_to_a_user_also_elsewhere(
    admin_user: User, shared_nurse: User, site: Site
) -> None:
    for values, roles in [
        ({}, [_group("physician")]),
        ({"email": "attacker@example.org"}, [_group("nurse")]),
    ]:
        with pytest.raises(PermissionDenied):
            services.user_update(
                actor=admin_user,
                user=shared_nurse,
                values=values,
                roles=roles,
                sites=[site],
                expected_version=shared_nurse.version,
            )
    for call in (
        lambda: services.user_set_active(actor=admin_user, user=shared_nurse, active=False),
        lambda: services.user_password_reset(actor=admin_user, user=shared_nurse),
    ):
        with pytest.raises(PermissionDenied):
            call()
    shared_nurse.refresh_from_db()
    assert shared_nurse.email == "shared@example.org"
    assert shared_nurse.is_active
    assert shared_nurse.check_password("correct-horse-battery")
    assert not shared_nurse.has_perm("patients.end_follow_up")
    assert not AuditEvent.objects.exists()


def test_deactivate_and_reset_of_a_user_also_elsewhere_are_forbidden(
    admin_client_: Client, shared_nurse: User, mailoutbox: list[EmailMessage]
) -> None:
    for name in ("accounts:user_deactivate", "accounts:user_password_reset"):
        assert admin_client_.post(reverse(name, args=[shared_nurse.pk])).status_code == 403
    shared_nurse.refresh_from_db()
    assert shared_nurse.is_active
    assert shared_nurse.check_password("correct-horse-battery")
    assert mailoutbox == []


def test_adding_the_admins_site_keeps_the_users_other_sites(
    admin_client_: Client, other_site: Site, site: Site
) -> None:
    visitor = UserFactory(username="visitor", role="physician", sites=[other_site])
    admin_client_.post(
        reverse("accounts:user_update", args=[visitor.pk]),
        {"sites": [site.pk], "roles": [_group("physician").pk], "version": visitor.version},
    )
    assert _sites(visitor) == {"elsewhere", "north"}
    event = AuditEvent.objects.get(object_id=str(visitor.pk), action=AuditAction.CHANGE)
    assert event.changes["granted"] == "sites: north"


def test_a_superuser_administers_every_site(other_site: Site, site: Site) -> None:
    root = UserFactory(username="root", is_superuser=True)
    user = services.user_create(
        actor=root,
        values={"username": "new", "email": "new@example.org"},
        roles=[_group("physician")],
        sites=[site, other_site],
    )
    assert _sites(user) == {"north", "elsewhere"}


def test_grants_at_a_site_are_shown_to_its_other_admins_only(
    admin_client_: Client, nurse: User, site: Site, other_site: Site
) -> None:
    colleague, stranger = (
        login(_admin("colleague", site)),
        login(_admin("stranger", other_site)),
    )
    admin_client_.post(
        reverse("accounts:user_update", args=[nurse.pk]),
        {
            "email": "new-address@example.org",
            "roles": [_group("physician").pk],
            "sites": [site.pk],
            "version": nurse.version,
        },
    )
    # Moving the account away afterwards does not hide the grant.
    admin_client_.post(
        reverse("accounts:user_update", args=[nurse.pk]),
        {
            "email": "new-address@example.org",
            "roles": [_group("physician").pk],
            "sites": [],
            "version": nurse.version + 1,  # after the first save
        },
    )
    [grant] = colleague.get(reverse("accounts:user_list")).context["grants"]
    assert (grant.actor_username, grant.account, grant.granted) == (
        "admin",
        nurse,
        "roles: physician",
    )
    assert grant.email_changed
    assert stranger.get(reverse("accounts:user_list")).context["grants"] == []
