"""nurse12 F10: with vitamin D recorded as taken, the patient's letter still said "we recommend a
vitamin D supplement", and the summary did not show the supplements at all."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.models import Supplements
from patients.models import Patient
from tests.factories import AromataseInhibitorCourseFactory, LabResultFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
RECOMMEND = "we recommend a vitamin D supplement"


@pytest.fixture
def deficient(patient: Patient) -> Patient:
    AromataseInhibitorCourseFactory(patient=patient, start_date=TODAY - dt.timedelta(days=30))
    day = TODAY - dt.timedelta(days=5)
    LabResultFactory(patient=patient, sample_date=day, value=15, entered_value=15)
    patient_assessment_refresh(patient=patient)
    return patient


def _letter(client: Client, patient: Patient, kind: str) -> str:
    return client.get(reverse("monitoring:letter", args=[patient.pk, kind])).text


def test_without_a_supplement_a_vitamin_d_supplement_is_recommended(
    nurse_client: Client, deficient: Patient
) -> None:
    assert RECOMMEND in _letter(nurse_client, deficient, "patient")
    summary = nurse_client.get(reverse("monitoring:patient_summary", args=[deficient.pk])).text
    assert "Supplements: not recorded." in summary


def test_a_supplement_taken_is_kept_up_and_its_dose_checked(
    nurse_client: Client, deficient: Patient
) -> None:
    Supplements.objects.create(patient=deficient, calcium=True, vitamin_d=True)
    patient = _letter(nurse_client, deficient, "patient")
    assert RECOMMEND not in patient
    assert "although you take a vitamin D supplement: please keep taking it" in patient
    assert "The dose may need checking" in patient
    assert "Please keep taking your calcium and vitamin D supplements." in patient
    assert "make sure you get enough calcium" not in patient.lower()
    doctor = _letter(nurse_client, deficient, "doctor")
    assert "a vitamin D supplement is recorded as taken, so its dose may need checking" in doctor
    summary = nurse_client.get(reverse("monitoring:patient_summary", args=[deficient.pk])).text
    assert "Supplements: calcium yes, vitamin D yes." in summary


def test_calcium_alone_is_kept_up_and_vitamin_d_still_advised(
    nurse_client: Client, deficient: Patient
) -> None:
    Supplements.objects.create(patient=deficient, calcium=True, vitamin_d=False)
    patient = _letter(nurse_client, deficient, "patient")
    assert RECOMMEND in patient
    assert (
        "Please keep taking your calcium supplement, and make sure you get enough vitamin D"
        in patient
    )
    summary = nurse_client.get(reverse("monitoring:patient_summary", args=[deficient.pk])).text
    assert "Supplements: calcium yes, vitamin D no." in summary
