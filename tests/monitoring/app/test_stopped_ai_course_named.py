"""After the aromatase-inhibitor course is stopped, the summary and the patient page name the drug
with its dates, not "Aromatase inhibitor —" (phys12 F23)."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from monitoring.assessment.refresh import patient_assessment_refresh
from patients.models import Patient
from tests.factories import AromataseInhibitorCourseFactory
from tests.html_forms import without_nowrap

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _flat(client: Client, name: str, patient: Patient) -> str:
    response = client.get(reverse(f"monitoring:{name}", args=[patient.pk]))
    assert response.status_code == 200
    return " ".join(response.text.split())


def test_a_stopped_course_is_named_with_its_dates(nurse_client: Client, patient: Patient) -> None:
    start, stop = TODAY - dt.timedelta(days=120), TODAY - dt.timedelta(days=6)
    AromataseInhibitorCourseFactory(
        patient=patient, drug="anastrozole", start_date=start, stop_date=stop
    )
    patient_assessment_refresh(patient=patient)
    summary = without_nowrap(_flat(nurse_client, "patient_summary", patient))
    assert f"<dd>Anastrozole {start:%Y-%m-%d} to {stop:%Y-%m-%d}</dd>" in summary
    page = _flat(nurse_client, "patient", patient)
    assert f'Anastrozole<span class="d-block small">{start:%Y-%m-%d} to {stop:%Y-%m-%d}' in page


def test_a_current_course_still_reads_since(nurse_client: Client, patient: Patient) -> None:
    start = TODAY - dt.timedelta(days=120)
    AromataseInhibitorCourseFactory(
        patient=patient,
        drug="anastrozole",
        start_date=start - dt.timedelta(days=400),
        stop_date=start,
    )
    AromataseInhibitorCourseFactory(patient=patient, drug="letrozole", start_date=start)
    patient_assessment_refresh(patient=patient)
    summary = without_nowrap(_flat(nurse_client, "patient_summary", patient))
    # With the time on aromatase inhibitors since the first start (phys14 #2).
    first = start - dt.timedelta(days=400)
    assert (
        f"<dd>Letrozole since {start:%Y-%m-%d} (aromatase inhibitor since {first:%Y-%m-%d})</dd>"
        in summary
    )
