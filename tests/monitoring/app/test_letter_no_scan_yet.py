"""A GP letter for a patient read on Z-scores with no scan yet says the baseline scan is due and
when, not to ask a DEXA report that does not exist for its Z-score (phys12 F19)."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.models import PatientAssessment
from patients.models import Patient
from tests.factories import AromataseInhibitorCourseFactory
from tests.html_forms import letter_text

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_a_premenopausal_woman_with_no_scan_yet_is_due_a_baseline_scan(
    nurse_client: Client, patient: Patient
) -> None:
    patient.sex, patient.menopausal_status = "F", "premenopausal"
    patient.save()
    AromataseInhibitorCourseFactory(patient=patient, start_date=TODAY - dt.timedelta(days=17))
    patient_assessment_refresh(patient=patient)
    data = PatientAssessment.objects.get(patient=patient).data
    due = next(r["due"] for r in data["recommendations"] if r["code"] == "BASELINE_DEXA")
    text = letter_text(nurse_client, patient, "doctor")
    assert f"No DEXA scan yet: a baseline scan is due ({due})." in text
    assert "ask the DEXA report" not in text
