"""Sessions: pages never stored, the idle timer, key rotation at the second factor, turning the
second factor off, ending one's other sessions, the health check over HTTP, methods refused."""

from typing import Any

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db.models import QuerySet
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from bonehealth.accounts.models import User
from bonehealth.audit.models import AuditAction, AuditEvent
from patients.models import Patient
from tests.accounts.test_two_factor import PASSWORD, code_for, password_login
from tests.conftest import login

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "with_patient"),
    [
        ("monitoring:patient", True),
        ("monitoring:patient_summary", True),
        ("patients:list", False),
        ("monitoring:worklist", False),
        ("monitoring:worklist_csv", False),
    ],
)
def test_patient_pages_are_never_stored(
    nurse_client: Client, patient: Patient, name: str, with_patient: bool
) -> None:
    url = reverse(name, args=[patient.pk] if with_patient else [])
    response = nurse_client.get(url)
    assert response.status_code == 200
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= cache_control


def test_a_cached_patient_page_body_is_still_sent_no_store(
    nurse_client: Client, patient: Patient
) -> None:
    # The second view finds the page's fragments in the server-side cache.
    url = reverse("monitoring:patient", args=[patient.pk])
    nurse_client.get(url)
    assert "no-store" in nurse_client.get(url)["Cache-Control"]


def test_the_logout_response_is_not_stored(nurse_client: Client) -> None:
    response = nurse_client.post(reverse("accounts:logout"))
    assert "no-store" in response["Cache-Control"]


def test_pages_carry_the_idle_timer_without_inline_script(nurse_client: Client) -> None:
    response = nurse_client.get(reverse("patients:list"))
    body = response.text
    assert 'src="/static/js/idle.js"' in body
    assert 'data-idle-seconds="' in body
    seconds = int(body.split('data-idle-seconds="', 1)[1].split('"', 1)[0])
    assert 0 < seconds <= 15 * 60
    assert f'data-idle-login-url="{reverse("accounts:login")}"' in body


def test_the_login_page_has_no_idle_timer() -> None:
    assert "idle.js" not in Client().get(reverse("accounts:login")).text


# Session and second factor (issue 14, item 7).


def _session_key(client: Client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def test_the_totp_step_gives_the_session_a_new_key(client: Client, admin_user: User) -> None:
    password_login(client, "admin")
    before = _session_key(client)
    device = TOTPDevice.objects.get(user=admin_user)
    assert (
        client.post(reverse("accounts:otp_verify"), {"token": code_for(device)}).status_code == 302
    )
    after = _session_key(client)
    assert after != before
    # The key an observer may have seen before the second factor opens nothing.
    assert not Session.objects.filter(session_key=before).exists()
    assert client.get(reverse("accounts:user_list")).status_code == 200


@pytest.fixture
def nurse_with_device(nurse: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=nurse, name="phone", confirmed=True)


def _turned_off() -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(changes__two_factor=["on", "off"])


@pytest.mark.parametrize(
    ("password", "right_code"),
    [("", False), (PASSWORD, False), ("not-my-password", True), ("", True)],
)
def test_turning_two_factor_off_needs_the_password_and_a_current_code(
    nurse: User, nurse_with_device: TOTPDevice, password: str, right_code: bool
) -> None:
    client = login(nurse)
    token = code_for(nurse_with_device) if right_code else code_for(nurse_with_device, offset=9)
    response = client.post(
        reverse("accounts:two_factor_disable"), {"password": password, "token": token}
    )
    assert response.status_code == 200
    assert TOTPDevice.objects.filter(user=nurse, confirmed=True).exists()
    assert not _turned_off().exists()


def test_the_password_and_a_current_code_turn_two_factor_off(
    nurse: User, nurse_with_device: TOTPDevice
) -> None:
    client = login(nurse)
    response = client.post(
        reverse("accounts:two_factor_disable"),
        {"password": PASSWORD, "token": code_for(nurse_with_device)},
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=nurse).exists()
    assert _turned_off().get().actor == nurse


def test_log_out_my_other_sessions(nurse: User, physician: User) -> None:
    here, phone, elsewhere = login(nurse), login(nurse), login(physician)
    patients = reverse("patients:list")
    assert phone.get(patients).status_code == 200
    response = here.post(reverse("accounts:sessions_end_others"))
    assert response.status_code == 302
    assert here.get(patients).status_code == 200
    assert phone.get(patients)["Location"].startswith(reverse("accounts:login"))
    assert elsewhere.get(patients).status_code == 200
    event = AuditEvent.objects.get(changes__sessions_ended=1)
    assert event.actor == nurse


def test_the_other_sessions_button_is_on_the_two_factor_page(nurse_client: Client) -> None:
    page = nurse_client.get(reverse("accounts:two_factor")).text
    assert f'action="{reverse("accounts:sessions_end_others")}"' in page
    assert 'method="post"' in page


def test_health_answers_plain_http_when_https_is_enforced(settings: Any) -> None:
    settings.SECURE_SSL_REDIRECT = True
    client = Client()
    assert client.get("/health/").status_code == 200
    # Everything else still moves to HTTPS.
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_patient_page_accepts_get_and_head_only(
    nurse_client: Client, patient: Patient, method: str
) -> None:
    url = reverse("monitoring:patient", args=[patient.pk])
    assert getattr(nurse_client, method)(url).status_code == 405
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW).exists()
    assert nurse_client.head(url).status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.VIEW).count() == 1
