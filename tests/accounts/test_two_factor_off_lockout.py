"""Turning two-factor off checks the password as a login does (left from sec11 #2).

A wrong password on /accounts/two-factor/turn-off/ counted toward nothing: someone at an open
session could guess the password there without end (the code's own throttle aside). It now counts
toward the user's lockout (django-axes) and is audited as a failed login naming the step; the
fifth pauses the user and signs the session out, and two-factor stays on.
"""

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from bonehealth.accounts.models import User
from bonehealth.audit.models import AuditAction, AuditEvent
from tests.accounts.test_two_factor import PASSWORD, code_for
from tests.conftest import login

pytestmark = pytest.mark.django_db

STEP = {"step": "turn two-factor off"}


@pytest.fixture
def device(nurse: User) -> TOTPDevice:
    device: TOTPDevice = TOTPDevice.objects.create(user=nurse, name="phone", confirmed=True)
    return device


def _turn_off(client: Client, password: str, token: str) -> int:
    response = client.post(
        reverse("accounts:two_factor_disable"), {"password": password, "token": token}
    )
    return response.status_code


def _failed(user: User) -> list[dict[str, object]]:
    rows = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, username=user.username)
    return list(rows.order_by("id").values_list("changes", flat=True))


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_a_wrong_password_counts_as_a_failed_login_and_keeps_two_factor_on(
    nurse: User, device: TOTPDevice
) -> None:
    client = login(nurse)
    assert _turn_off(client, "guess-1", code_for(device)) == 200
    assert AccessAttempt.objects.get(username="nurse").failures_since_start == 1
    event = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert (event.username, event.actor, event.changes) == ("nurse", nurse, STEP)
    assert "guess-1" not in AccessAttempt.objects.get(username="nurse").post_data
    assert TOTPDevice.objects.filter(user=nurse, confirmed=True).exists()
    assert _signed_in(client)


def test_the_fifth_wrong_password_pauses_the_user_and_signs_the_session_out(
    nurse: User, device: TOTPDevice
) -> None:
    client = login(nurse)
    statuses = [_turn_off(client, f"guess-{n}", "123456") for n in range(5)]
    assert statuses == [200] * 4 + [429]
    assert not _signed_in(client)
    assert _failed(nurse) == [STEP] * 4 + [{**STEP, "locked_out": True}]
    assert TOTPDevice.objects.filter(user=nurse, confirmed=True).exists()
    # Paused as after five wrong logins: the right password does not log in from here.
    refused = Client().post(reverse("accounts:login"), {"username": "nurse", "password": PASSWORD})
    assert refused.status_code == 429


def test_while_paused_even_the_right_password_and_code_are_refused_unchecked(
    nurse: User, device: TOTPDevice
) -> None:
    for _ in range(5):
        Client().post(reverse("accounts:login"), {"username": "nurse", "password": "wrong"})
    audited = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).count()
    client = login(nurse)
    assert _turn_off(client, PASSWORD, code_for(device)) == 429
    assert not _signed_in(client)
    assert TOTPDevice.objects.filter(user=nurse, confirmed=True).exists()
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).count() == audited
    assert AccessAttempt.objects.get(username="nurse").failures_since_start == 5


def test_a_right_password_with_a_wrong_code_is_audited_but_not_counted_as_a_password_guess(
    nurse: User, device: TOTPDevice
) -> None:
    client = login(nurse)
    assert _turn_off(client, PASSWORD, "000000") == 200
    assert not AccessAttempt.objects.filter(username="nurse").exists()
    event = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert (event.username, event.actor, event.changes) == ("nurse", nurse, STEP)
    assert TOTPDevice.objects.filter(user=nurse, confirmed=True).exists()


def test_the_right_password_and_code_turn_it_off(nurse: User, device: TOTPDevice) -> None:
    client = login(nurse)
    assert _turn_off(client, "one-typo", "000000") == 200
    # The wrong code started django-otp's own delay between tries; a later try is past it.
    device.refresh_from_db()
    device.throttle_reset()
    assert _turn_off(client, PASSWORD, code_for(device)) == 302
    assert not TOTPDevice.objects.filter(user=nurse).exists()
    assert _signed_in(client)
    assert AccessAttempt.objects.get(username="nurse").failures_since_start == 1
