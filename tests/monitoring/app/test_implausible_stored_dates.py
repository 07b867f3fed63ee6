"""A record holding a date the rules refuse still opens: its data and a data-quality warning.

Such dates can no longer be entered (every form bounds its dates), but older rows or a bulk load
may hold them; one such value must never make a patient unviewable for everyone.
"""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.models import BoneTherapyCourse, MonitoringPlan
from patients.models import Patient
from tests.factories import AromataseInhibitorCourseFactory, DexaScanFactory

pytestmark = pytest.mark.django_db
FAR = date(2350, 1, 1)
PAGES = ["monitoring:patient", "monitoring:patient_summary", "monitoring:scan_request"]


def _ai_start(patient: Patient) -> None:
    AromataseInhibitorCourseFactory(patient=patient, start_date=FAR)


def _therapy_start(patient: Patient) -> None:
    BoneTherapyCourse.objects.create(patient=patient, drug="denosumab", start_date=FAR)


def _dental_review(patient: Patient) -> None:
    BoneTherapyCourse.objects.create(
        patient=patient, drug="zoledronic_acid", start_date=date(2024, 3, 1), dental_review_date=FAR
    )


def _planned_dexa(patient: Patient) -> None:
    MonitoringPlan.objects.create(patient=patient, next_dexa_due=FAR, reason="typo")


@pytest.mark.parametrize("store", [_ai_start, _therapy_start, _dental_review, _planned_dexa])
@pytest.mark.parametrize("page", PAGES)
def test_pages_render_a_record_with_an_implausible_date(
    physician_client: Client, patient: Patient, store: object, page: str
) -> None:
    DexaScanFactory(patient=patient, scan_date=date(2024, 1, 10))
    store(patient)  # type: ignore[operator]
    patient_assessment_refresh(patient=patient)
    response = physician_client.get(reverse(page, args=[patient.pk]))
    assert response.status_code == 200
    assert "Data-quality warning" in response.text
    assert "2350-01-01" in response.text
    assert patient.mrn in response.text


def test_a_plausible_record_shows_no_warning(physician_client: Client, patient: Patient) -> None:
    DexaScanFactory(patient=patient, scan_date=date(2024, 1, 10))
    patient_assessment_refresh(patient=patient)
    response = physician_client.get(reverse("monitoring:patient", args=[patient.pk]))
    assert "Data-quality warning" not in response.text


@pytest.mark.parametrize("pk", ["99999999999999999999", "9223372036854775808", "0"])
def test_an_id_beyond_any_integer_is_a_404(physician_client: Client, pk: str) -> None:
    for path in (f"/patients/{pk}/", f"/patients/{pk}/summary/", f"/patients/{pk}/edit/"):
        assert physician_client.get(path).status_code == 404
