"""Parallel password checks take turns per username, so none gets past the lockout (sec13 #1).

The tester released 20 logins for one username together (19 wrong passwords, the right one among
them): 7 to 11 passwords were checked against a limit of 5, and the right one logged in. axes
checks the limits before the password and counts the failure after it; every password check now
holds the username's lock row in between (`lockout.authenticate_in_turn`). Each thread here is a
request on a database connection of its own, as on several processes or app servers.
"""

from typing import Any

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from bonehealth.accounts.lockout import login_lock_take
from bonehealth.accounts.models import Site, User
from bonehealth.audit.models import AuditAction, AuditEvent
from tests.accounts.test_two_factor import PASSWORD, code_for
from tests.conftest import login
from tests.factories import UserFactory
from tests.races import POSTGRESQL_ONLY, at_once, holding, in_thread

pytestmark = POSTGRESQL_ONLY


@pytest.fixture
def nurse(ward: Site) -> User:
    user: User = UserFactory(username="nurse", role="nurse", sites=[ward])
    return user


def _post_login(username: str, password: str, address: str = "127.0.0.1") -> Any:
    return Client().post(
        reverse("accounts:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def _checked(username: str) -> int:
    """Passwords checked and wrong for `username`: its audit rows, which must match axes's count."""
    audited = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, username=username).count()
    counted = AccessAttempt.objects.filter(username=username).aggregate(
        n=Sum("failures_since_start")
    )
    assert audited == (counted["n"] or 0)
    return audited


def _right_password_refused(address: str = "127.0.0.1") -> None:
    client = Client()
    response = client.post(
        reverse("accounts:login"),
        {"username": "nurse", "password": PASSWORD},
        REMOTE_ADDR=address,
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert not AuditEvent.objects.filter(action=AuditAction.LOGIN).exists()


@pytest.mark.parametrize("username", ["nurse", "nobody"])
def test_a_burst_from_one_address_checks_no_more_passwords_than_the_limit(
    nurse: User, username: str
) -> None:
    """A name with no account takes its turn the same way: guessing unknown names gains nothing."""
    limit = settings.AXES_FAILURE_LIMIT
    responses = at_once([lambda n=n: _post_login(username, f"guess-{n}") for n in range(12)])
    assert _checked(username) == limit
    # The fifth failure and every attempt after it: the lockout page, nothing checked.
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * (limit - 1) + [429] * (12 - limit + 1)
    assert AuditEvent.objects.filter(changes__locked_out=True).count() == 1
    if username == "nurse":
        _right_password_refused()
        assert _checked("nurse") == limit


def test_a_burst_from_many_addresses_checks_no_more_passwords_than_the_account_limit(
    nurse: User,
) -> None:
    limit = settings.LOGIN_ACCOUNT_FAILURE_LIMIT
    responses = at_once(
        [lambda n=n: _post_login("nurse", f"guess-{n}", f"198.51.100.{n + 1}") for n in range(16)]
    )
    assert _checked("nurse") == limit
    assert sorted(r.status_code for r in responses).count(429) == 16 - limit + 1
    _right_password_refused(address="203.0.113.9")


def _change_password(client: Client) -> Any:
    new = "Zebra-candle-mountain-77"
    return client.post(
        reverse("accounts:password_change"),
        {"old_password": "guess", "new_password1": new, "new_password2": new},
    )


def _turn_two_factor_off(client: Client) -> Any:
    device = TOTPDevice.objects.get(user__username="nurse")
    return client.post(
        reverse("accounts:two_factor_disable"), {"password": "guess", "token": code_for(device)}
    )


@pytest.mark.parametrize(
    ("held", "check", "step"),
    [
        ("nurse", lambda client: _post_login("nurse", "guess"), None),
        ("NURSE", lambda client: _post_login("nurse", "guess"), None),
        ("nobody", lambda client: _post_login("nobody", "guess"), None),
        ("nurse", _change_password, "change password"),
        ("nurse", _turn_two_factor_off, "turn two-factor off"),
    ],
)
def test_every_password_check_waits_for_the_username_s_turn(
    nurse: User, held: str, check: Any, step: str | None
) -> None:
    """The login page, the password change and turning two-factor off take the same lock, under
    any spelling of the name; the check runs, and is counted and audited, once it is released."""
    TOTPDevice.objects.create(user=nurse, name="phone", confirmed=True)
    client = login(nurse)
    username = held.lower()
    with holding(lambda: login_lock_take(username=held)):
        running = in_thread(lambda: check(client))
        assert running.waits_for_a_lock()
        assert _checked(username) == 0
    assert running.outcome().status_code == 200
    assert _checked(username) == 1
    failure = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert failure.changes.get("step") == step


def test_another_username_does_not_wait(nurse: User) -> None:
    UserFactory(username="physician", role="physician")
    with holding(lambda: login_lock_take(username="nurse")):
        assert _post_login("physician", PASSWORD).status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN, actor__username="physician").exists()
