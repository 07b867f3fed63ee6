"""The patient's letter words a significant change by its direction (phys13 #1): CHG-LSC finds a
change significant either way, and a spine gone up from 1.000 to 1.040 g/cm² on the same scanner
read "has gone down by more than the scanner's margin of error", while the GP letter and the
summary said +0.040, significant."""

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.models import DexaMeasurement
from monitoring.overview.letters import DOCTOR, PATIENT, letter
from patients.models import Patient
from tests.factories import AromataseInhibitorCourseFactory, DexaScanFactory
from tests.html_forms import letter_text

TODAY = timezone.localdate()
SINCE = "2026-04-20"


def _change(site: str, g_cm2: str, *, significant: bool = True) -> dict[str, Any]:
    return {
        "site": site,
        "significant": significant,
        "from_date": SINCE,
        "to_date": "2026-12-03",
        "change_pct": f"{float(g_cm2) * 100:.1f}",
        "change_g_cm2": g_cm2,
        "lsc_g_cm2": "0.030",
    }


def _said(*changes: dict[str, Any]) -> list[str]:
    data = {"as_of": TODAY.isoformat(), "bmd_changes": list(changes)}
    return [
        sentence.text
        for sentence in letter(data, PATIENT, today=TODAY).results
        if sentence.text.startswith("Since your scan")
    ]


def test_a_gain_reads_as_a_gain() -> None:
    assert _said(_change("lumbar_spine", "0.040")) == [
        f"Since your scan of {SINCE}, the bone density of your lumbar spine has gone up by more "
        "than the scanner's margin of error: a real improvement."
    ]


def test_a_loss_reads_as_a_loss() -> None:
    assert _said(_change("lumbar_spine", "-0.040"), _change("total_hip", "-0.030")) == [
        f"Since your scan of {SINCE}, the bone density of your lumbar spine and total hip has "
        "gone down by more than the scanner's margin of error."
    ]


def test_sites_gone_different_ways_are_told_apart() -> None:
    said = _said(
        _change("total_hip", "-0.030"),
        _change("lumbar_spine", "0.040"),
        _change("femoral_neck", "0.040"),
    )
    assert said == [
        f"Since your scan of {SINCE}, the bone density of your lumbar spine and femoral neck has "
        "gone up and that of your total hip has gone down, each by more than the scanner's "
        "margin of error."
    ]


def test_no_significant_change_is_not_told() -> None:
    assert _said(_change("lumbar_spine", "0.010", significant=False)) == []
    assert _said() == []


def test_the_doctors_letter_signs_the_percentage() -> None:
    data = {"as_of": TODAY.isoformat(), "bmd_changes": [_change("lumbar_spine", "0.040")]}
    texts = [sentence.text for sentence in letter(data, DOCTOR, today=TODAY).results]
    assert any(text.startswith("Lumbar spine: +4.0 % (+0.040 g/cm²)") for text in texts)


@pytest.mark.django_db
def test_a_spine_gone_up_on_the_same_scanner_reads_up_in_both_letters(
    nurse_client: Client, patient: Patient
) -> None:
    """phys13 #1, patient 226: spine 1.000 then 1.040 g/cm², the hip and neck unchanged."""
    AromataseInhibitorCourseFactory(patient=patient, start_date=TODAY - dt.timedelta(days=900))
    first = DexaScanFactory(patient=patient, scan_date=TODAY - dt.timedelta(days=230), t=-1.2)
    later = DexaScanFactory(
        patient=patient, scan_date=TODAY - dt.timedelta(days=4), scanner=first.scanner, t=-0.9
    )
    DexaMeasurement.objects.filter(scan=first, site="lumbar_spine").update(bmd="1.000")
    DexaMeasurement.objects.filter(scan=later, site="lumbar_spine").update(bmd="1.040")
    patient_assessment_refresh(patient=patient)
    since = first.scan_date.isoformat()
    patient_letter = letter_text(nurse_client, patient, "patient")
    assert (
        f"Since your scan of {since}, the bone density of your lumbar spine has gone up by more "
        "than the scanner's margin of error: a real improvement." in patient_letter
    )
    assert "gone down" not in patient_letter
    doctor = letter_text(nurse_client, patient, "doctor")
    assert "Lumbar spine: +4.0 % (+0.040 g/cm²)" in doctor
