"""Authenticated pages are never stored by browsers or proxies; the page knows the idle limit."""

import pytest
from django.test import Client
from django.urls import reverse

from patients.models import Patient

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
    # The second view is served from the server-side page cache.
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
