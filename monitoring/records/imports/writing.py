"""Write an import's plan: one transaction, through the entry services, audited.

The plan is built again inside the transaction, after the touched patients' rows are locked (in
id order, so two imports cannot deadlock): what another user or a second confirm of the same file
committed meanwhile is then a record already there, skipped, never written twice. Each entry
service checks for duplicates under the same lock, audits the record it creates and reassesses its
patient; the import adds one IMPORT event per touched patient and one for the file.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection, transaction
from django.http import HttpRequest

from bonehealth.accounts.models import Site, User
from bonehealth.audit.concurrency import RecordConflictError
from bonehealth.audit.models import AuditAction
from bonehealth.audit.services import audit_record
from monitoring.records.imports.files import FileRefusedError, Problem
from monitoring.records.imports.plan import ImportPlan, PatientPlan, build_plan
from monitoring.records.imports.readings import Reading
from monitoring.records.services.labs import lab_results_record
from monitoring.records.services.scans import dexa_scan_record
from patients.models import Patient


@dataclass(frozen=True)
class ImportSource:
    """Which file: its format, its name as uploaded, and the SHA-256 of its bytes."""

    kind: str
    name: str
    sha256: str
    host: str = ""  # the host a command ran on

    def audited(self) -> dict[str, str]:
        shown = {"format": self.kind, "file": self.name, "sha256": self.sha256}
        return shown | ({"host": self.host} if self.host else {})


def _lock(patient_ids: Sequence[int]) -> None:
    rows = Patient.objects.filter(pk__in=list(patient_ids)).order_by("pk")
    no_key = connection.features.has_select_for_no_key_update
    list(rows.select_for_update(no_key=no_key).values_list("pk"))


def _write(plan: PatientPlan, *, actor: User, request: HttpRequest | None) -> None:
    for scan in plan.scans:
        dexa_scan_record(
            actor=actor,
            patient=plan.patient,
            values={
                "scan_date": scan.date,
                "scanner": scan.scanner,
                "trabecular_bone_score": None,
                "vertebral_fracture_assessment": "",
            },
            measurements=scan.measurements,
            request=request,
        )
    for sample in plan.samples:
        lab_results_record(
            actor=actor,
            patient=plan.patient,
            sample_date=sample.date,
            fasting=sample.fasting,
            entries=sample.entries,
            request=request,
        )


class PlanChangedError(Exception):
    """The records changed since the preview: the plan is no longer the one shown (`plan`)."""

    def __init__(self, plan: ImportPlan) -> None:
        self.plan = plan
        super().__init__("the records changed since the preview")


def readings_import(
    readings: Sequence[Reading],
    *,
    actor: User,
    source: ImportSource,
    site: Site | None = None,
    row_name: str = "row",
    request: HttpRequest | None = None,
    expected: str | None = None,
    problems: Sequence[Problem] = (),
) -> ImportPlan:
    """Import the readings, all or nothing; return the plan written.

    Raise FileRefusedError (nothing written) when any reading is a problem, and PlanChangedError
    when `expected` (the digest of the plan a preview showed) is not the plan any more: another
    user, or a second confirm of the same file, wrote some of it meanwhile.
    """
    first = build_plan(readings, user=actor, site=site, row_name=row_name, problems=problems)
    if first.problems:
        raise FileRefusedError(first.problems)
    try:
        with transaction.atomic():
            _lock([p.patient.pk for p in first.patients])
            plan = build_plan(readings, user=actor, site=site, row_name=row_name)
            if plan.problems:
                raise FileRefusedError(plan.problems)
            if expected is not None and plan.digest() != expected:
                raise PlanChangedError(plan)
            for patient_plan in plan.patients:
                _write(patient_plan, actor=actor, request=request)
            _audit(plan, actor=actor, source=source, request=request)
    except RecordConflictError as conflict:  # an entry's, or its patient marked in error
        raise FileRefusedError([Problem(str(conflict))]) from None
    return plan


def _audit(
    plan: ImportPlan, *, actor: User, source: ImportSource, request: HttpRequest | None
) -> None:
    for patient_plan in plan.patients:
        if not patient_plan.changes:
            continue
        audit_record(
            action=AuditAction.IMPORT,
            actor=actor,
            request=request,
            obj=patient_plan.patient,
            patient=patient_plan.patient,
            changes={
                **source.audited(),
                "scans": len(patient_plan.scans),
                "labs": sum(len(s.entries) for s in patient_plan.samples),
                "skipped": len(patient_plan.existing),
                **_marked(patient_plan.in_error),
            },
        )
    audit_record(
        action=AuditAction.IMPORT,
        actor=actor,
        request=request,
        changes={
            **source.audited(),
            "rows": plan.rows,
            "patients": sum(1 for p in plan.patients if p.changes),
            "scans": plan.created_scans,
            "labs": plan.created_labs,
            "skipped": plan.skipped,
            **_marked([line for p in plan.patients for line in p.in_error]),
        },
    )


def _marked(lines: list[str]) -> dict[str, list[str]]:
    """The rows left out as marked entered in error, with their marks, for an audit row."""
    return {"not_imported_marked_in_error": lines} if lines else {}
