"""The checklist says "Not checked" where the rules make no check for the drug, never "Passed"
(physician7 F13, and the display part of F2): the dental review before an oral bisphosphonate,
and calcium there with no result of the last 12 months (a recent low one fails: nurse10 F1,
CA-LOW-OTHER; an older low one is a caution in words, not a gate). Kidney function before
denosumab with no result on file, "Not checked" until physician10 F4, now fails
(tests/monitoring/app/test_kidney_unknown_and_decisions.py)."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from monitoring.models import BoneTherapyCourse
from patients.models import Patient
from tests.factories import LabResultFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
UNITS = {"vitamin_d_25oh": "ng/mL", "calcium": "mmol/L", "egfr": "mL/min/1.73m2"}


def _labs(patient: Patient, **values: str) -> None:
    for analyte, value in values.items():
        LabResultFactory(
            patient=patient,
            sample_date=TODAY - timedelta(days=7),
            analyte=analyte,
            value=Decimal(value),
            entered_value=Decimal(value),
            entered_unit=UNITS[analyte],
        )


def _start(client: Client, patient: Patient, drug: str) -> str:
    data = {"drug": drug, "dose": "as labelled", "start_date": TODAY.isoformat()}
    return client.post(reverse("monitoring:therapy_create", args=[patient.pk]), data).text


def _row(page: str, check: str) -> str:
    found = re.search(rf'<tr data-check="{check}" data-status="(\w+)">(.*?)</tr>', page, re.S)
    assert found, check
    return f"{found.group(1)} {re.sub(r'<[^>]+>', ' ', found.group(2))}"


def test_kidney_function_before_denosumab_with_no_result_fails(
    physician_client: Client, patient: Patient
) -> None:
    _labs(patient, vitamin_d_25oh="18")  # fails: the checklist is shown
    row = _row(_start(physician_client, patient, "denosumab"), "renal")
    assert row.startswith("failed")
    assert "Not checked" not in row
    assert "No creatinine clearance or eGFR in the last 12 months for denosumab" in row


def test_a_recent_low_calcium_before_alendronate_fails_the_check(
    physician_client: Client, patient: Patient
) -> None:
    """nurse10 F1: hypocalcaemia is a contraindication of alendronate (CA-LOW-OTHER): the check
    fails, no longer a caution "not checked by the rules"."""
    _labs(patient, vitamin_d_25oh="40", calcium="2.10", egfr="28")  # eGFR 28 fails alendronate
    page = _start(physician_client, patient, "alendronate")
    calcium = _row(page, "calcium")
    assert calcium.startswith("failed")
    assert "2.1 mmol/L" in calcium  # the value on file is shown
    assert "hypocalcaemia is a contraindication of alendronate" in calcium
    assert "Not checked" not in calcium
    dental = _row(page, "dental")
    assert dental.startswith("not_checked")
    assert "Not checked by the rules for this drug." in dental
    assert _row(page, "renal").startswith("failed")
    assert not BoneTherapyCourse.objects.exists()


def test_a_low_calcium_older_than_12_months_before_alendronate_is_a_caution(
    physician_client: Client, patient: Patient
) -> None:
    """Only a result of the last 12 months counts (as in CA-LOW): an older low one is said in
    words, not a gate, and the course is saved without an override."""
    LabResultFactory(
        patient=patient,
        sample_date=TODAY - timedelta(days=400),
        analyte="calcium",
        value=Decimal("2.10"),
        entered_value=Decimal("2.10"),
        entered_unit="mmol/L",
    )
    _labs(patient, vitamin_d_25oh="40", egfr="28")  # eGFR 28 fails: the checklist is shown
    calcium = _row(_start(physician_client, patient, "alendronate"), "calcium")
    assert calcium.startswith("caution")
    assert "the label of alendronate" in calcium
    assert "advises correcting hypocalcaemia before it is started" in calcium
    assert "no result of the last 12 months" in calcium


def test_a_normal_calcium_before_alendronate_passes_and_saves(
    physician_client: Client, patient: Patient
) -> None:
    _labs(patient, vitamin_d_25oh="40", calcium="2.30", egfr="80")
    _start(physician_client, patient, "alendronate")
    course = BoneTherapyCourse.objects.get(patient=patient, drug="alendronate")
    assert course.safety_checks_failed == []
    assert course.safety_override_reason == ""
