"""Audit records for exports and printouts of lists of patients."""

from collections.abc import Mapping, Sequence
from typing import Any

from django.http import HttpRequest

from bonehealth.accounts.models import User
from bonehealth.audit.models import AuditAction, AuditEvent
from bonehealth.audit.services import audit_list_record, audit_record
from patients.models import Patient


def worklist_export_record(
    *,
    actor: User,
    export: str,
    filters: Mapping[str, Any],
    rows: int,
    patient_ids: Sequence[int],
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Audit an export (CSV or printout) of the worklist: who, which filters, how many rows, and
    every patient in it."""
    return audit_record(
        action=AuditAction.EXPORT,
        actor=actor,
        request=request,
        listed=patient_ids,
        changes={
            "export": export,
            "filters": {key: value for key, value in filters.items() if value not in (None, "")},
            "rows": rows,
            "patients": sorted(set(patient_ids)),
        },
    )


def overview_view_record(
    *,
    actor: User,
    shown: str,
    patient_ids: Sequence[int],
    filters: Mapping[str, Any],
    details: Mapping[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Audit one view of the dashboard or the worklist: the filters it applied, the patients it
    shows, and `details` (its page numbers; filters it refused), empty ones left out."""
    return audit_list_record(
        actor=actor,
        shown=shown,
        patient_ids=patient_ids,
        details={
            "filters": {key: value for key, value in filters.items() if value},
            **{key: value for key, value in (details or {}).items() if value not in ({}, None)},
        },
        request=request,
    )


def history_export_record(
    *, actor: User | None, username: str, host: str, patients: Sequence[Patient]
) -> AuditEvent:
    """Audit an `export_history` run: who ran it, on which host, and the patients exported."""
    return audit_list_record(
        action=AuditAction.EXPORT,
        actor=actor,
        username=username,
        shown="history JSON",
        patient_ids=[patient.pk for patient in patients],
        details={"host": host, "mrns": sorted(patient.mrn for patient in patients)},
    )


def cohort_export_record(
    *,
    actor: User | None,
    export: str,
    filters: Mapping[str, Any],
    patient_ids: Sequence[int],
    reason: str = "",
    username: str = "",
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Audit an export of a cohort (CSV, history zip or FHIR Bundle): who, which filters, how many
    patients and which, and the reason given for an export above the size limit."""
    return audit_list_record(
        action=AuditAction.EXPORT,
        actor=actor,
        username=username,
        shown=export,
        patient_ids=patient_ids,
        details={
            "filters": {key: value for key, value in filters.items() if value not in (None, "")},
            "count": len(set(patient_ids)),
            "reason": reason,
        },
        request=request,
    )


def cohort_export_refused_record(
    *,
    actor: User,
    export: str,
    filters: Mapping[str, Any],
    count: int,
    limit: int,
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Audit a cohort export refused for its size: above the limit without a reason."""
    return audit_record(
        action=AuditAction.DENIED,
        actor=actor,
        request=request,
        changes={
            "export": export,
            "filters": {key: value for key, value in filters.items() if value not in (None, "")},
            "count": count,
            "limit": limit,
            "refused": "above the export size limit without a reason",
        },
    )


def patient_export_record(
    *, actor: User, patient: Patient, export: str, request: HttpRequest | None = None
) -> AuditEvent:
    """Audit an export of one patient's record (a FHIR Bundle): an EXPORT row on the patient."""
    return audit_record(
        action=AuditAction.EXPORT,
        actor=actor,
        request=request,
        obj=patient,
        patient=patient,
        changes={"export": export},
    )
