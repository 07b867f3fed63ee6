"""The scan form asks before saving a BMD that changed by at least the LSC within days on one
scanner (nurse13 #2: a repeat 5 days later read as "rapid loss, therapy indicated")."""

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
from tests.factories import DexaScanFactory, ScannerFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
FIRST = TODAY - timedelta(days=6)  # the report's scan of 2026-12-01, lumbar spine 0.912
REPEAT = FIRST + timedelta(days=5)  # ... and its repeat of 2026-12-06
SPINE = {"lumbar_spine_bmd": "0.850", "lumbar_spine_t_score": "-2.5"}
TICK = {"lumbar_spine_values_confirmed": "on"}


def _words(earlier: date, later: date, went: str, change: str) -> str:
    return (
        f"From the scan of {earlier:%Y-%m-%d} to that of {later:%Y-%m-%d} on this scanner, "
        f"{(later - earlier).days} days apart, BMD went {went} g/cm² ({change}), at or beyond "
        "the site's least significant change (LSC) of 0.030 g/cm². Bone does not change that "
        "much in less than 90 days: this is usually a repeated scan, a positioning or analysis "
        "difference or a typing slip. Check both scans' values."
    )


@pytest.fixture
def scanner(patient: Patient) -> Scanner:
    scanner: Scanner = ScannerFactory(site=patient.site, name="GE Lunar iDXA")
    return scanner


def _scan(patient: Patient, scanner: Scanner, day: date) -> DexaScan:
    """A scan with lumbar spine 0.912 g/cm² (T -2.0), total hip and femoral neck."""
    scan: DexaScan = DexaScanFactory(patient=patient, scanner=scanner, scan_date=day, t=-2.0)
    return scan


def _create(client: Client, patient: Patient, scanner: Scanner, day: date, **values: str) -> Any:
    data = {"scan_date": day.isoformat(), "scanner": scanner.pk, **values}
    return client.post(reverse("monitoring:scan_create", args=[patient.pk]), data)


def _spine_bmds(patient: Patient) -> list[tuple[date, Decimal]]:
    """The current lumbar spine BMDs of the patient's scans, by date."""
    return list(
        DexaMeasurement.objects.filter(
            scan__patient=patient, site="lumbar_spine", superseded_at__isnull=True
        )
        .order_by("scan__scan_date", "pk")
        .values_list("scan__scan_date", "bmd")
    )


def test_the_reported_repeat_is_asked_about_beside_the_bmd_and_nothing_is_saved(
    nurse_client: Client, patient: Patient, scanner: Scanner
) -> None:
    _scan(patient, scanner, FIRST)
    events = AuditEvent.objects.count()
    response = _create(nurse_client, patient, scanner, REPEAT, **SPINE)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["lumbar_spine_bmd"] == [
        _words(FIRST, REPEAT, "0.912 → 0.850", "-0.062 g/cm², -6.8 %")
    ]
    assert "lumbar_spine_t_score" not in form.errors  # the T-score moved with the BMD
    assert "lumbar_spine_values_confirmed" in form.errors
    assert 'name="lumbar_spine_values_confirmed"' in response.text
    assert 'name="total_hip_values_confirmed"' not in response.text  # only the site asked about
    assert form["lumbar_spine_bmd"].value() == "0.850"  # kept as typed
    assert form["lumbar_spine_t_score"].value() == "-2.5"
    assert _spine_bmds(patient) == [(FIRST, Decimal("0.912"))]
    assert AuditEvent.objects.count() == events


def test_ticked_the_repeat_is_saved_and_its_audit_row_keeps_what_was_confirmed(
    nurse_client: Client, patient: Patient, scanner: Scanner
) -> None:
    _scan(patient, scanner, FIRST)
    response = _create(nurse_client, patient, scanner, REPEAT, **SPINE, **TICK)
    assert response.status_code == 302
    assert _spine_bmds(patient) == [(FIRST, Decimal("0.912")), (REPEAT, Decimal("0.850"))]
    scan = DexaScan.objects.get(patient=patient, scan_date=REPEAT)
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_id=str(scan.pk))
    assert event.changes["values_confirmed"] == {
        "lumbar_spine": [_words(FIRST, REPEAT, "0.912 → 0.850", "-0.062 g/cm², -6.8 %")]
    }


def test_the_one_year_follow_up_with_the_same_loss_is_not_asked_about(
    nurse_client: Client, patient: Patient, scanner: Scanner
) -> None:
    _scan(patient, scanner, TODAY - timedelta(days=366))
    response = _create(nurse_client, patient, scanner, TODAY - timedelta(days=1), **SPINE)
    assert response.status_code == 302
    scan = DexaScan.objects.get(patient=patient, scan_date=TODAY - timedelta(days=1))
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_id=str(scan.pk))
    assert "values_confirmed" not in event.changes


def test_a_repeat_agreeing_within_the_lsc_or_on_another_scanner_is_not_asked_about(
    nurse_client: Client, patient: Patient, scanner: Scanner
) -> None:
    _scan(patient, scanner, FIRST)
    within = {"lumbar_spine_bmd": "0.883", "lumbar_spine_t_score": "-2.2"}  # -0.029
    assert _create(nurse_client, patient, scanner, REPEAT, **within).status_code == 302
    other = ScannerFactory(site=patient.site, name="Hologic Horizon")
    assert (
        _create(nurse_client, patient, other, REPEAT + timedelta(days=1), **SPINE).status_code
        == 302
    )
    assert len(_spine_bmds(patient)) == 3


def test_the_scanner_s_own_lsc_decides(
    nurse_client: Client, patient: Patient, scanner: Scanner
) -> None:
    Scanner.objects.filter(pk=scanner.pk).update(lsc_lumbar_spine=Decimal("0.070"))
    _scan(patient, scanner, FIRST)
    assert _create(nurse_client, patient, scanner, REPEAT, **SPINE).status_code == 302


def test_a_scan_entered_before_a_recorded_one_is_compared_with_the_one_after_it(
    nurse_client: Client, patient: Patient, scanner: Scanner
) -> None:
    _scan(patient, scanner, REPEAT)
    response = _create(nurse_client, patient, scanner, FIRST, **SPINE)
    assert response.context["form"].errors["lumbar_spine_bmd"] == [
        _words(FIRST, REPEAT, "0.850 → 0.912", "+0.062 g/cm², +7.3 %")
    ]
    assert _spine_bmds(patient) == [(REPEAT, Decimal("0.912"))]


def _update(client: Client, scan: DexaScan, **changes: str) -> Any:
    scan.refresh_from_db()
    data: dict[str, Any] = {
        "scan_date": scan.scan_date.isoformat(),
        "scanner": scan.scanner_id,
        "version": scan.version,
    }
    for m in scan.measurements.all():
        data |= {f"{m.site}_bmd": str(m.bmd), f"{m.site}_t_score": str(m.t_score)}
    url = reverse("monitoring:scan_update", args=[scan.patient_id, scan.pk])
    return client.post(url, data | changes)


def test_an_edit_moving_a_follow_up_to_days_after_the_scan_before_is_asked_about(
    nurse_client: Client, patient: Patient, scanner: Scanner
) -> None:
    _scan(patient, scanner, FIRST - timedelta(days=365))
    later = _scan(patient, scanner, FIRST)
    DexaMeasurement.objects.filter(scan=later, site="lumbar_spine").update(
        bmd="0.850", t_score="-2.5"
    )
    version = later.version
    response = _update(nurse_client, later, scan_date=(FIRST - timedelta(days=360)).isoformat())
    errors = response.context["form"].errors
    assert errors["lumbar_spine_bmd"] == [
        _words(
            FIRST - timedelta(days=365),
            FIRST - timedelta(days=360),
            "0.912 → 0.850",
            "-0.062 g/cm², -6.8 %",
        )
    ]
    assert "total_hip_bmd" not in errors  # unchanged BMDs
    later.refresh_from_db()
    assert (later.scan_date, later.version) == (FIRST, version)


def test_an_edit_of_a_value_into_a_short_repeat_is_asked_about_and_saved_once_ticked(
    nurse_client: Client, patient: Patient, scanner: Scanner
) -> None:
    _scan(patient, scanner, FIRST)
    repeat = _scan(patient, scanner, REPEAT)  # the same values: nothing asked
    assert _update(nurse_client, repeat).status_code == 302
    response = _update(nurse_client, repeat, **SPINE)
    assert "lumbar_spine_values_confirmed" in response.context["form"].errors
    assert _spine_bmds(patient) == [(FIRST, Decimal("0.912")), (REPEAT, Decimal("0.912"))]
    assert _update(nurse_client, repeat, **SPINE, **TICK).status_code == 302
    assert _spine_bmds(patient) == [(FIRST, Decimal("0.912")), (REPEAT, Decimal("0.850"))]
    event = AuditEvent.objects.get(action=AuditAction.CHANGE, object_id=str(repeat.pk))
    assert list(event.changes["values_confirmed"]) == ["lumbar_spine"]
