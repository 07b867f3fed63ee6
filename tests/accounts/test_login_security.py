"""Login hardening: lockout and its release, deactivated users, session limits, passwords."""

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings as project_settings
from django.contrib.auth.hashers import identify_hasher, make_password
from django.contrib.sessions.models import Session
from django.core.mail import EmailMessage
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import User
from bonehealth.accounts.security import LOGIN_AT_SESSION_KEY, RENEWED_AT_SESSION_KEY
from bonehealth.audit.models import AuditAction, AuditEvent
from tests.conftest import login

pytestmark = pytest.mark.django_db

LOGIN = "accounts:login"
GOOD = "correct-horse-battery"


def _try(client: Client, password: str, username: str = "nurse", **extra: str) -> int:
    response = client.post(reverse(LOGIN), {"username": username, "password": password}, **extra)
    return response.status_code


def test_five_failures_lock_the_username_and_address_out_for_the_cool_off(
    client: Client, nurse: User, caplog: pytest.LogCaptureFixture
) -> None:
    for _ in range(4):
        assert _try(client, "wrong-password") == 200
    # The fifth failure locks out, with the friendly page (429).
    response = client.post(reverse(LOGIN), {"username": "nurse", "password": "wrong"})
    assert response.status_code == 429
    assert "Login paused" in response.text
    assert "Content-Security-Policy" in response
    # Even the right password is refused now, and nobody is logged in.
    assert _try(client, GOOD) == 429
    assert "_auth_user_id" not in client.session
    assert "Login locked out: username='nurse' address=127.0.0.1" in caplog.text
    assert AuditEvent.objects.filter(
        action=AuditAction.LOGIN_FAILED, username="nurse", changes__locked_out=True
    ).exists()
    # After the 15-minute cool-off the right password works again.
    assert timedelta(minutes=15) == project_settings.AXES_COOLOFF_TIME
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert _try(client, GOOD) == 302
    assert int(client.session["_auth_user_id"]) == nurse.pk


def test_the_lockout_is_per_username_and_address(client: Client, nurse: User) -> None:
    for _ in range(5):
        _try(client, "wrong-password")
    assert _try(client, GOOD) == 429
    # Another address may still log in as the same user; the locked address as someone else.
    assert _try(client, GOOD, REMOTE_ADDR="10.9.8.7") == 302
    client.logout()
    User.objects.create_user("colleague", password=GOOD)
    assert _try(client, GOOD, username="colleague") == 302


def test_the_lockout_uses_the_trusted_proxy_header_like_the_audit_trail(
    client: Client, nurse: User, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.TRUSTED_PROXY_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    settings.TRUSTED_PROXY_ADDRESSES = ["127.0.0.1"]  # the test client's connection: the proxy
    for _ in range(5):
        _try(client, "wrong-password", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.9"}
    assert _try(client, GOOD, HTTP_X_FORWARDED_FOR="203.0.113.9") == 429
    # Same proxy (REMOTE_ADDR), different client behind it: not locked.
    assert _try(client, GOOD, HTTP_X_FORWARDED_FOR="203.0.113.10") == 302
    failed = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).first()
    assert failed is not None
    assert failed.client_address == "203.0.113.9"


def test_setting_a_password_through_an_enrolment_link_lifts_the_lockout(
    admin_client_: Client, nurse: User, mailoutbox: list[EmailMessage]
) -> None:
    other = Client()
    for _ in range(5):
        _try(other, "wrong-password")
    assert AccessAttempt.objects.exists()
    admin_client_.post(reverse("accounts:user_password_reset", args=[nurse.pk]))
    path = re.search(r"http://testserver(/\S+)", str(mailoutbox[0].body))
    assert path is not None
    form_url = Client().get(path.group(1))["Location"]
    Client().post(form_url, {})  # another browser: no token in its session, nothing set
    assert not User.objects.get(pk=nurse.pk).has_usable_password()
    setter = Client()
    form_url = setter.get(path.group(1))["Location"]
    new = "a-new-chosen-passphrase"
    setter.post(form_url, {"new_password1": new, "new_password2": new})
    assert _try(other, new) == 302


def test_a_deactivated_user_cannot_log_in_and_loses_open_sessions(
    client: Client, nurse: User
) -> None:
    login(nurse, client)
    assert client.get(reverse("patients:list")).status_code == 200
    nurse.is_active = False
    nurse.save()
    # The open session no longer authenticates.
    response = client.get(reverse("patients:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse(LOGIN))
    # And the password no longer logs in.
    fresh = Client()
    assert _try(fresh, GOOD) == 200
    assert "_auth_user_id" not in fresh.session


def test_idle_sessions_expire_and_activity_renews_them(client: Client, nurse: User) -> None:
    assert project_settings.SESSION_COOKIE_AGE == 15 * 60
    assert project_settings.SESSION_RENEW_SECONDS == 60
    login(nurse, client)
    key = client.session.session_key
    # The last renewal was over a minute ago: this request pushes the expiry forward.
    session = client.session
    session[RENEWED_AT_SESSION_KEY] -= 61
    session.save()
    Session.objects.filter(pk=key).update(expire_date=timezone.now() + timedelta(minutes=1))
    assert client.get(reverse("patients:list")).status_code == 200
    renewed = Session.objects.get(pk=key).expire_date
    assert renewed > timezone.now() + timedelta(minutes=14)
    # Fifteen idle minutes later the session has expired.
    Session.objects.filter(pk=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("patients:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse(LOGIN))


def test_activity_within_a_minute_of_the_last_renewal_does_not_write_the_session(
    client: Client, nurse: User
) -> None:
    login(nurse, client)  # login saves the session: its first renewal
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("patients:list")).status_code == 200
    assert not [q for q in queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]
    # The expiry it keeps is at most a minute short of the idle limit: never longer.
    expiry = Session.objects.get(pk=client.session.session_key).expire_date
    assert expiry > timezone.now() + timedelta(minutes=14)
    assert expiry <= timezone.now() + timedelta(minutes=15)


def test_sessions_end_at_the_absolute_limit_however_active(
    client: Client, nurse: User, settings
) -> None:  # type: ignore[no-untyped-def]
    assert project_settings.SESSION_ABSOLUTE_SECONDS == 12 * 60 * 60
    login(nurse, client)
    started = client.session[LOGIN_AT_SESSION_KEY]
    assert abs(started - timezone.now().timestamp()) < 60
    session = client.session
    session[LOGIN_AT_SESSION_KEY] = started - (12 * 60 * 60 - 60)
    session.save()
    assert client.get(reverse("patients:list")).status_code == 200  # 11 h 59 min: still in
    session = client.session
    session[LOGIN_AT_SESSION_KEY] = started - (12 * 60 * 60 + 1)
    session.save()
    response = client.get(reverse("patients:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse(LOGIN))
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action=AuditAction.LOGOUT, actor=nurse).exists()
    # The limit is a setting (env SESSION_ABSOLUTE_SECONDS).
    login(nurse, client)
    settings.SESSION_ABSOLUTE_SECONDS = 0
    session = client.session
    session[LOGIN_AT_SESSION_KEY] = timezone.now().timestamp() - 5
    session.save()
    assert client.get(reverse("patients:list")).status_code == 302


def test_passwords_are_hashed_with_argon2_in_production() -> None:
    import bonehealth.settings as production

    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    with override_settings(PASSWORD_HASHERS=production.PASSWORD_HASHERS):
        assert identify_hasher(make_password("a long enough passphrase")).algorithm == "argon2"


def test_a_forced_password_change_keeps_the_user_on_the_password_page(
    client: Client, nurse: User
) -> None:
    nurse.must_change_password = True
    nurse.save()
    login(nurse, client)
    response = client.get(reverse("patients:list"))
    assert response["Location"] == reverse("accounts:password_change")
    page = client.get(reverse("accounts:password_change"))
    assert "temporary password" in page.text
    # Too short, too common, mismatched: refused, flag kept.
    for new in ["short1", "password1234", "123456789012"]:
        response = client.post(
            reverse("accounts:password_change"),
            {"old_password": GOOD, "new_password1": new, "new_password2": new},
        )
        assert response.status_code == 200, new
    errors = " ".join(response.context["form"].errors["new_password2"])
    assert "entirely numeric" in errors or "too common" in errors
    nurse.refresh_from_db()
    assert nurse.must_change_password
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": GOOD,
            "new_password1": "a fresh long passphrase",
            "new_password2": "a fresh long passphrase",
        },
    )
    assert response["Location"] == reverse("accounts:password_change_done")
    nurse.refresh_from_db()
    assert not nurse.must_change_password
    assert nurse.check_password("a fresh long passphrase")
    # Still logged in (session hash updated), and free to work.
    assert client.get(reverse("patients:list")).status_code == 200
    event = AuditEvent.objects.filter(action=AuditAction.CHANGE, actor=nurse).get()
    assert event.changes == {
        "password": "changed by the user",
        "must_change_password": [True, False],
    }


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short-pass1", "at least 12 characters"),
        ("password1234", "too common"),
        ("739184620573", "entirely numeric"),
    ],
)
def test_the_password_change_form_enforces_length_and_common_passwords(
    nurse_client: Client, password: str, message: str
) -> None:
    response = nurse_client.post(
        reverse("accounts:password_change"),
        {"old_password": GOOD, "new_password1": password, "new_password2": password},
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["new_password2"])
