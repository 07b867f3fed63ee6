"""phys14 #1 through the pages: a woman of 78, 48 kg, on zoledronic acid (the infusion due in 3
days), eGFR 80 and a creatinine of 160 µmol/L 10 days ago, no eGFR in that sample (a
Cockcroft-Gault clearance of 19.4 mL/min). The creatinine speaks last (domain.rules.kidney): a
RENAL alert (RENAL_FUNCTION_UNKNOWN, high) names it, the dose and therapy forms' kidney check
fails on that estimate (a physician overrides it), and the worklist's infusion row carries the
alert beside "Record dose", with the renal bloods asked for."""

import csv
import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.models import Alert, BoneTherapyCourse, BoneTherapyDose
from monitoring.records.dose_safety import dose_checklist
from patients.models import Patient
from tests.factories import LabResultFactory, course_with_a_dose_due
from tests.html_forms import visible_text

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
CREATININE_ON = TODAY - timedelta(days=10)
EGFR_ON = TODAY - timedelta(days=20)  # `course_with_a_dose_due`'s labs: eGFR 80
REASON = "eGFR by phone this morning: 78; physician decided to give it"


@pytest.fixture
def t14(patient: Patient) -> Patient:
    """T14-01 as of today: 78 on the creatinine's date, 48 kg."""
    born = date(CREATININE_ON.year - 78, 1, 1)  # 78 on every day of the creatinine's year
    Patient.objects.filter(pk=patient.pk).update(birth_date=born, weight_kg=Decimal(48))
    patient.refresh_from_db()
    return patient


@pytest.fixture
def course(t14: Patient) -> BoneTherapyCourse:
    """Zoledronic acid, its last infusion 180 days ago (the next due in 3 or so days), the labs
    of 20 days ago in range (eGFR 80), then the creatinine of 160 µmol/L alone."""
    course = course_with_a_dose_due(t14, "zoledronic_acid", days=180, since=180)
    LabResultFactory(
        patient=t14,
        sample_date=CREATININE_ON,
        analyte="creatinine",
        value=Decimal(160),
        entered_value=Decimal(160),
        entered_unit="µmol/L",
    )
    patient_assessment_refresh(patient=t14)
    return course


def _renal_row(page: str) -> tuple[str, str]:
    found = re.search(r'<tr data-check="renal" data-status="(\w+)">(.*?)</tr>', page, re.S)
    assert found is not None
    return found.group(1), visible_text(found.group(2))


def test_the_alert_names_the_creatinine_its_date_and_estimate(course: BoneTherapyCourse) -> None:
    alert = Alert.objects.get(
        patient_id=course.patient_id, code="RENAL_FUNCTION_UNKNOWN", cleared_at__isnull=True
    )
    assert alert.severity == "high"
    assert alert.message.startswith(
        f"Creatinine 160.00 µmol/L on {CREATININE_ON.isoformat()} gives an estimated clearance "
        "of 19.4 mL/min (Cockcroft-Gault, weight on record 48 kg), below zoledronic acid's 35 "
        f"mL/min limit, and is newer than the eGFR 80.00 mL/min/1.73 m² on {EGFR_ON.isoformat()}"
    )


def test_the_patient_page_shows_the_alert(
    physician_client: Client, course: BoneTherapyCourse
) -> None:
    page = visible_text(
        physician_client.get(reverse("monitoring:patient", args=[course.patient_id])).text
    )
    assert "Kidney function to measure" in page
    assert "below zoledronic acid's 35 mL/min limit" in page


def test_the_dose_form_fails_the_kidney_check_on_the_newer_creatinine(
    physician_client: Client, course: BoneTherapyCourse
) -> None:
    url = reverse("monitoring:dose_create", args=[course.patient_id, course.pk])
    status, words = _renal_row(physician_client.get(url).text)
    assert status == "failed"
    assert "Passed" not in words
    assert "19.4 mL/min" in words  # the estimate speaks, not the eGFR 80
    assert CREATININE_ON.isoformat() in words
    assert "Creatinine 160" in words
    assert "Override: a physician only." in words


def test_a_nurse_cannot_record_the_infusion_past_it_and_a_physician_can_with_a_reason(
    nurse_client: Client, physician_client: Client, course: BoneTherapyCourse
) -> None:
    url = reverse("monitoring:dose_create", args=[course.patient_id, course.pk])
    given = {"given_on": TODAY.isoformat(), "safety_override": "on", "override_reason": REASON}
    before = list(BoneTherapyDose.objects.filter(course=course).values_list("pk", flat=True))

    refused = nurse_client.post(url, {"given_on": TODAY.isoformat()})
    assert refused.status_code == 200  # the form again, with the failed check
    refused = nurse_client.post(url, given)
    assert refused.status_code == 200
    assert "Only a physician may override Kidney function" in visible_text(refused.text)
    assert list(BoneTherapyDose.objects.filter(course=course).values_list("pk", flat=True)) == (
        before
    )

    saved = physician_client.post(url, given)
    assert saved.status_code == 302
    assert BoneTherapyDose.objects.filter(course=course, given_on=TODAY).count() == 1


def test_the_therapy_form_fails_the_kidney_check_of_a_new_start(
    physician_client: Client, course: BoneTherapyCourse
) -> None:
    data = {
        "drug": "alendronate",
        "dose": "70 mg weekly",
        "start_date": TODAY.isoformat(),
        "dental_review_date": (TODAY - timedelta(days=10)).isoformat(),
    }
    response = physician_client.post(
        reverse("monitoring:therapy_create", args=[course.patient_id]), data
    )
    status, words = _renal_row(response.text)
    assert status == "failed"
    assert "19.4 mL/min" in words
    assert "below alendronate's 35 mL/min limit" in words
    assert not BoneTherapyCourse.objects.filter(
        patient_id=course.patient_id, drug="alendronate"
    ).exists()


def _worklist_rows(client: Client, mrn: str) -> list[dict[str, str]]:
    response = client.get(reverse("monitoring:worklist_csv"), {"weeks": 8})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return [row for row in csv.DictReader(io.StringIO(text)) if row["mrn"] == mrn]


def test_the_worklist_infusion_row_carries_the_alert_and_the_bloods_are_asked(
    nurse_client: Client, course: BoneTherapyCourse
) -> None:
    mrn = course.patient.mrn
    rows = {row["item"]: row for row in _worklist_rows(nurse_client, mrn)}
    infusion = rows["Zoledronic acid infusion"]
    assert (infusion["severity"], infusion["alert"]) == ("high", "Kidney function to measure")
    bloods = rows["Bloods before the antiresorptive (renal function)"]
    assert bloods["severity"] == "high"

    page = visible_text(nurse_client.get(reverse("monitoring:worklist"), {"weeks": 8}).text)
    row = re.search(r"Zoledronic acid infusion(.{0,80})", page)
    assert row is not None
    assert "High Kidney function to measure" in row.group(1)


def test_a_measured_egfr_after_the_creatinine_clears_it_and_the_check_passes(
    physician_client: Client, course: BoneTherapyCourse
) -> None:
    LabResultFactory(
        patient=course.patient,
        sample_date=TODAY,
        analyte="egfr",
        value=Decimal(70),
        entered_value=Decimal(70),
        entered_unit="mL/min/1.73m2",
    )
    patient_assessment_refresh(patient=course.patient)
    assert not Alert.objects.filter(
        patient_id=course.patient_id, code__startswith="RENAL", cleared_at__isnull=True
    ).exists()
    url = reverse("monitoring:dose_create", args=[course.patient_id, course.pk])
    status, words = _renal_row(physician_client.get(url).text)
    assert status == "passed"
    assert "70 mL/min/1.73 m²" in words


def test_a_dose_dated_before_the_creatinine_gets_its_later_result_row(
    course: BoneTherapyCourse,
) -> None:
    """nurse12 F3's later results: a dose dated before the creatinine is also judged on the
    creatinine's day, where it speaks last, so backdating the dose does not pass it by."""
    given_on = CREATININE_ON - timedelta(days=2)
    checklist = dose_checklist(patient=course.patient, course=course, given_on=given_on)
    own = {check.key: check.status for check in checklist.checks if not check.after_dose}
    assert own["renal"] == "passed"  # the eGFR 80 of its own day
    (later,) = checklist.later_results
    assert (later.key, later.date, later.value) == ("renal_after", CREATININE_ON, "19.4 mL/min")
    assert later.physician_override
