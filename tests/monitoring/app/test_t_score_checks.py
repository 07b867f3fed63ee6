"""The scan form asks before saving a T-score that cannot be right for its BMD (nurse12 F1)."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring.models import DexaMeasurement, DexaScan, Scanner
from patients.models import Patient
from tests.factories import ScannerFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
DAY = TODAY - timedelta(days=2)
# The report's scan: osteoporotic BMDs with the minus sign left off every T-score.
SLIPPED = {
    "lumbar_spine_bmd": "0.700",
    "lumbar_spine_t_score": "3.1",
    "total_hip_bmd": "0.620",
    "total_hip_t_score": "2.6",
    "femoral_neck_bmd": "0.550",
    "femoral_neck_t_score": "2.9",
}
TICKS = {f"{site}_values_confirmed": "on" for site in ("lumbar_spine", "total_hip", "femoral_neck")}


@pytest.fixture
def scanner(patient: Patient) -> Scanner:
    scanner: Scanner = ScannerFactory(site=patient.site, name="GE Lunar iDXA")
    return scanner


def _data(scanner: Scanner, day: date = DAY, **values: str) -> dict[str, Any]:
    return {"scan_date": day.isoformat(), "scanner": scanner.pk, **values}


def _create(client: Client, patient: Patient, data: dict[str, Any]) -> Any:
    return client.post(reverse("monitoring:scan_create", args=[patient.pk]), data)


def _scan(patient: Patient, scanner: Scanner, day: date, bmd: str, t: str) -> DexaScan:
    scan = DexaScan.objects.create(patient=patient, scanner=scanner, scan_date=day)
    DexaMeasurement.objects.create(scan=scan, site="total_hip", bmd=bmd, t_score=t)
    return scan


def test_a_sign_slip_is_asked_about_beside_each_t_score_and_nothing_is_saved(
    nurse_client: Client, patient: Patient, scanner: Scanner
) -> None:
    events = AuditEvent.objects.count()
    response = _create(nurse_client, patient, _data(scanner, **SLIPPED))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["total_hip_t_score"] == [
        "BMD 0.620 g/cm² at the total hip gives a T-score below zero on every scanner's "
        "reference: check the sign of +2.6."
    ]
    for site in ("lumbar_spine", "total_hip", "femoral_neck"):
        assert f"{site}_t_score" in form.errors
        assert f"{site}_values_confirmed" in form.errors
        assert f'name="{site}_values_confirmed"' in response.text
    assert form["total_hip_t_score"].value() == "2.6"  # kept as typed
    assert not DexaScan.objects.filter(patient=patient).exists()
    assert AuditEvent.objects.count() == events


def test_ticking_one_site_still_asks_about_the_others(
    nurse_client: Client, patient: Patient, scanner: Scanner
) -> None:
    data = _data(scanner, **SLIPPED, total_hip_values_confirmed="on")
    form = _create(nurse_client, patient, data).context["form"]
    assert "total_hip_t_score" not in form.errors
    assert "femoral_neck_values_confirmed" in form.errors
    assert not DexaScan.objects.filter(patient=patient).exists()


def test_the_ticked_values_are_saved_as_entered_and_the_audit_row_keeps_what_was_confirmed(
    nurse_client: Client, patient: Patient, scanner: Scanner
) -> None:
    response = _create(nurse_client, patient, _data(scanner, **SLIPPED, **TICKS))
    assert response.status_code == 302
    scan = DexaScan.objects.get(patient=patient)
    assert scan.measurements.get(site="total_hip").t_score == Decimal("2.6")
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_id=str(scan.pk))
    confirmed = event.changes["values_confirmed"]
    assert sorted(confirmed) == ["femoral_neck", "lumbar_spine", "total_hip"]
    assert "check the sign of +2.6" in confirmed["total_hip"][0]


def test_the_right_signs_are_saved_unasked_and_nothing_is_recorded_as_confirmed(
    nurse_client: Client, patient: Patient, scanner: Scanner
) -> None:
    signed = {k: f"-{v}" if k.endswith("t_score") else v for k, v in SLIPPED.items()}
    assert _create(nurse_client, patient, _data(scanner, **signed)).status_code == 302
    scan = DexaScan.objects.get(patient=patient)
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_id=str(scan.pk))
    assert "values_confirmed" not in event.changes


def test_a_t_score_that_jumped_at_the_same_bmd_on_the_same_scanner_is_asked_about(
    nurse_client: Client, patient: Patient, scanner: Scanner
) -> None:
    """The report's next-day scan: same hip BMD, T-score +2.6 before, -2.6 now."""
    _scan(patient, scanner, DAY - timedelta(days=1), "0.620", "2.6")
    data = _data(scanner, total_hip_bmd="0.620", total_hip_t_score="-2.6")
    response = _create(nurse_client, patient, data)
    errors = response.context["form"].errors["total_hip_t_score"]
    assert errors == [
        f"From the scan of {DAY - timedelta(days=1):%Y-%m-%d} to that of {DAY:%Y-%m-%d} on this "
        "scanner, BMD went 0.620 → 0.620 but the T-score +2.6 → -2.6: on one scanner an "
        "unchanged BMD leaves the T-score unchanged. Check both scans' values."
    ]
    assert DexaScan.objects.filter(patient=patient).count() == 1
    data["total_hip_values_confirmed"] = "on"
    assert _create(nurse_client, patient, data).status_code == 302
    assert DexaScan.objects.filter(patient=patient).count() == 2


def test_a_scan_on_another_scanner_is_not_compared(
    nurse_client: Client, patient: Patient, scanner: Scanner
) -> None:
    _scan(patient, scanner, DAY - timedelta(days=1), "0.620", "2.6")
    other = ScannerFactory(site=patient.site, name="Hologic Horizon")
    data = _data(other, total_hip_bmd="0.620", total_hip_t_score="-2.6")
    assert _create(nurse_client, patient, data).status_code == 302


def _update(client: Client, scan: DexaScan, **changes: str) -> Any:
    scan.refresh_from_db()
    m = scan.measurements.get(site="total_hip")
    data = {
        "scan_date": scan.scan_date.isoformat(),
        "scanner": scan.scanner_id,
        "total_hip_bmd": str(m.bmd),
        "total_hip_t_score": str(m.t_score),
        "version": scan.version,
        **changes,
    }
    url = reverse("monitoring:scan_update", args=[scan.patient_id, scan.pk])
    return client.post(url, data)


def test_an_unchanged_save_of_a_confirmed_scan_asks_nothing_and_saves_nothing(
    nurse_client: Client, patient: Patient, scanner: Scanner
) -> None:
    earlier = _scan(patient, scanner, DAY - timedelta(days=400), "0.800", "-1.2")
    scan = _scan(patient, scanner, DAY, "0.620", "2.6")  # a sign slip and a jump, both confirmed
    events, version = AuditEvent.objects.count(), scan.version
    assert _update(nurse_client, scan).status_code == 302
    scan.refresh_from_db()
    assert (scan.version, AuditEvent.objects.count()) == (version, events)
    assert earlier.measurements.count() == 1


def test_correcting_the_latest_scan_into_a_sign_slip_is_asked_about(
    nurse_client: Client, patient: Patient, scanner: Scanner
) -> None:
    _scan(patient, scanner, DAY - timedelta(days=400), "0.640", "-2.4")
    scan = _scan(patient, scanner, DAY, "0.620", "-2.6")
    response = _update(nurse_client, scan, total_hip_t_score="2.6")
    errors = response.context["form"].errors["total_hip_t_score"]
    assert len(errors) == 2  # the sign, and the jump since the scan before
    assert "check the sign of +2.6" in errors[0]
    assert "BMD went 0.640 → 0.620 but the T-score -2.4 → +2.6" in errors[1]
    assert scan.measurements.get().t_score == Decimal("-2.6")
    response = _update(nurse_client, scan, total_hip_t_score="2.6", total_hip_values_confirmed="on")
    assert response.status_code == 302
    assert scan.measurements.get().t_score == Decimal("2.6")
    event = AuditEvent.objects.filter(action=AuditAction.CHANGE, object_id=str(scan.pk)).get()
    assert len(event.changes["values_confirmed"]["total_hip"]) == 2


def test_correcting_an_earlier_scan_is_compared_with_the_scan_after_it(
    nurse_client: Client, patient: Patient, scanner: Scanner
) -> None:
    earlier = _scan(patient, scanner, DAY - timedelta(days=400), "0.640", "-2.4")
    _scan(patient, scanner, DAY, "0.620", "-2.6")
    response = _update(nurse_client, earlier, total_hip_t_score="-1.2")
    errors = response.context["form"].errors["total_hip_t_score"]
    assert errors == [
        f"From the scan of {DAY - timedelta(days=400):%Y-%m-%d} to that of {DAY:%Y-%m-%d} on "
        "this scanner, BMD went 0.640 → 0.620 but the T-score -1.2 → -2.6: on one scanner a BMD "
        "change of -0.020 g/cm² moves the T-score by -0.2 to -0.1. Check both scans' values."
    ]
    assert earlier.measurements.get().t_score == Decimal("-2.4")
