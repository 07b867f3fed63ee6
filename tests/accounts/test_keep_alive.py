"""The idle timer's keep-alive (static/js/idle.js asks it while the user types): it renews the idle
expiry of a live logged-in session, as any request does, and nothing else; an anonymous or ended
session is refused with 401, not revived; it writes no audit event."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import User
from bonehealth.accounts.security import LOGIN_AT_SESSION_KEY, RENEWED_AT_SESSION_KEY
from bonehealth.audit.models import AuditEvent
from tests.conftest import login

pytestmark = pytest.mark.django_db
URL = "/accounts/session/keep-alive/"


def _session(client: Client) -> Session:
    return Session.objects.get(pk=client.cookies[settings.SESSION_COOKIE_NAME].value)


def _renewed_ago(client: Client, seconds: int) -> None:
    """Make the session's last renewal `seconds` old, its row's expiry following it."""
    session = client.session
    session[RENEWED_AT_SESSION_KEY] = timezone.now().timestamp() - seconds
    session.save()
    expiry = timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE - seconds)
    Session.objects.filter(pk=session.session_key).update(expire_date=expiry)


def test_the_url_is_the_one_the_script_is_given(nurse_client: Client) -> None:
    assert reverse("accounts:keep_alive") == URL
    page = nurse_client.get(reverse("patients:list")).text
    assert f'data-idle-keep-alive-url="{URL}"' in page
    assert f'data-idle-renew-seconds="{settings.SESSION_RENEW_SECONDS}"' in page


def test_it_renews_a_logged_in_session_and_audits_nothing(nurse_client: Client) -> None:
    _renewed_ago(nurse_client, 10 * 60)
    before = _session(nurse_client).expire_date
    events = AuditEvent.objects.count()
    response = nurse_client.get(URL)
    assert response.status_code == 200
    answer = response.json()
    assert answer["signed_in"] is True
    assert (
        settings.SESSION_COOKIE_AGE - 5
        <= answer["idle_seconds_left"]
        <= (settings.SESSION_COOKIE_AGE)
    )
    assert _session(nurse_client).expire_date >= before + timedelta(minutes=9)
    assert "no-store" in response["Cache-Control"]
    assert AuditEvent.objects.count() == events


def test_within_the_renewal_interval_it_writes_nothing(nurse_client: Client) -> None:
    _renewed_ago(nurse_client, 5)  # renewed less than SESSION_RENEW_SECONDS ago
    before = _session(nurse_client).expire_date
    answer = nurse_client.get(URL).json()
    assert _session(nurse_client).expire_date == before
    assert (
        settings.SESSION_COOKIE_AGE - 10
        <= answer["idle_seconds_left"]
        <= (settings.SESSION_COOKIE_AGE - 4)
    )


def test_an_anonymous_request_is_refused_without_a_session(db: None) -> None:
    client = Client()
    response = client.get(URL)
    assert response.status_code == 401
    assert response.json() == {"signed_in": False}
    assert Session.objects.count() == 0
    assert AuditEvent.objects.count() == 0
    assert "no-store" in response["Cache-Control"]


def test_an_ended_session_is_not_revived(nurse: User) -> None:
    client = login(nurse)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    Session.objects.filter(pk=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(URL)
    assert response.status_code == 401
    # No live session for anyone: the next page asks for a login.
    assert not Session.objects.filter(expire_date__gt=timezone.now()).exists()
    assert client.get(reverse("patients:list")).status_code == 302


def test_only_get_is_answered(nurse_client: Client) -> None:
    assert nurse_client.post(URL).status_code == 405


@pytest.mark.parametrize("role", ["nurse", "physician", "admin_user"])
def test_every_role_is_answered(request: pytest.FixtureRequest, role: str) -> None:
    client = login(request.getfixturevalue(role))
    assert client.get(URL).json()["signed_in"] is True


def test_near_the_absolute_limit_it_gives_the_seconds_to_that_limit(nurse_client: Client) -> None:
    """security8 N2: 30 s before the 12-hour limit the page must warn, so the seconds left are
    those to the absolute limit, not the 15 idle minutes a renewal would give."""
    session = nurse_client.session
    session[LOGIN_AT_SESSION_KEY] = timezone.now().timestamp() - (
        settings.SESSION_ABSOLUTE_SECONDS - 30
    )
    session.save()
    answer = nurse_client.get(URL).json()
    assert answer["signed_in"] is True
    assert 25 <= answer["idle_seconds_left"] <= 30
    page = nurse_client.get(reverse("patients:list")).text
    assert 25 <= int(page.split('data-idle-seconds="', 1)[1].split('"', 1)[0]) <= 30
    # The session row still holds the login time: the renewal moved the idle expiry only.
    stored = Session.objects.get(pk=session.session_key).get_decoded()
    assert float(stored[LOGIN_AT_SESSION_KEY]) == float(session[LOGIN_AT_SESSION_KEY])
