"""The audit trail of reads: each view of a patient's record and each page of the patient list.

Apart from the writes of patients.services so that the pages, which only read, can audit what
they show without importing a write (the layer contracts in pyproject.toml)."""

from django.http import HttpRequest

from bonehealth.accounts.models import User
from bonehealth.audit.models import AuditAction
from bonehealth.audit.services import audit_list_record, audit_record
from patients.models import Patient


def patient_record_view(
    *, actor: User, patient: Patient, request: HttpRequest | None = None
) -> None:
    """Write the audit event for a view of a patient's record (one INSERT: atomic by itself)."""
    audit_record(
        action=AuditAction.VIEW, actor=actor, request=request, obj=patient, patient=patient
    )


def patient_list_view_record(
    *,
    actor: User,
    patient_ids: list[int],
    query: str,
    include_ended: bool,
    page_number: int,
    request: HttpRequest | None = None,
) -> None:
    """Write the one audit event of a page of the patient list: its search and patients shown."""
    audit_list_record(
        actor=actor,
        shown="patient list",
        patient_ids=patient_ids,
        details={"query": query, "include_ended": include_ended or None, "page": page_number},
        request=request,
    )


def patient_in_error_list_view_record(
    *,
    actor: User,
    patient_ids: list[int],
    page_number: int,
    request: HttpRequest | None = None,
) -> None:
    """Write the one audit event of a page of the patients marked entered in error."""
    audit_list_record(
        actor=actor,
        shown="patients marked entered in error",
        patient_ids=patient_ids,
        details={"page": page_number},
        request=request,
    )
