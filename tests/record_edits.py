"""What the tests of edits and error-marks share: the models of the clinical records; a colleague's
correction of a calcium result or of a scan, saved while another user's page still shows the old
values; the address of a record's mark-in-error page; and the audit rows that show whether
anything was written."""

from collections.abc import Callable
from decimal import Decimal

from django.db import models
from django.urls import reverse

from bonehealth.accounts.models import User
from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring.models import (
    BoneTherapyCourse,
    BoneTherapyDose,
    DexaMeasurement,
    DexaScan,
    FraxResult,
    LabResult,
    MonitoringPlan,
)
from monitoring.records.services.labs import LabEntry, lab_result_update
from monitoring.records.services.scans import Measurement, dexa_scan_update
from patients.models import AromataseInhibitorCourse, Patient

# The clinical records users enter, a table each (a test adds the others it means, such as alerts).
CLINICAL_RECORDS: list[type[models.Model]] = [
    Patient,
    AromataseInhibitorCourse,
    DexaScan,
    DexaMeasurement,
    LabResult,
    FraxResult,
    BoneTherapyCourse,
    BoneTherapyDose,
    MonitoringPlan,
]


def correct_calcium(by: User, lab: LabResult) -> None:
    """`by` corrects the calcium result to 2.35 mmol/L, its sample date kept."""
    lab_result_update(
        actor=by,
        result=lab,
        sample_date=lab.sample_date,
        fasting=False,
        entry=LabEntry(analyte="calcium", value=Decimal("2.35"), unit="mmol/L"),
        expected_version=lab.version,
    )


def correct_scan(by: User, scan: DexaScan) -> None:
    """`by` corrects the scan's lumbar spine to 0.812 g/cm² (T -2.6), its day and scanner kept."""
    dexa_scan_update(
        actor=by,
        scan=scan,
        values={"scan_date": scan.scan_date, "scanner": scan.scanner},
        measurements={
            "lumbar_spine": Measurement(bmd=Decimal("0.812"), t_score=Decimal("-2.6")),
            "total_hip": Measurement(bmd=Decimal("0.801"), t_score=Decimal("-1.2")),
            "femoral_neck": Measurement(bmd=Decimal("0.690"), t_score=Decimal("-1.2")),
        },
        expected_version=scan.version,
    )


def entry_mark_url(kind: str) -> Callable[[Patient, models.Model], str]:
    """The address of the page marking a record of `kind` ("lab", "scan", ...) in error."""
    return lambda patient, record: reverse(
        "monitoring:entry_mark_in_error", args=[patient.pk, kind, record.pk]
    )


def marks_of(record: models.Model) -> int:
    """How many times the record was marked entered in error (its audit rows)."""
    return AuditEvent.objects.filter(
        action=AuditAction.MARK_ERROR,
        object_type=record._meta.label_lower,
        object_id=str(record.pk),
    ).count()


def audit_writes() -> int:
    """The audit rows of every write so far (all but the views)."""
    return AuditEvent.objects.exclude(action=AuditAction.VIEW).count()
