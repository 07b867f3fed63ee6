"""A login name longer than any account's is refused like a wrong login (sec11 #3).

On PostgreSQL a name of 256 characters or more failed the request (500): django-axes stores the
name in a varchar(255), and the form limited it only by the page's `maxlength`. Run this file on
PostgreSQL too (DATABASE_URL), where the column length is enforced.
"""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.signals import user_login_failed
from django.test import Client, RequestFactory
from django.urls import reverse

from bonehealth.accounts.models import User
from bonehealth.audit.models import AuditAction, AuditEvent
from bonehealth.audit.services import CUT_MARK, shortened

pytestmark = pytest.mark.django_db

ACCOUNT_LENGTH = User._meta.get_field("username").max_length or 0


def _login(client: Client, username: str) -> int:
    response = client.post(reverse("accounts:login"), {"username": username, "password": "x"})
    return response.status_code


def test_the_limit_is_the_account_s_and_the_audit_column_s() -> None:
    assert ACCOUNT_LENGTH == 150
    assert AuditEvent._meta.get_field("username").max_length == ACCOUNT_LENGTH


@pytest.mark.parametrize("length", [151, 255, 256, 10_000])
def test_a_name_too_long_is_refused_like_a_wrong_login_and_audited_cut(length: int) -> None:
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": "q" * length, "password": "x"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.text
    assert "_auth_user_id" not in client.session
    cut = "q" * (ACCOUNT_LENGTH - 1) + CUT_MARK
    # Counted by axes, like any failure, under the cut name (which no account can have).
    attempt = AccessAttempt.objects.get()
    assert (attempt.username, attempt.failures_since_start) == (cut, 1)
    # Audited, and the row says the name was cut.
    event = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert event.username == cut
    assert len(event.username) == ACCOUNT_LENGTH


def test_a_name_of_the_account_length_is_kept_whole() -> None:
    assert _login(Client(), "q" * ACCOUNT_LENGTH) == 200
    event = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert event.username == "q" * ACCOUNT_LENGTH


def test_long_names_count_toward_the_address_s_pause(nurse: User) -> None:
    """Otherwise they would be an unthrottled way to write audit rows."""
    client = Client()
    for n in range(20):
        assert _login(client, f"{n:03}" + "q" * 300) == (429 if n == 19 else 200)
    assert _login(client, "z" * 300) == 429
    response = client.post(
        reverse("accounts:login"), {"username": "nurse", "password": "correct-horse-battery"}
    )
    assert response.status_code == 429
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).count() == 20


def test_the_audit_trail_marks_a_name_it_cut(rf: RequestFactory) -> None:
    """A name reaching the audit trail by another way than the login forms is cut and marked, so
    that names of 151 to 255 characters never read as what was typed."""
    request = rf.post("/elsewhere/")
    user_login_failed.send(sender=__name__, credentials={"username": "w" * 200}, request=request)
    event = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert event.username == "w" * 149 + CUT_MARK


@pytest.mark.parametrize(
    ("text", "expected"),
    [("abc", "abc"), ("abcd", "abcd"), ("abcde", "abc" + CUT_MARK), ("", "")],
)
def test_shortened_keeps_what_fits_and_marks_what_it_cuts(text: str, expected: str) -> None:
    assert shortened(text, 4) == expected
