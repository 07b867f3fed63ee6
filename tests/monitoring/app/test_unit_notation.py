"""One notation for a unit on every page, chart and letter: "mL/min/1.73 m²" and "g/cm²" (phys12
F15: the labs table, chart and checklist wrote "mL/min/1.73m2", the alerts "mL/min/1.73 m²", and
one GP letter "g/cm2" and "g/cm²"). The stored unit keeps its plain spelling."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.models import LabResult
from monitoring.overview.lab_texts import unit_notation
from patients.models import Patient
from tests.factories import LabResultFactory, scans_showing_spine_loss

TODAY = timezone.localdate()


def test_the_notation() -> None:
    assert unit_notation("eGFR 72 mL/min/1.73m2; BMD 0.830 g/cm2") == (
        "eGFR 72 mL/min/1.73 m²; BMD 0.830 g/cm²"
    )
    assert unit_notation("already 72 mL/min/1.73 m²") == "already 72 mL/min/1.73 m²"


@pytest.mark.django_db
def test_the_patient_page_and_gp_letter_write_one_notation(
    nurse_client: Client, patient: Patient
) -> None:
    scans_showing_spine_loss(patient)
    LabResultFactory(
        patient=patient,
        sample_date=TODAY - dt.timedelta(days=5),
        analyte="egfr",
        value=Decimal(72),
        entered_value=Decimal(72),
        entered_unit="mL/min/1.73m2",
    )
    patient_assessment_refresh(patient=patient)
    page = nurse_client.get(reverse("monitoring:patient", args=[patient.pk])).text
    assert "72 mL/min/1.73 m²" in page
    assert "1.73m2" not in page.replace('"mL/min/1.73m2"', "")  # a form's choice value may stay
    letter = nurse_client.get(reverse("monitoring:letter", args=[patient.pk, "doctor"])).text
    assert "g/cm²" in letter
    assert "g/cm2" not in letter
    assert LabResult.objects.get(patient=patient).entered_unit == "mL/min/1.73m2"
