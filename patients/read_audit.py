"""The audit trail of reads: each view of a patient's record and each page of the patient list.

Apart from the writes of patients.services so that the pages, which only read, can audit what
they show without importing a write (the layer contracts in pyproject.toml)."""

from typing import Any

from django.http import HttpRequest

from bonehealth.accounts.models import User
from bonehealth.audit.models import AuditAction
from bonehealth.audit.services import audit_list_record, audit_record
from patients.models import Patient

# The pages whose content leaves the hospital on paper or by post, named for an information
# governance reviewer (sec10 F2): by URL name and, for a letter, its kind.
DOCUMENTS = {
    ("monitoring:patient_summary", None): "printable summary",
    ("monitoring:scan_request", None): "DEXA scan request",
    ("monitoring:letter", "patient"): "letter to the patient",
    ("monitoring:letter", "doctor"): "letter to the doctor",
}
# Query parameters that change what a patient's page shows, with the values the pages act on
# (the letters' `?copy=clinician` adds the rule id of each sentence): any other value is ignored
# by the page, so it is not recorded either.
SHOWN_BY_QUERY = {"copy": frozenset({"clinician"})}


def page_read(request: HttpRequest | None) -> dict[str, Any]:
    """Which page of a patient's record a request produced, for its VIEW row (sec10 F2).

    `page` is the URL name (stable, one per page: "monitoring:letter", "monitoring:labs_create");
    the URL's other parts say which document or record it was (a letter's `kind`, a record's id);
    `document` names a letter or printout in words; `copy` is the letters' clinician copy. Read
    from the resolved URL, so every page is described by this one function, at no query's cost.
    """
    match = getattr(request, "resolver_match", None)
    if request is None or match is None:
        return {}
    read: dict[str, Any] = {"page": match.view_name}
    read.update(
        (name, value)
        for name, value in match.kwargs.items()
        # An entry page's `kind` repeats its URL name.
        if name != "pk" and value != match.url_name
    )
    document = DOCUMENTS.get((match.view_name, match.kwargs.get("kind")))
    if document is not None:
        read["document"] = document
    for name, acted_on in SHOWN_BY_QUERY.items():
        if request.GET.get(name) in acted_on:
            read[name] = request.GET[name]
    return read


def patient_record_view(
    *, actor: User, patient: Patient, request: HttpRequest | None = None
) -> None:
    """Write the audit event for a view of a patient's record, naming the page or document it
    produced (`page_read`): one INSERT, atomic by itself."""
    audit_record(
        action=AuditAction.VIEW,
        actor=actor,
        request=request,
        obj=patient,
        patient=patient,
        changes=page_read(request),
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
