"""End to end, the three conservative readings of physician7 (F1, F5, F3): entered through the
pages, seen in the open alerts, the patient page, the worklist and the history export."""

import csv
import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import User
from monitoring import domain
from monitoring.assessment.history import build_history
from monitoring.assessment.history_document import history_json
from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.models import Alert, BoneTherapyCourse, DexaScan, MonitoringPlan
from monitoring.records.selectors import patient_with_records
from patients.models import Patient
from tests.factories import ScannerFactory
from tests.html_forms import visible_text

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
NORMAL = {
    "lumbar_spine_bmd": "0.950",
    "lumbar_spine_t_score": "-0.8",
    "total_hip_bmd": "0.850",
    "total_hip_t_score": "-0.9",
}


def record_scan(client: Client, patient: Patient, day: str, vfa: str = "") -> None:
    scanner = ScannerFactory(site=patient.site, name=f"Lunar {day}")
    response = client.post(
        reverse("monitoring:scan_create", args=[patient.pk]),
        {
            "scan_date": day,
            "scanner": scanner.pk,
            "vertebral_fracture_assessment": vfa,
            **NORMAL,
        },
    )
    assert response.status_code == 302, response.content


def open_codes(patient: Patient) -> set[str]:
    return set(
        Alert.objects.filter(patient=patient, cleared_at__isnull=True).values_list(
            "code", flat=True
        )
    )


def test_a_vfa_fracture_entered_on_a_scan_raises_bone_therapy_indicated(
    nurse_client: Client, physician_client: Client, patient: Patient
) -> None:
    """physician7 F1: normal BMD, "Vertebral fracture seen": therapy is indicated."""
    day = (TODAY - timedelta(days=30)).isoformat()
    record_scan(nurse_client, patient, day, vfa="fracture")
    assert "BONE_THERAPY_INDICATED" in open_codes(patient)
    alert = Alert.objects.get(patient=patient, code="BONE_THERAPY_INDICATED")
    assert f"vertebral fracture seen on the scan of {day}" in alert.message
    assert "TX-FRACTURE" in alert.rules
    page = physician_client.get(reverse("monitoring:patient", args=[patient.pk]))
    assert f"vertebral fracture seen on the scan of {day}" in visible_text(page.text)
    # The patient record is as the clinician entered it.
    patient.refresh_from_db()
    assert patient.prior_fragility_fracture is False
    assert patient.prior_fracture_date is None
    # The export carries the VFA result, and the app reads the same history back.
    exported = history_json(patient_with_records(patient.pk))
    assert exported["dexa_scans"][0]["vertebral_fracture_assessment"] == "fracture"
    assert domain.parse_history(exported).dexa_scans == build_history(patient).dexa_scans


def test_a_later_scan_without_fracture_keeps_the_alert(
    nurse_client: Client, patient: Patient
) -> None:
    record_scan(nurse_client, patient, (TODAY - timedelta(days=400)).isoformat(), "fracture")
    record_scan(nurse_client, patient, (TODAY - timedelta(days=5)).isoformat(), "no_fracture")
    assert "BONE_THERAPY_INDICATED" in open_codes(patient)


def test_vfa_round_trips_through_export_and_import(
    nurse_client: Client, nurse: User, patient: Patient, tmp_path: Path
) -> None:
    record_scan(nurse_client, patient, (TODAY - timedelta(days=30)).isoformat(), "fracture")
    data = history_json(patient_with_records(patient.pk))
    data["patient"]["mrn"] = "COPY1"
    path = tmp_path / "copy.json"
    path.write_text(json.dumps(data))
    call_command(
        "import_history",
        str(path),
        "--site",
        patient.site.code,
        "--actor",
        nurse.username,
        "--override-reason",
        "test data: checks not under test",
        stdout=io.StringIO(),
    )
    copy = Patient.objects.get(mrn="COPY1")
    assert DexaScan.objects.get(patient=copy).vertebral_fracture_assessment == "fracture"
    assert "BONE_THERAPY_INDICATED" in open_codes(copy)


def test_a_scan_after_the_plan_was_set_fulfils_it(
    nurse_client: Client, physician_client: Client, patient: Patient
) -> None:
    """physician7 F5: plan for TODAY + 13 days set yesterday, scan recorded today."""
    record_scan(nurse_client, patient, (TODAY - timedelta(days=200)).isoformat())
    planned = TODAY + timedelta(days=13)
    response = physician_client.post(
        reverse("monitoring:plan", args=[patient.pk]),
        {"next_dexa_due": planned.isoformat(), "reason": "early rescan given rapid spine loss"},
    )
    assert response.status_code == 302
    # Set yesterday: a scan of the plan's own day does not meet it (the plan was most likely
    # made after reading that scan).
    MonitoringPlan.objects.filter(patient=patient).update(set_at=timezone.now() - timedelta(days=1))
    record_scan(nurse_client, patient, TODAY.isoformat())

    csv_response = nurse_client.get(reverse("monitoring:worklist_csv"), {"weeks": 52})
    rows = list(
        csv.DictReader(io.StringIO(b"".join(csv_response.streaming_content).decode("utf-8-sig")))
    )
    assert planned.isoformat() not in {row["due"] for row in rows if row["mrn"] == patient.mrn}
    page = physician_client.get(reverse("monitoring:patient", args=[patient.pk]))
    shown = visible_text(page.text)
    assert f"was met by the scan of {TODAY.isoformat()}" in shown
    assert f"plan of a DEXA by {planned.isoformat()}" in shown
    assert "was met by a scan since" in shown
    assert "physician&#x27;s plan; rules:" not in page.text
    request = physician_client.get(reverse("monitoring:scan_request", args=[patient.pk]))
    assert "physician&#x27;s plan:" not in request.text
    assert "physician's plan:" not in request.text
    exported = history_json(patient_with_records(patient.pk))
    assert exported["plan"]["set_on"] == (TODAY - timedelta(days=1)).isoformat()
    assert domain.parse_history(exported).plan == build_history(patient).plan


def test_a_plan_set_after_reading_the_days_scan_stays_in_force(
    nurse_client: Client, physician_client: Client, patient: Patient
) -> None:
    """The usual order: today's scan is read, then a plan is set today; the plan holds."""
    record_scan(nurse_client, patient, TODAY.isoformat())
    planned = TODAY + timedelta(days=180)
    response = physician_client.post(
        reverse("monitoring:plan", args=[patient.pk]),
        {"next_dexa_due": planned.isoformat(), "reason": "rescan in 6 months on denosumab"},
    )
    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.assessment.data["next_dexa_due"] == planned.isoformat()
    page = physician_client.get(reverse("monitoring:patient", args=[patient.pk]))
    assert "was met by" not in page.text


def test_a_zero_day_follow_on_leaves_denosumab_stopped_open(patient: Patient) -> None:
    """physician7 F3: a bisphosphonate stopped on its start date is no follow-on."""
    start = TODAY - timedelta(days=550)
    BoneTherapyCourse.objects.create(
        patient=patient, drug="denosumab", start_date=start, stop_date=TODAY
    )
    zero = BoneTherapyCourse.objects.create(
        patient=patient, drug="alendronate", start_date=TODAY, stop_date=None
    )
    with transaction.atomic():
        patient_assessment_refresh(patient=patient)
    assert "DENOSUMAB_STOPPED_NO_FOLLOW_ON" not in open_codes(patient)  # a follow-on started
    BoneTherapyCourse.objects.filter(pk=zero.pk).update(stop_date=TODAY, stop_reason="GI upset")
    with transaction.atomic():
        patient_assessment_refresh(patient=patient)
    alert = Alert.objects.get(
        patient=patient, code="DENOSUMAB_STOPPED_NO_FOLLOW_ON", cleared_at__isnull=True
    )
    assert alert.severity == "critical"
