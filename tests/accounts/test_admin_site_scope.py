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

from bonehealth.accounts import services
from bonehealth.accounts.models import Site, User
from bonehealth.audit.models import AuditEvent
from tests.conftest import admin_at, login
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _group(name: str) -> Group:
    return Group.objects.get(name=name)


def _sites(user: User) -> set[str]:
    return set(User.objects.get(pk=user.pk).sites.values_list("code", flat=True))


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


def test_an_account_only_at_another_site_is_not_the_admins_to_change(
    admin_client_: Client, other_site: Site, site: Site
) -> None:
    """An administrator changes only accounts sharing one of their sites (security8 N8): an
    account at other sites only, not even to add their own site to it (its sites' administrators
    or a superuser do that)."""
    visitor = UserFactory(username="visitor", role="physician", sites=[other_site])
    response = admin_client_.post(
        reverse("accounts:user_update", args=[visitor.pk]),
        {"sites": [site.pk], "roles": [_group("physician").pk], "version": visitor.version},
    )
    assert response.status_code == 404
    assert _sites(visitor) == {"elsewhere"}
    assert User.objects.get(pk=visitor.pk).version == visitor.version
    assert not AuditEvent.objects.filter(object_id=str(visitor.pk)).exists()


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
        login(admin_at("colleague", site)),
        login(admin_at("stranger", other_site)),
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


@pytest.fixture
def siteless(other_site: Site) -> User:
    """A nurse removed from every site (security8 N8)."""
    user: User = UserFactory(username="siteless", role="nurse", sites=[])
    return user


def _account(user: User) -> tuple[object, ...]:
    stored = User.objects.get(pk=user.pk)
    return (
        stored.email,
        stored.first_name,
        stored.is_active,
        stored.password,
        stored.version,
        sorted(stored.groups.values_list("name", flat=True)),
        sorted(stored.sites.values_list("code", flat=True)),
    )


def test_an_account_at_no_site_is_out_of_every_admins_reach(
    admin_client_: Client, siteless: User, site: Site, mailoutbox: list[EmailMessage]
) -> None:
    """security8 N8: the account-takeover steps (new e-mail, admin role, set-password link) and
    every other change of a site-less account are refused to a site's admin; nothing changes."""
    before = _account(siteless)
    listed = admin_client_.get(reverse("accounts:user_list"), {"status": "all", "q": "siteless"})
    assert list(listed.context["page"]) == []
    edit = reverse("accounts:user_update", args=[siteless.pk])
    assert admin_client_.get(edit).status_code == 404
    takeover = {
        "email": "attacker@evil.example",
        "roles": [_group("admin").pk],
        "sites": [site.pk],
        "version": siteless.version,
    }
    assert admin_client_.post(edit, takeover).status_code == 404
    for name in ("user_password_reset", "user_deactivate", "user_reactivate"):
        assert (
            admin_client_.post(reverse(f"accounts:{name}", args=[siteless.pk])).status_code == 404
        )
    assert (
        admin_client_.get(reverse("accounts:user_password_reset", args=[siteless.pk])).status_code
        == 404
    )
    assert _account(siteless) == before
    assert not AuditEvent.objects.filter(object_id=str(siteless.pk)).exists()
    assert mailoutbox == []


def test_the_services_refuse_a_site_less_account_to_an_admin(
    admin_user: User, siteless: User, site: Site
) -> None:
    before = _account(siteless)
    calls = [
        lambda: services.user_update(
            actor=admin_user,
            user=siteless,
            values={"email": "attacker@evil.example"},
            roles=[_group("admin")],
            sites=[site],
            expected_version=siteless.version,
        ),
        lambda: services.user_set_active(actor=admin_user, user=siteless, active=False),
        lambda: services.user_password_reset(actor=admin_user, user=siteless),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    assert _account(siteless) == before
    assert not AuditEvent.objects.exists()


def test_a_superuser_may_still_change_a_site_less_account(siteless: User, site: Site) -> None:
    root = UserFactory(username="root", is_superuser=True)
    services.user_update(
        actor=root,
        user=siteless,
        values={},
        roles=[_group("nurse")],
        sites=[site],
        expected_version=siteless.version,
    )
    assert _sites(siteless) == {"north"}


def test_removing_the_last_shared_site_returns_to_the_list(
    admin_client_: Client, nurse: User
) -> None:
    response = admin_client_.post(
        reverse("accounts:user_update", args=[nurse.pk]),
        {"email": nurse.email, "roles": [_group("nurse").pk], "version": nurse.version},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:user_list")
    assert _sites(nurse) == set()
