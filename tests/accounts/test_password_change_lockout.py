"""The password-change form checks the current password as a login does (sec11 #2).

The tester, in an open session, tried 38 wrong current passwords on /accounts/password/ and then
the right one: no lockout, no axes row, no audit row; the 39th attempt changed the password.
"""

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from bonehealth.accounts.models import User
from bonehealth.audit.models import AuditAction, AuditEvent
from tests.conftest import login

pytestmark = pytest.mark.django_db

GOOD = "correct-horse-battery"
NEW = "Zebra-candle-mountain-77"
STEP = {"step": "change password"}


def _change(client: Client, old_password: str) -> int:
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": old_password, "new_password1": NEW, "new_password2": NEW},
    )
    return response.status_code


def _failed(user: User) -> list[dict[str, object]]:
    rows = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, username=user.username)
    return list(rows.order_by("id").values_list("changes", flat=True))


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_a_wrong_current_password_counts_as_a_failed_login_and_is_audited(nurse: User) -> None:
    client = login(nurse)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "guess-1", "new_password1": NEW, "new_password2": NEW},
    )
    assert response.status_code == 200
    assert "old_password" in response.context["form"].errors
    attempt = AccessAttempt.objects.get(username="nurse", ip_address="127.0.0.1")
    assert attempt.failures_since_start == 1
    event = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    # The row names the account and the signed-in user who typed it, and the step.
    assert (event.username, event.actor, event.changes) == ("nurse", nurse, STEP)
    assert event.client_address == "127.0.0.1"
    # axes keeps the posted fields of a failure: no password among them, old or new.
    assert "guess-1" not in attempt.post_data
    assert NEW not in attempt.post_data
    nurse.refresh_from_db()
    assert nurse.check_password(GOOD)
    assert _signed_in(client)


def test_the_fifth_wrong_password_pauses_the_user_and_signs_the_session_out(nurse: User) -> None:
    client = login(nurse)
    for _ in range(4):
        assert _change(client, "wrong-guess") == 200
    assert _signed_in(client)
    # The fifth reaches the login limit: the lockout page, and the session has ended.
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "wrong-guess", "new_password1": NEW, "new_password2": NEW},
    )
    assert response.status_code == 429
    assert "Login paused" in response.text
    assert "You have been signed out." in response.text
    assert not _signed_in(client)
    assert _failed(nurse) == [STEP] * 4 + [{**STEP, "locked_out": True}]
    assert AuditEvent.objects.filter(action=AuditAction.LOGOUT, actor=nurse).count() == 1
    # Paused as after five wrong logins: the right password does not log in from here.
    refused = client.post(reverse("accounts:login"), {"username": "nurse", "password": GOOD})
    assert refused.status_code == 429
    assert not _signed_in(client)
    nurse.refresh_from_db()
    assert nurse.check_password(GOOD)


def test_while_paused_even_the_right_password_is_refused_unchecked(nurse: User) -> None:
    # Five wrong logins from this address (another browser) pause the user here.
    for _ in range(5):
        Client().post(reverse("accounts:login"), {"username": "nurse", "password": "wrong"})
    audited = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).count()
    client = login(nurse)
    # The form shows, but a post is not checked: refused, the session signed out.
    assert client.get(reverse("accounts:password_change")).status_code == 200
    assert _change(client, GOOD) == 429
    assert not _signed_in(client)
    nurse.refresh_from_db()
    assert nurse.check_password(GOOD)
    # Refused unchecked: neither counted nor audited as another failure.
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).count() == audited
    assert AccessAttempt.objects.get(username="nurse").failures_since_start == 5


def test_the_tester_s_39_guesses_stop_at_the_fifth(nurse: User) -> None:
    """The report's run: 38 wrong current passwords, then the right one."""
    client = login(nurse)
    statuses = [_change(client, f"wrong{n}") for n in range(38)]
    assert statuses[:4] == [200] * 4
    # After the fifth the session is gone: each later post goes to the login page.
    assert statuses[4] == 429
    assert set(statuses[5:]) == {302}
    assert _change(client, GOOD) == 302
    nurse.refresh_from_db()
    assert nurse.check_password(GOOD)
    assert len(_failed(nurse)) == 5
    assert AccessAttempt.objects.get(username="nurse").failures_since_start == 5


def test_the_right_current_password_changes_it_and_counts_nothing(nurse: User) -> None:
    client = login(nurse)
    assert _change(client, "one-typo") == 200
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": GOOD, "new_password1": NEW, "new_password2": NEW},
    )
    assert response["Location"] == reverse("accounts:password_change_done")
    nurse.refresh_from_db()
    assert nurse.check_password(NEW)
    assert _signed_in(client)
    assert AccessAttempt.objects.get(username="nurse").failures_since_start == 1
    assert len(_failed(nurse)) == 1
