"""nurse12 F14 on the patient forms: the planned duration refused in the course form's words on
registration too, a height typed in metres told it is in cm, and "an aromatase-inhibitor start"."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from bonehealth.accounts.models import Site
from patients.models import Patient
from tests.factories import AromataseInhibitorCourseFactory
from tests.html_forms import posted_data
from tests.patients.test_patient_forms import valid_data

pytestmark = pytest.mark.django_db


def test_registration_refuses_a_planned_duration_as_the_course_form_does(
    nurse_client: Client, site: Site
) -> None:
    refused = nurse_client.post(
        reverse("patients:create"), valid_data(site, ai_planned_duration_months="600")
    )
    assert refused.context["form"].errors["ai_planned_duration_months"] == [
        "Enter between 1 and 240 months."
    ]
    assert not Patient.objects.exists()


def test_a_height_in_metres_is_told_it_is_in_cm(nurse_client: Client, site: Site) -> None:
    refused = nurse_client.post(reverse("patients:create"), valid_data(site, height_cm="1.625"))
    assert refused.context["form"].errors["height_cm"] == ["Height is in cm: 1.625 m is 162.5 cm."]
    assert refused.context["form"]["height_cm"].value() == "1.625"  # kept as typed
    assert not Patient.objects.exists()


def test_an_aromatase_inhibitor_start_takes_an(nurse_client: Client, patient: Patient) -> None:
    AromataseInhibitorCourseFactory(patient=patient, start_date=date(2024, 1, 15))
    url = reverse("patients:update", args=[patient.pk])
    data = posted_data(nurse_client.get(url).text, having="version")
    refused = nurse_client.post(url, data | {"birth_date": "2024-06-01"})
    assert refused.context["form"].errors["birth_date"] == [
        "The record holds an aromatase-inhibitor start on 2024-01-15, before this date of birth."
    ]
    patient.refresh_from_db()
    assert patient.birth_date == date(1958, 4, 12)
