"""An administrator cannot quietly take over a clinician's account (sec9 F4).

The tester, as `admin`, changed `physician`'s e-mail to an address they read and sent the account
a set-password link: it went to them, and nothing told the physician. Now the old address is told
of the change, and for a day the administrator who made it may not send the account a link;
another administrator may, and the old address is told of that too. Every message leaves after
the commit; each test checks the database, the audit trail and the outbox.
"""

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import Group
from django.core.mail import EmailMessage
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from bonehealth.accounts.models import Site, User
from bonehealth.audit.models import AuditAction, AuditEvent
from tests.conftest import admin_at, login
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

OLD = "physician@example.org"
NEW = "attacker@evil.example"
Commits = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


@pytest.fixture
def victim(site: Site) -> User:
    """A physician who has used their account (a last login)."""
    user: User = UserFactory(
        username="dr.victim",
        first_name="Philippa",
        last_name="Physician",
        email=OLD,
        role="physician",
        sites=[site],
    )
    User.objects.filter(pk=user.pk).update(last_login=timezone.now() - timedelta(days=1))
    user.refresh_from_db()
    return user


@pytest.fixture
def colleague(site: Site) -> User:
    """A second administrator of the same site."""
    return admin_at("colleague", site, first_name="Cora", last_name="Colleague")


def _change_email(client: Client, user: User, email: str) -> Any:
    return client.post(
        reverse("accounts:user_update", args=[user.pk]),
        {
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": email,
            "roles": [Group.objects.get(name="physician").pk],
            "sites": [site.pk for site in user.sites.all()],
            "version": User.objects.get(pk=user.pk).version,
        },
    )


def _reset(client: Client, user: User) -> Any:
    return client.post(reverse("accounts:user_password_reset", args=[user.pk]))


def _resets(user: User) -> list[dict[str, Any]]:
    return [
        event.changes
        for event in AuditEvent.objects.filter(
            object_id=str(user.pk), changes__has_key="password", action=AuditAction.CHANGE
        )
    ]


def test_the_old_address_is_told_who_changed_it_when_and_to_what(
    admin_client_: Client,
    admin_user: User,
    victim: User,
    colleague: User,
    mailoutbox: list[EmailMessage],
    django_capture_on_commit_callbacks: Commits,
) -> None:
    admin_user.first_name, admin_user.last_name = "Adam", "Admin"
    admin_user.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert _change_email(admin_client_, victim, NEW).status_code == 302
    assert User.objects.get(pk=victim.pk).email == NEW
    [notice] = mailoutbox
    assert notice.to == [OLD]
    body = str(notice.body)
    assert "Adam Admin (admin)" in body
    assert "at***@evil.example" in body
    assert NEW not in body  # the new address only in part
    assert f"{timezone.localtime():%Y-%m-%d}" in body
    assert "Cora Colleague <colleague@example.org>" in body  # whom to contact
    assert "admin@example.org" not in body  # not the administrator who changed it
    event = AuditEvent.objects.get(object_id=str(victim.pk), changes__has_key="email")
    assert event.changes["email"] == [OLD, NEW]
    assert event.changes["notice"] == "e-mailed to the previous address"


def test_no_notice_leaves_before_the_commit_nor_for_a_refused_save(
    admin_client_: Client,
    victim: User,
    mailoutbox: list[EmailMessage],
    django_capture_on_commit_callbacks: Commits,
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        _change_email(admin_client_, victim, NEW)
    assert mailoutbox == []  # not sent inside the transaction
    assert len(callbacks) == 1
    # A stale form (the version it was opened on is gone) writes nothing and tells no one.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = admin_client_.post(
            reverse("accounts:user_update", args=[victim.pk]),
            {
                "email": "other@evil.example",
                "roles": [Group.objects.get(name="physician").pk],
                "sites": [site.pk for site in victim.sites.all()],
                "version": victim.version,
            },
        )
    assert response.status_code == 200
    assert callbacks == []
    assert mailoutbox == []
    assert User.objects.get(pk=victim.pk).email == NEW


def test_the_admin_who_changed_the_address_cannot_send_a_link_to_it_for_a_day(
    admin_client_: Client,
    victim: User,
    mailoutbox: list[EmailMessage],
    django_capture_on_commit_callbacks: Commits,
) -> None:
    """The takeover of the report, step for step."""
    with django_capture_on_commit_callbacks(execute=True):
        _change_email(admin_client_, victim, NEW)
    page = admin_client_.get(reverse("accounts:user_password_reset", args=[victim.pk]))
    assert "another administrator of its sites must send it" in page.text
    assert "Send a set-password link</button>" not in page.text
    with django_capture_on_commit_callbacks(execute=True):
        assert _reset(admin_client_, victim).status_code == 403
    stored = User.objects.get(pk=victim.pk)
    assert stored.check_password("correct-horse-battery")  # untouched
    assert [m.to for m in mailoutbox] == [[OLD]]  # the change notice, no link
    assert _resets(victim) == []
    denied = AuditEvent.objects.get(action=AuditAction.DENIED)
    assert denied.username == "admin"
    assert denied.changes["path"] == reverse("accounts:user_password_reset", args=[victim.pk])


def test_another_admin_may_send_the_link_and_the_old_address_is_told(
    admin_client_: Client,
    victim: User,
    colleague: User,
    mailoutbox: list[EmailMessage],
    django_capture_on_commit_callbacks: Commits,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _change_email(admin_client_, victim, NEW)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert _reset(login(colleague), victim).status_code == 302
    assert User.objects.get(pk=victim.pk).password.startswith(UNUSABLE_PASSWORD_PREFIX)
    by_address = {tuple(m.to): str(m.body) for m in mailoutbox}
    assert set(by_address) == {(NEW,), (OLD,)}
    assert "/accounts/enrol/" in by_address[(NEW,)]
    notice = by_address[(OLD,)]
    assert "/accounts/enrol/" not in notice
    assert "Cora Colleague (colleague)" in notice
    assert "at***@evil.example" in notice
    assert "(changed by admin)" in notice
    [reset] = _resets(victim)
    assert reset["notice"] == "e-mailed to the previous ph***@example.org"


def test_after_a_day_the_same_admin_may_send_it(
    admin_client_: Client,
    admin_user: User,
    victim: User,
    mailoutbox: list[EmailMessage],
    django_capture_on_commit_callbacks: Commits,
) -> None:
    User.objects.filter(pk=victim.pk).update(email=NEW)
    AuditEvent.objects.create(
        at=timezone.now() - timedelta(hours=24, minutes=1),
        actor=admin_user,
        username="admin",
        action=AuditAction.CHANGE,
        object_type="accounts.user",
        object_id=str(victim.pk),
        changes={"email": [OLD, NEW]},
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert _reset(admin_client_, victim).status_code == 302
    assert [m.to for m in mailoutbox] == [[NEW]]  # the link; the change is older than a day
    assert "notice" not in _resets(victim)[0]


def test_an_account_nobody_has_used_may_have_its_address_corrected_and_resent(
    admin_client_: Client,
    victim: User,
    mailoutbox: list[EmailMessage],
    django_capture_on_commit_callbacks: Commits,
) -> None:
    """A typing error in a new account's address: no one's access to take over."""
    User.objects.filter(pk=victim.pk).update(last_login=None)
    with django_capture_on_commit_callbacks(execute=True):
        _change_email(admin_client_, victim, "philippa@example.org")
        assert _reset(admin_client_, victim).status_code == 302
    assert sorted(m.to[0] for m in mailoutbox) == sorted([OLD, OLD, "philippa@example.org"])
    assert _resets(victim)[0]["notice"] == "e-mailed to the previous ph***@example.org"


def test_a_superusers_change_in_djangos_admin_tells_the_old_address_too(
    victim: User,
    mailoutbox: list[EmailMessage],
    django_capture_on_commit_callbacks: Commits,
) -> None:
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    TOTPDevice.objects.create(user=root, name="test", confirmed=True)
    client = login(root)
    change = reverse("admin:accounts_user_change", args=[victim.pk])
    form = client.get(change).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value not in (None, False, "") and name not in {"password", "last_login", "date_joined"}
    }
    data.update(
        {
            "email": NEW,
            "groups": [g.pk for g in victim.groups.all()],
            "sites": [s.pk for s in victim.sites.all()],
            "user_permissions": [],
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        }
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(change, data).status_code == 302
    assert User.objects.get(pk=victim.pk).email == NEW
    [notice] = mailoutbox
    assert notice.to == [OLD]
    assert "(root)" in str(notice.body)
