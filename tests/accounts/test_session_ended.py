"""A session that ended while a form was open: the login page says so, and that what was entered
was not saved; nothing the request posted is kept. Logging out says so too."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import User
from bonehealth.accounts.security import LOGIN_AT_SESSION_KEY
from bonehealth.audit.models import AuditEvent
from monitoring.models import LabResult
from patients.models import Patient
from tests.conftest import login

pytestmark = pytest.mark.django_db

ENDED = "Your session has ended (after 15 minutes without activity"
NOT_SAVED = "What you had entered was not saved: log in, then enter it again."
SIGNED_OUT = "You have signed out."


def _expire(client: Client) -> None:
    """The idle limit passes: the session row's expiry is in the past (as the store leaves it)."""
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    past = timezone.now() - timedelta(seconds=1)
    assert Session.objects.filter(pk=key).update(expire_date=past) == 1


def _end_elsewhere(client: Client) -> None:
    """The session is ended from elsewhere (deleted from the store)."""
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert Session.objects.filter(pk=key).delete()[0] == 1


def _lab_form(patient: Patient) -> tuple[str, dict[str, str]]:
    url = reverse("monitoring:labs_create", args=[patient.pk])
    typed = {
        "sample_date": timezone.localdate().isoformat(),
        "vitamin_d_25oh_value": "12345",
        "vitamin_d_25oh_unit": "ng/mL",
    }
    return url, typed


@pytest.mark.parametrize("end", [_expire, _end_elsewhere])
def test_a_save_after_the_session_ended_says_on_the_login_page_that_nothing_was_saved(
    nurse: User, patient: Patient, end: object
) -> None:
    client = login(nurse)
    url, typed = _lab_form(patient)
    assert client.get(url).status_code == 200
    events = AuditEvent.objects.count()
    end(client)  # type: ignore[operator]

    response = client.post(url, typed)

    login_url = reverse(settings.LOGIN_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{login_url}?next=")
    page = client.get(response["Location"])
    assert ENDED in page.text
    assert NOT_SAVED in page.text
    assert not LabResult.objects.exists()
    assert AuditEvent.objects.count() == events
    # Nothing of what was posted is kept on the server for an anonymous request.
    for session in Session.objects.all():
        assert "12345" not in str(session.get_decoded())
    # Said once: the ended session's cookie is gone, the next page has no message.
    assert settings.SESSION_COOKIE_NAME not in client.cookies or not (
        client.cookies[settings.SESSION_COOKIE_NAME].value
    )
    assert ENDED not in client.get(login_url).text


def test_a_save_after_logging_out_in_another_tab_says_that_nothing_was_saved(
    nurse: User, patient: Patient
) -> None:
    """nurse9 F15: logging out in another tab removes the session cookie, so the save carried
    none and the login page said nothing; the empty form after login read as saved."""
    client = login(nurse)
    url, typed = _lab_form(patient)
    assert client.get(url).status_code == 200
    client.post(reverse("accounts:logout"))  # the other tab

    page = client.post(url, typed, follow=True)

    assert page.request["PATH_INFO"] == reverse(settings.LOGIN_URL)
    assert "You were not logged in when you saved" in page.text
    assert NOT_SAVED in page.text
    assert not LabResult.objects.exists()
    for session in Session.objects.all():
        assert "12345" not in str(session.get_decoded())
    # Said once.
    assert (
        "You were not logged in when you saved" not in client.get(reverse(settings.LOGIN_URL)).text
    )


def test_a_page_opened_after_the_session_ended_says_so(nurse: User) -> None:
    """A link followed, or the idle timer's own move to the login page (static/js/idle.js)."""
    for target in (reverse("patients:list"), reverse(settings.LOGIN_URL) + "?next=/patients/"):
        client = login(nurse)
        _expire(client)
        page = client.get(target, follow=True)
        assert page.request["PATH_INFO"] == reverse(settings.LOGIN_URL)
        assert ENDED in page.text
        assert "must be entered again after you log in" in page.text
        assert NOT_SAVED not in page.text


def test_a_first_visit_without_a_session_has_no_message(patient: Patient) -> None:
    client = Client()
    page = client.get(reverse("patients:list"), follow=True)
    assert page.request["PATH_INFO"] == reverse(settings.LOGIN_URL)
    assert ENDED not in page.text
    url, typed = _lab_form(patient)
    page = client.post(url, typed, follow=True)
    assert ENDED not in page.text
    assert not LabResult.objects.exists()
    # A form posted without any session is a save lost, and said so (see above).
    assert "You were not logged in when you saved" in page.text


def test_a_live_session_has_no_message(nurse_client: Client) -> None:
    assert ENDED not in nurse_client.get(reverse("patients:list")).text


def test_logging_out_says_so_and_not_that_the_session_ended(nurse: User) -> None:
    client = login(nurse)
    response = client.post(reverse("accounts:logout"))
    assert response["Location"] == reverse(settings.LOGOUT_REDIRECT_URL)
    page = client.get(response["Location"])
    assert SIGNED_OUT in page.text
    assert ENDED not in page.text
    assert "_auth_user_id" not in client.session
    # Logging out again after the session ended elsewhere: still one plain message.
    client = login(nurse)
    _end_elsewhere(client)
    page = client.post(reverse("accounts:logout"), follow=True)
    assert SIGNED_OUT in page.text
    assert ENDED not in page.text


def test_the_absolute_limit_says_its_own_reason_once(nurse: User, patient: Patient) -> None:
    client = login(nurse)
    session = client.session
    session[LOGIN_AT_SESSION_KEY] = timezone.now().timestamp() - (12 * 60 * 60 + 1)
    session.save()
    url, typed = _lab_form(patient)
    page = client.post(url, typed, follow=True)
    assert "reached its 12-hour limit" in page.text
    assert NOT_SAVED in page.text
    assert ENDED not in page.text
    assert not LabResult.objects.exists()
