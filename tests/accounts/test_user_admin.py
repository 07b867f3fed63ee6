"""User administration by admins: list, create, re-role, (de)activate, reset; all audited.

An administrator can never raise their own privileges.
"""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.core.mail import EmailMessage
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bonehealth.accounts.models import Site, User
from bonehealth.accounts.tokens import enrolment_token_generator
from bonehealth.audit.models import AuditAction, AuditEvent
from tests.conftest import login
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _group(name: str) -> int:
    return Group.objects.get(name=name).pk


def test_list_searches_and_filters_active_and_inactive(
    admin_client_: Client, nurse: User, physician: User, site: Site
) -> None:
    UserFactory(username="gone", first_name="Gone", is_active=False, sites=[site])
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


def _link(message: EmailMessage) -> str:
    """The path of the enrolment link in an e-mail."""
    match = re.search(r"http://testserver(/accounts/enrol/\S+/)", str(message.body))
    assert match is not None, message.body
    return match.group(1)


def test_create_e_mails_a_one_time_link_and_shows_no_password(
    admin_client_: Client, admin_user: User, site: Site, mailoutbox: list[EmailMessage]
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
            # A forged password field is ignored: the admin cannot choose one.
            "password1": "a chosen long passphrase",
            "password2": "a chosen long passphrase",
        },
        follow=True,
    )
    user = User.objects.get(username="newnurse")
    assert response.redirect_chain[-1][0] == reverse("accounts:user_update", args=[user.pk])
    assert not user.has_usable_password()
    assert not user.must_change_password
    assert user.has_perm("patients.view_patient")
    assert list(user.sites.all()) == [site]
    [message] = mailoutbox
    assert message.to == ["new@example.org"]
    link = _link(message)
    assert link.split("/")[-2] not in response.text  # the admin never sees the token
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="accounts.user")
    assert event.actor == admin_user
    assert event.changes["roles"] == ["nurse"]
    assert event.changes["sites"] == ["north"]
    assert event.changes["granted"] == "roles: nurse; sites: north"
    assert event.changes["at_sites"] == "north"
    # The new user opens the link without logging in, chooses a password and logs in normally.
    fresh = Client()
    form_url = fresh.get(link)["Location"]
    assert fresh.get(form_url).status_code == 200
    password = "my own long passphrase"
    done = fresh.post(form_url, {"new_password1": password, "new_password2": password})
    assert done["Location"] == reverse("accounts:login")
    user.refresh_from_db()
    assert user.check_password(password)
    fresh.post(reverse("accounts:login"), {"username": "newnurse", "password": password})
    assert fresh.get(reverse("patients:list")).status_code == 200
    assert AuditEvent.objects.filter(
        actor=user, changes__password="set through an enrolment link"
    ).exists()
    # The link works once.
    replay = Client().get(link)
    assert replay.status_code == 200
    assert replay.context["form"] is None
    assert "does not work" in replay.text


def test_create_needs_an_e_mail_address(
    admin_client_: Client, site: Site, mailoutbox: list[EmailMessage]
) -> None:
    response = admin_client_.post(
        reverse("accounts:user_create"),
        {"username": "nomail", "roles": [_group("nurse")], "sites": [site.pk]},
    )
    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    assert not User.objects.filter(username="nomail").exists()
    assert mailoutbox == []


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short-pass1", "at least 12 characters"),
        ("password1234", "too common"),
        ("739184620573", "entirely numeric"),
        ("newnurse-welcome-1", "your username"),
    ],
)
def test_the_enrolment_page_refuses_weak_passwords(
    admin_client_: Client,
    site: Site,
    mailoutbox: list[EmailMessage],
    password: str,
    message: str,
) -> None:
    admin_client_.post(
        reverse("accounts:user_create"),
        {
            "username": "newnurse",
            "email": "new@example.org",
            "roles": [_group("nurse")],
            "sites": [site.pk],
        },
    )
    fresh = Client()
    form_url = fresh.get(_link(mailoutbox[0]))["Location"]
    response = fresh.post(form_url, {"new_password1": password, "new_password2": password})
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["new_password2"])
    assert not User.objects.get(username="newnurse").has_usable_password()


def test_an_expired_link_is_refused(
    admin_client_: Client,
    nurse: User,
    mailoutbox: list[EmailMessage],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    admin_client_.post(reverse("accounts:user_password_reset", args=[nurse.pk]))
    link = _link(mailoutbox[0])
    later = enrolment_token_generator._now() + timedelta(
        days=settings.ENROLMENT_LINK_DAYS, minutes=1
    )
    monkeypatch.setattr(enrolment_token_generator, "_now", lambda: later)
    response = Client().get(link)
    assert response.context["form"] is None
    assert not User.objects.get(pk=nurse.pk).has_usable_password()


def test_change_roles_and_sites_is_audited_with_the_fields_changed(
    admin_client_: Client, admin_user: User, nurse: User, site: Site, other_site: Site
) -> None:
    admin_user.sites.add(other_site)
    response = admin_client_.post(
        reverse("accounts:user_update", args=[nurse.pk]),
        {
            "first_name": "Nora",
            "last_name": "",
            "email": "",
            "roles": [_group("physician")],
            "sites": [site.pk, other_site.pk],
            "version": nurse.version,
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
        "email": ["nurse@example.org", ""],
        "roles": [["nurse"], ["physician"]],
        "sites": [["north"], ["elsewhere", "north"]],
        "version": [1, 2],
        "granted": "roles: physician; sites: elsewhere",
        # The removed address is told (sec9 F4).
        "notice": "e-mailed to the previous address",
        "at_sites": "elsewhere, north",
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
            "version": admin_user.version,
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
            expected_version=admin_user.version,
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


def test_an_admin_cannot_change_a_superuser(admin_client_: Client, site: Site) -> None:
    root = UserFactory(username="root", is_superuser=True, sites=[site])
    assert (
        admin_client_.post(reverse("accounts:user_deactivate", args=[root.pk])).status_code == 403
    )
    assert (
        admin_client_.post(reverse("accounts:user_password_reset", args=[root.pk]), {}).status_code
        == 403
    )
    root.refresh_from_db()
    assert root.is_active


def test_the_django_admin_site_is_closed_to_admins(admin_client_: Client, admin_user: User) -> None:
    """A staff administrator is sent to the admin login and changes nothing (sec9 F1)."""
    url = reverse("admin:accounts_user_change", args=[admin_user.pk])
    response = admin_client_.post(url, {"username": "admin", "groups": [_group("physician")]})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert not User.objects.get(pk=admin_user.pk).has_perm("patients.view_patient")
    assert admin_client_.get(reverse("admin:accounts_user_add")).status_code == 302


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
        event.changes
        for event in AuditEvent.objects.filter(
            object_id=str(nurse.pk), action=AuditAction.CHANGE
        ).order_by("id")
    ]
    assert changes == [{"is_active": [True, False]}, {"is_active": [False, True]}]


def test_deactivation_deletes_the_sessions_so_reactivation_revives_none(
    admin_client_: Client, nurse: User
) -> None:
    """security8 N7: a session shut out by deactivation (a stolen one, say) stays out after the
    account is reactivated: its row is deleted at deactivation, as a password reset does."""
    nurse_session = login(nurse, Client())
    key = nurse_session.cookies[settings.SESSION_COOKIE_NAME].value
    admin_session = admin_client_.cookies[settings.SESSION_COOKIE_NAME].value
    admin_client_.post(reverse("accounts:user_deactivate", args=[nurse.pk]))
    assert not Session.objects.filter(session_key=key).exists()
    assert Session.objects.filter(session_key=admin_session).exists()
    ended = AuditEvent.objects.get(object_id=str(nurse.pk), action=AuditAction.LOGOUT)
    assert ended.changes == {"sessions_ended": 1}
    admin_client_.post(reverse("accounts:user_reactivate", args=[nurse.pk]))
    assert User.objects.get(pk=nurse.pk).is_active
    assert nurse_session.get(reverse("patients:list")).status_code == 302  # to the login page
    assert nurse_session.get("/accounts/session/keep-alive/").status_code == 401
    assert not Session.objects.filter(session_key=key).exists()


def test_reset_voids_the_password_and_e_mails_a_link_that_voids_older_ones(
    admin_client_: Client, admin_user: User, nurse: User, mailoutbox: list[EmailMessage]
) -> None:
    url = reverse("accounts:user_password_reset", args=[nurse.pk])
    assert nurse.email in admin_client_.get(url).text
    nurse_session = login(nurse, Client())
    admin_client_.post(url)
    first = _link(mailoutbox[0])
    response = admin_client_.post(url, follow=True)
    second = _link(mailoutbox[1])
    assert second.split("/")[-2] not in response.text
    nurse.refresh_from_db()
    assert not nurse.has_usable_password()
    assert nurse_session.get(reverse("patients:list")).status_code == 302  # sessions ended
    events = AuditEvent.objects.filter(object_id=str(nurse.pk), action=AuditAction.CHANGE)
    assert [event.changes for event in events] == [
        {"password": "reset by administrator: enrolment link sent", "at_sites": "north"}
    ] * 2
    assert all(event.actor == admin_user for event in events)
    # Only the newest link works.
    assert Client().get(first).context["form"] is None
    fresh = Client()
    form_url = fresh.get(second)["Location"]
    fresh.post(
        form_url,
        {"new_password1": "a fresh long passphrase", "new_password2": "a fresh long passphrase"},
    )
    nurse.refresh_from_db()
    assert nurse.check_password("a fresh long passphrase")


def test_reset_needs_an_e_mail_address(
    admin_client_: Client, nurse: User, mailoutbox: list[EmailMessage]
) -> None:
    User.objects.filter(pk=nurse.pk).update(email="")
    response = admin_client_.post(reverse("accounts:user_password_reset", args=[nurse.pk]))
    assert "no e-mail address" in response.text
    assert User.objects.get(pk=nurse.pk).check_password("correct-horse-battery")
    assert mailoutbox == []
    assert not AuditEvent.objects.filter(object_id=str(nurse.pk)).exists()
