"""A refused form says so at its top (nurse10 F9): "Not saved: N problems below", each problem
linked to its field, in a role=alert box that static/js/form-errors.js focuses; a form-wide error
is said once, in that box. One template (templates/bootstrap5/errors.html) draws it for every
crispy form."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from bonehealth.accounts.models import Site
from monitoring.models import LabResult
from patients.models import Patient
from tests.patients.test_patient_forms import valid_data

pytestmark = pytest.mark.django_db


def _summary(page: str) -> str:
    boxes = re.findall(r'<div class="alert alert-danger error-summary".*?</div>', page, re.S)
    assert len(boxes) == 1, boxes
    return boxes[0]


def test_a_refused_registration_is_summarised_at_the_top(nurse_client: Client, site: Site) -> None:
    data = valid_data(site, oral_glucocorticoid_months="3,5", height_cm="90")
    response = nurse_client.post(reverse("patients:create"), data)
    assert response.status_code == 200
    page = response.text
    summary = _summary(page)
    assert 'role="alert"' in summary
    assert 'tabindex="-1"' in summary
    assert "Not saved: 2 problems below" in summary
    assert '<a class="alert-link" href="#id_height_cm"' in summary
    assert '<a class="alert-link" href="#id_oral_glucocorticoid_months"' in summary
    assert "Enter a whole number." in summary
    # Above the form's first field, and the script that focuses it is on the page.
    assert page.index("error-summary") < page.index('name="mrn"')
    assert "js/form-errors.js" in page
    assert not Patient.objects.exists()


def test_a_radio_list_is_linked_by_its_first_choice(nurse_client: Client, patient: Patient) -> None:
    url = reverse("monitoring:labs_create", args=[patient.pk])
    data = {"sample_date": "2024-01-10", "ctx_value": "0.2", "ctx_unit": "ng/mL"}
    summary = _summary(nurse_client.post(url, data).text)
    assert "Not saved: 1 problem below" in summary
    assert 'href="#id_fasting_0"' in summary
    assert not LabResult.objects.exists()


def test_a_form_wide_error_is_said_once(nurse_client: Client, patient: Patient) -> None:
    url = reverse("monitoring:labs_create", args=[patient.pk])
    page = nurse_client.post(url, {"sample_date": "2024-01-10"}).text
    summary = _summary(page)
    assert "Not saved" in summary
    assert page.count("Enter at least one result.") == 1
    assert "Enter at least one result." in summary
    assert not LabResult.objects.exists()


def test_a_form_not_sent_has_no_summary(nurse_client: Client) -> None:
    assert "error-summary" not in nurse_client.get(reverse("patients:create")).text


def test_a_refused_sign_in_says_not_signed_in(client: Client, nurse: object) -> None:
    page = client.post(reverse("accounts:login"), {"username": "nurse", "password": "x"}).text
    summary = _summary(page)
    assert "Not signed in" in summary
    assert "Not saved" not in summary
