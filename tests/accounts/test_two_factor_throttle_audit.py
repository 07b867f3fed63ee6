"""A two-factor code refused unchecked by django-otp's throttle writes no audit row (sec12 #3:
200 wrong codes wrote 200 rows while the device checked 4). Each code the device checked is
audited, as before; the user is refused either way, and a code refused unchecked is logged."""

import logging

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from bonehealth.accounts.models import User
from bonehealth.audit.models import AuditAction, AuditEvent
from tests.accounts.test_two_factor import PASSWORD, code_for, password_login
from tests.conftest import login

pytestmark = pytest.mark.django_db

TRIES = 20


def _wrong_code(device: TOTPDevice) -> str:
    return code_for(device, offset=10)


def _failed(username: str, step: str) -> int:
    return AuditEvent.objects.filter(
        action=AuditAction.LOGIN_FAILED, username=username, changes__step=step
    ).count()


def test_rapid_wrong_codes_at_login_write_only_the_checked_ones(
    client: Client, admin_user: User, caplog: pytest.LogCaptureFixture
) -> None:
    device = TOTPDevice.objects.get(user=admin_user)
    password_login(client, "admin")
    wrong = _wrong_code(device)
    with caplog.at_level(logging.WARNING, logger="bonehealth.security"):
        responses = [
            client.post(reverse("accounts:otp_verify"), {"token": wrong}) for _ in range(TRIES)
        ]
    assert all("wrong or expired" in response.text for response in responses)
    device.refresh_from_db()
    checked = device.throttling_failure_count
    assert 1 <= checked < TRIES  # the throttle refused the rest unchecked
    assert _failed("admin", "two-factor") == checked
    assert "refused unchecked while throttled" in caplog.text
    # Still refused: no page opens, and a right code during the wait does not pass either.
    assert client.get(reverse("accounts:user_list")).status_code == 302
    client.post(reverse("accounts:otp_verify"), {"token": code_for(device)})
    assert client.get(reverse("accounts:user_list")).status_code == 302
    assert not AuditEvent.objects.filter(
        action=AuditAction.LOGIN, actor=admin_user, changes__step="two-factor"
    ).exists()


def test_rapid_wrong_codes_when_turning_two_factor_off_write_only_the_checked_ones(
    nurse: User,
) -> None:
    device = TOTPDevice.objects.create(user=nurse, name="phone", confirmed=True)
    client = login(nurse)
    wrong = _wrong_code(device)
    for _ in range(TRIES):
        response = client.post(
            reverse("accounts:two_factor_disable"), {"password": PASSWORD, "token": wrong}
        )
        assert response.status_code == 200
    device.refresh_from_db()
    checked = device.throttling_failure_count
    assert 1 <= checked < TRIES
    assert _failed("nurse", "turn two-factor off") == checked
    assert TOTPDevice.objects.filter(user=nurse, confirmed=True).exists()
