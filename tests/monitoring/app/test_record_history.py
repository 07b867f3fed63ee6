"""A record's history for nurses and physicians (nurse12 F5): what a correction changed, who
marked an entry in error and why, in the patient page's words; read only (a GET writes one VIEW
row and nothing else), through the access gate, in a constant number of queries."""

import html as html_text
import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import User
from bonehealth.audit.models import AuditAction, AuditEvent
from bonehealth.audit.services import audit_record
from monitoring.models import (
    DexaScan,
    LabResult,
    PatientAssessment,
    Scanner,
)
from monitoring.models.choices import VertebralFractureAssessment
from monitoring.records.services.in_error import entry_mark_in_error
from monitoring.records.services.labs import LabEntry, lab_result_update, lab_results_record
from monitoring.records.services.plan import monitoring_plan_set, supplements_set
from monitoring.records.services.scans import Measurement, dexa_scan_record, dexa_scan_update
from monitoring.records.services.therapy import bone_therapy_dose_record, bone_therapy_start
from patients.models import Patient
from patients.services import patient_update
from tests.factories import LabResultFactory, PatientFactory, ScannerFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
SITES = {
    "lumbar_spine": Measurement(bmd=Decimal("0.912"), t_score=Decimal("-1.2")),
    "total_hip": Measurement(bmd=Decimal("0.801"), t_score=Decimal("-1.0")),
}
REASON = "checked with the GP by phone; MDT agreed"


def _scan(nurse: User, patient: Patient, scanner: Scanner) -> DexaScan:
    """A scan recorded with a vertebral fracture, then corrected to none and a lower T-score."""
    scan = dexa_scan_record(
        actor=nurse,
        patient=patient,
        values={
            "scan_date": TODAY - timedelta(days=3),
            "scanner": scanner,
            "vertebral_fracture_assessment": VertebralFractureAssessment.FRACTURE,
        },
        measurements=SITES,
    )
    return dexa_scan_update(
        actor=nurse,
        scan=scan,
        values={
            "scan_date": scan.scan_date,
            "scanner": scanner,
            "vertebral_fracture_assessment": VertebralFractureAssessment.NO_FRACTURE,
        },
        measurements={
            **SITES,
            "lumbar_spine": Measurement(bmd=Decimal("0.912"), t_score=Decimal("-2.6")),
        },
        expected_version=scan.version,
    )


def _calcium(nurse: User, patient: Patient, *values: str) -> LabResult:
    """A calcium recorded with the first value, corrected to each of the others."""
    (lab,) = lab_results_record(
        actor=nurse,
        patient=patient,
        sample_date=TODAY - timedelta(days=2),
        fasting=False,
        entries=[LabEntry(analyte="calcium", value=Decimal(values[0]), unit="mmol/L")],
    )
    for value in values[1:]:
        lab = lab_result_update(
            actor=nurse,
            result=lab,
            sample_date=lab.sample_date,
            fasting=False,
            entry=LabEntry(analyte="calcium", value=Decimal(value), unit="mmol/L"),
            expected_version=lab.version,
        )
    return lab


def _url(patient: Patient, kind: str, record: Any = None) -> str:
    if record is None:
        return reverse("monitoring:history", args=[patient.pk, kind])
    return reverse("monitoring:record_history", args=[patient.pk, kind, record.pk])


def _state() -> dict[str, Any]:
    """What a GET must leave as it was: every row but the audit trail's views."""
    return {
        "events": list(
            AuditEvent.objects.exclude(action=AuditAction.VIEW)
            .order_by("pk")
            .values_list("pk", flat=True)
        ),
        "scans": list(DexaScan.objects.values_list("pk", "version", "entered_in_error")),
        "labs": list(LabResult.objects.values_list("pk", "version", "entered_in_error")),
        "versions": list(PatientAssessment.objects.values_list("pk", "records_version")),
    }


def _cells(html: str) -> str:
    """The page's text with its markup dropped (spaces kept), for phrases split by tags."""
    return html_text.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)))


def test_a_scan_correction_shows_what_it_said_before_by_whom(
    nurse: User, physician_client: Client, patient: Patient
) -> None:
    scan = _scan(nurse, patient, ScannerFactory(site=patient.site))
    before = _state()
    views = AuditEvent.objects.filter(action=AuditAction.VIEW).count()
    response = physician_client.get(_url(patient, "scan", scan))
    assert response.status_code == 200
    text = _cells(response.text)
    assert "Created" in text
    assert "Changed" in text
    assert "VFA: Vertebral fracture seen → No vertebral fracture" in text
    assert "Lumbar spine (L1-L4): 0.912 g/cm² (T -1.2) → 0.912 g/cm² (T -2.6)" in text
    # The creation states what was recorded first, in the page's words.
    assert "VFA: Vertebral fracture seen" in text.split("Changed")[0]
    assert str(nurse) in text
    assert "vertebral_fracture_assessment" not in response.text
    # Read only: the one row written is the VIEW, naming the page and the record.
    assert _state() == before
    view = AuditEvent.objects.filter(action=AuditAction.VIEW).latest("pk")
    assert AuditEvent.objects.filter(action=AuditAction.VIEW).count() == views + 1
    assert view.patient_id == patient.pk
    assert view.changes == {
        "page": "monitoring:record_history",
        "kind": "scan",
        "record_pk": scan.pk,
    }


def test_numbers_keep_the_places_the_patient_page_shows(
    nurse: User, nurse_client: Client, patient: Patient
) -> None:
    """nurse13 #11: "T -2" and "0.85 g/cm²" on the History page, "T -2.0" and "0.850" on the
    patient page; a nurse checking a record against a paper report reads the same on both."""
    scan = _scan(nurse, patient, ScannerFactory(site=patient.site))
    dexa_scan_update(
        actor=nurse,
        scan=scan,
        values={"scan_date": scan.scan_date, "scanner": scan.scanner},
        measurements={
            **SITES,
            "lumbar_spine": Measurement(bmd=Decimal("0.85"), t_score=Decimal("-2"), z_score=-1),
        },
        expected_version=scan.version,
    )
    patient_update(
        actor=nurse, patient=patient, values={"weight_kg": 64}, expected_version=patient.version
    )

    history = _cells(nurse_client.get(_url(patient, "scan", scan)).text)
    assert "0.912 g/cm² (T -2.6) → 0.850 g/cm² (T -2.0, Z -1.0)" in history
    assert "(T -2)" not in history
    page = _cells(nurse_client.get(reverse("monitoring:patient", args=[patient.pk])).text)
    assert "0.850 (T -2.0, Z -1.0)" in page
    details = _cells(nurse_client.get(_url(patient, "patient")).text)
    assert "Weight: 60.0 kg → 64.0 kg" in details


def test_a_calcium_corrected_twice_shows_each_value_with_its_unit(
    nurse: User, nurse_client: Client, patient: Patient
) -> None:
    lab = _calcium(nurse, patient, "2.05", "2.15", "2.25")
    text = _cells(nurse_client.get(_url(patient, "lab", lab)).text)
    assert "Result: 2.05 mmol/L" in text
    assert "Result: 2.05 mmol/L → 2.15 mmol/L" in text
    assert "Result: 2.15 mmol/L → 2.25 mmol/L" in text
    assert text.index("2.05 mmol/L → 2.15") < text.index("2.15 mmol/L → 2.25")  # oldest first


def test_a_result_in_conventional_units_reads_as_the_labs_table_does(
    nurse: User, nurse_client: Client, patient: Patient
) -> None:
    patient.site.lab_units = "conventional"
    patient.site.save()
    lab = _calcium(nurse, patient, "2.05", "2.25")
    text = _cells(nurse_client.get(_url(patient, "lab", lab)).text)
    # To 0.1 mg/dL, as laboratories report it (nurse14 #6): 8.216 and 9.018.
    assert "Result: 8.2 mg/dL (entered as 2.05 mmol/L) → 9 mg/dL (entered as 2.25 mmol/L)" in text


def test_an_entry_marked_in_error_is_listed_with_who_when_why_and_its_history(
    nurse: User, physician: User, physician_client: Client, patient: Patient
) -> None:
    lab = _calcium(nurse, patient, "2.05")
    entry_mark_in_error(actor=nurse, entry=lab, patient=patient, reason="wrong patient's sample")
    page = physician_client.get(reverse("monitoring:patient", args=[patient.pk])).text
    assert "Show entries marked in error (1)" in page
    assert _url(patient, "lab", lab) not in page  # not in the labs table
    listing = physician_client.get(reverse("monitoring:entries_in_error", args=[patient.pk]))
    text = _cells(listing.text)
    assert "Calcium (albumin-adjusted)" in text
    assert "wrong patient's sample" in text
    assert str(nurse) in text
    assert _url(patient, "lab", lab) in listing.text
    history = _cells(physician_client.get(_url(patient, "lab", lab)).text)
    assert "Marked entered in error" in history
    assert "Reason: wrong patient's sample" in history
    assert "It is kept but not shown on the patient page" in history


def test_a_dose_marked_in_error_keeps_its_history(
    nurse: User, physician: User, nurse_client: Client, patient: Patient
) -> None:
    course = bone_therapy_start(
        actor=physician,
        patient=patient,
        values={"drug": "denosumab", "dose": "60 mg", "start_date": TODAY, "stop_date": None},
        override_reason=REASON,
    )
    dose = bone_therapy_dose_record(
        actor=physician, course=course, given_on=TODAY, override_reason=REASON
    )
    entry_mark_in_error(actor=nurse, entry=dose, patient=patient, reason="recorded twice")
    listing = _cells(
        nurse_client.get(reverse("monitoring:entries_in_error", args=[patient.pk])).text
    )
    assert f"Denosumab dose given on {TODAY:%Y-%m-%d}" in listing
    text = _cells(nurse_client.get(_url(patient, "dose", dose)).text)
    assert f"Given on: {TODAY:%Y-%m-%d}" in text
    assert f"reason: {REASON}" in text  # the override kept with the dose
    assert "Reason: recorded twice" in text
    course_text = _cells(nurse_client.get(_url(patient, "therapy", course)).text)
    assert "Drug: Denosumab" in course_text
    assert "Dose: 60 mg" in course_text


def test_the_patients_details_supplements_and_plan(
    nurse: User, physician: User, nurse_client: Client, patient: Patient
) -> None:
    patient_update(
        actor=nurse,
        patient=patient,
        values={"weight_kg": Decimal("70.5"), "smoking": "current"},
        expected_version=patient.version,
    )
    supplements = supplements_set(
        actor=nurse, patient=patient, calcium=True, vitamin_d=False, expected_version=0
    )
    supplements_set(
        actor=nurse,
        patient=patient,
        calcium=True,
        vitamin_d=True,
        expected_version=supplements.version,
    )
    monitoring_plan_set(
        actor=physician, patient=patient, next_dexa_due=TODAY + timedelta(days=200), reason="MDT"
    )
    details = _cells(nurse_client.get(_url(patient, "patient")).text)
    assert "Smoking: Never → Current" in details
    assert "kg → 70.5 kg" in details
    assert "smoking" not in details
    shown = _cells(nurse_client.get(_url(patient, "supplements")).text)
    assert "Vitamin D supplement: No → Yes" in shown
    plan = _cells(nurse_client.get(_url(patient, "plan")).text)
    assert f"Next DEXA due: {TODAY + timedelta(days=200):%Y-%m-%d}" in plan
    assert "Reason: MDT" in plan


def test_an_imported_creation_says_which_values_its_row_kept(
    nurse: User, nurse_client: Client, patient: Patient
) -> None:
    lab = LabResultFactory(
        patient=patient, analyte="vitamin_d_25oh", value=45, entered_value=45, entered_unit="ng/mL"
    )
    audit_record(
        action=AuditAction.CREATE,
        actor=nurse,
        obj=lab,
        patient=patient,
        changes={"source": "import", "analyte": lab.analyte},
    )
    text = _cells(nurse_client.get(_url(patient, "lab", lab)).text)
    assert "Created (imported)" in text
    assert "Result: 112 nmol/L (entered as 45 ng/mL)" in text  # whole nmol/L (nurse14 #6)
    assert "The audit row of this creation keeps only: Analyte" in text


def test_the_patient_page_links_each_record_to_its_history(
    nurse: User, nurse_client: Client, patient: Patient
) -> None:
    scan = _scan(nurse, patient, ScannerFactory(site=patient.site))
    lab = _calcium(nurse, patient, "2.30")
    page = nurse_client.get(reverse("monitoring:patient", args=[patient.pk])).text
    for url in [
        _url(patient, "scan", scan),
        _url(patient, "lab", lab),
        _url(patient, "patient"),
        _url(patient, "supplements"),
    ]:
        assert f'href="{url}"' in page


@pytest.mark.parametrize(
    ("kind", "record"),
    [("spaceship", True), ("patient", True), ("scan", False), ("lab", True)],
    ids=["unknown kind", "one per patient with an id", "a scan without an id", "no such lab"],
)
def test_a_history_of_nothing_is_404(
    nurse_client: Client, patient: Patient, kind: str, record: bool
) -> None:
    args: list[Any] = [patient.pk, kind, 999_999] if record else [patient.pk, kind]
    name = "monitoring:record_history" if record else "monitoring:history"
    assert nurse_client.get(reverse(name, args=args)).status_code == 404


def test_another_patients_record_is_refused_and_audited_against_its_patient(
    nurse: User, nurse_client: Client, patient: Patient
) -> None:
    other = PatientFactory(site=patient.site)
    lab = _calcium(nurse, other, "2.30")
    before = _state()
    response = nurse_client.get(
        reverse("monitoring:record_history", args=[patient.pk, "lab", lab.pk])
    )
    assert response.status_code == 404
    assert "2.3" not in response.text
    denied = AuditEvent.objects.filter(action=AuditAction.DENIED).latest("pk")
    assert denied.patient_id == other.pk
    after = _state()
    assert after["events"][:-1] == before["events"]  # the DENIED row only
    assert {k: v for k, v in after.items() if k != "events"} == {
        k: v for k, v in before.items() if k != "events"
    }


def test_an_admin_is_refused_and_sees_nothing(
    nurse: User, admin_client_: Client, patient: Patient
) -> None:
    lab = _calcium(nurse, patient, "2.05", "2.15")
    response = admin_client_.get(_url(patient, "lab", lab))
    assert response.status_code == 403
    assert "2.05" not in response.text


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_query_count_does_not_grow_with_the_history(
    nurse: User, physician: User, nurse_client: Client, patient: Patient
) -> None:
    scanner = ScannerFactory(site=patient.site)
    short = _scan(nurse, patient, scanner)
    long = _scan(nurse, PatientFactory(site=patient.site), ScannerFactory(site=patient.site))
    for n in range(6):
        long = dexa_scan_update(
            actor=physician if n % 2 else nurse,
            scan=long,
            values={"scan_date": long.scan_date - timedelta(days=n + 1), "scanner": scanner},
            measurements={**SITES, "femoral_neck": Measurement(Decimal("0.7"), Decimal(-n))},
            expected_version=long.version,
        )
    few = _queries(nurse_client, _url(patient, "scan", short))
    many = _queries(nurse_client, _url(long.patient, "scan", long))
    assert few == many
    # Session, user, permissions; the patient; the scan, its sites; the events; the scanners
    # and the users named; the VIEW row.
    assert many <= 12
    few_labs = _queries(nurse_client, _url(patient, "lab", _calcium(nurse, patient, "2.1")))
    other = PatientFactory(site=patient.site)
    many_labs = _queries(
        nurse_client, _url(other, "lab", _calcium(nurse, other, "2.1", "2.2", "2.3", "2.4"))
    )
    assert few_labs == many_labs
    listing = reverse("monitoring:entries_in_error", args=[patient.pk])
    empty = _queries(nurse_client, listing)
    for lab in LabResult.objects.filter(patient=patient):
        entry_mark_in_error(actor=nurse, entry=lab, patient=patient, reason="wrong sample")
    entry_mark_in_error(actor=nurse, entry=short, patient=patient, reason="wrong patient")
    assert _queries(nurse_client, listing) == empty


def test_the_same_gate_as_the_patient_page(
    nurse: User, client: Client, foreign_patient: Patient
) -> None:
    from tests.conftest import login

    lab = _calcium(nurse, foreign_patient, "2.05")
    login(nurse, client)
    for url in [
        _url(foreign_patient, "lab", lab),
        _url(foreign_patient, "patient"),
        reverse("monitoring:entries_in_error", args=[foreign_patient.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 404
        assert foreign_patient.mrn not in response.text
