"""A patient's entries marked entered in error: hidden from the patient page and never counted by
the rules, yet kept, and listed here with who marked them, when and why, each with its history
(nurse12 F5: a dose or lab marked in error "simply vanished"). Audited as a view of the record.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.decorators import permission_required
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from bonehealth.accounts.http import AuthenticatedHttpRequest
from monitoring.models import BoneTherapyCourse, BoneTherapyDose, DexaScan, FraxResult, LabResult
from monitoring.records import selectors
from patients.descriptions import ai_course_description
from patients.models import AromataseInhibitorCourse, Patient
from patients.read_audit import patient_record_view


@dataclass(frozen=True)
class MarkedEntry:
    """One entry marked in error: its kind (as the history page's URL names it) and id."""

    kind: str
    pk: int
    what: str
    marked_by: Any
    marked_at: datetime | None
    reason: str


def _marked(patient: Patient) -> list[tuple[str, QuerySet[Any]]]:
    """The patient's entries marked in error, of each kind (a dose of a course marked in error
    is hidden with its course, not marked itself: it is listed under the course's history)."""
    return [
        ("scan", DexaScan.objects.filter(patient=patient).select_related("scanner")),
        ("lab", LabResult.objects.filter(patient=patient)),
        ("frax", FraxResult.objects.filter(patient=patient)),
        ("therapy", BoneTherapyCourse.objects.filter(patient=patient)),
        ("dose", BoneTherapyDose.objects.filter(course__patient=patient).select_related("course")),
        ("ai_course", AromataseInhibitorCourse.objects.filter(patient=patient)),
    ]


def entries_in_error_count(*, patient: Patient) -> int:
    """How many of the patient's entries are marked entered in error (one query)."""
    counted = [rows.filter(entered_in_error=True).values("pk") for _, rows in _marked(patient)]
    return counted[0].union(*counted[1:], all=True).count()


def _what(kind: str, entry: Any) -> str:
    if kind == "scan":
        return f"DEXA scan of {entry.scan_date:%Y-%m-%d} on {entry.scanner.name}"
    if kind == "lab":
        return str(entry)
    if kind == "frax":
        bmd = "with" if entry.with_bmd else "without"
        return f"FRAX of {entry.assessed_on:%Y-%m-%d} ({bmd} BMD)"
    if kind == "therapy":
        return f"Bone-protective therapy: {entry}"
    if kind == "dose":
        return f"{entry.course.get_drug_display()} dose given on {entry.given_on:%Y-%m-%d}"
    return f"Aromatase inhibitor: {ai_course_description(entry)}"


def entries_in_error(*, patient: Patient) -> list[MarkedEntry]:
    """The patient's entries marked in error, the most recently marked first (one query a kind)."""
    found = [
        MarkedEntry(
            kind=kind,
            pk=entry.pk,
            what=_what(kind, entry),
            marked_by=entry.error_marked_by,
            marked_at=entry.error_marked_at,
            reason=entry.error_reason,
        )
        for kind, rows in _marked(patient)
        for entry in rows.filter(entered_in_error=True).select_related("error_marked_by")
    ]
    return sorted(found, key=lambda e: (e.marked_at is not None, e.marked_at), reverse=True)


@require_safe
@permission_required("patients.view_patient", raise_exception=True)
def entries_in_error_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    with transaction.atomic():
        patient = selectors.patient_page_header(user=request.user, pk=pk)
        entries = entries_in_error(patient=patient)
        patient_record_view(actor=request.user, patient=patient, request=request)
    return render(
        request, "monitoring/entries_in_error.html", {"patient": patient, "entries": entries}
    )
