"""Entry pages: each parses the request, calls one service, and renders or redirects.

Every entry form page (`entry_pages.ENTRY_PAGES`) is served by `entry_page`; signing a scan off and
marking an entry in error have shapes of their own but the same steps.
"""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from bonehealth.accounts.http import AuthenticatedHttpRequest, safe_next_path
from bonehealth.audit.concurrency import RecordInErrorError
from bonehealth.audit.forms import UNCHANGED, already_marked_in_error, save_or_none
from monitoring.models import BoneTherapyCourse, BoneTherapyDose, DexaScan, FraxResult, LabResult
from monitoring.records import selectors
from monitoring.records.conflict_links import conflict_words
from monitoring.records.descriptions import entry_description
from monitoring.records.entry_pages import ENTRY_PAGES, EntryPage, Opened
from monitoring.records.services.guards import EntryConflictError
from monitoring.records.services.in_error import entry_mark_in_error
from monitoring.records.services.scans import dexa_scan_sign_off
from patients.access import audits_patient_view, record_permission_denied
from patients.in_error_forms import MarkInErrorForm
from patients.models import Patient
from patients.selectors import patient_get
from patients.services import PatientInErrorError

GET_POST = require_http_methods(["GET", "POST"])


def _page(patient: Patient) -> str:
    return reverse("monitoring:patient", args=[patient.pk])


def _save_or_render(
    request: AuthenticatedHttpRequest,
    patient: Patient,
    form: forms.BaseForm,
    save: Callable[[], object],
    *,
    success: str | Callable[[object], str],
    template: str,
    context: Callable[[], dict[str, object]],
    field_for: Callable[[str | None], str | None] = lambda name: name,
) -> HttpResponse:
    """Save a valid POST and go back to the patient's page; else show the form with its errors."""
    done = save_or_none(
        request,
        form,
        save,
        success=success,
        to=_page(patient),
        field_for=field_for,
        conflict_words=lambda conflict: conflict_words(
            conflict, user=request.user, patient=patient
        ),
    )
    return done or render(request, template, {"patient": patient, "form": form, **context()})


def entry_page(
    request: AuthenticatedHttpRequest, pk: int, kind: str, record_pk: int | None = None
) -> HttpResponse:
    """The page of an entry form (`kind`, a row of ENTRY_PAGES): GET shows it, POST saves it.

    The permission comes first (403), then the method (405), then the patient through the access
    gate (404, audited), and each GET shown is audited as a view of the patient.
    """
    page = ENTRY_PAGES[kind]
    if not request.user.has_perm(page.permission):
        if record_pk is None:
            raise PermissionDenied
        # A record of another patient is audited against its own, as the 404 past this check is.
        raise record_permission_denied(
            lambda: page.record(Patient(pk=pk), record_pk), patient_id=pk
        )
    return _entry_page(request, pk=pk, page=page, record_pk=record_pk)


@GET_POST
@audits_patient_view
def _entry_page(
    request: AuthenticatedHttpRequest, pk: int, page: EntryPage, record_pk: int | None
) -> HttpResponse:
    patient = patient_get(user=request.user, pk=pk)
    opened = Opened(request=request, patient=patient, record=page.record(patient, record_pk))
    # Named as stored, before a model form puts the posted values on the record.
    in_error = getattr(opened.record, "entered_in_error", False)
    refusal = str(RecordInErrorError(opened.record)) if in_error else ""
    if request.method != "POST" and (
        # A link drawn before a colleague marked the record: say so on the patient's page (a
        # redirect, so no view is audited), not a bare 404.
        shown := already_marked_in_error(
            request,
            opened.record,
            to=_page(patient),
            outcome="Nothing can be added to it."
            if page.adds_to_record
            else "It cannot be changed.",
            level=messages.WARNING,
        )
    ):
        return shown
    form: Any = page.form(opened, request.POST or None)
    if refusal and not form.is_valid():
        # A valid form is refused by the service under the row's lock (RecordInErrorError); an
        # invalid one never reaches it, so say beside the field errors why it cannot be saved.
        form.add_error(None, refusal)
    return _save_or_render(
        request,
        patient,
        form,
        lambda: page.save(opened, form),
        # An edit saved as it was opened changes nothing (the service writes nothing): say so.
        success=lambda saved: (
            UNCHANGED
            if page.unchanged(saved)
            or (opened.record is not None and not page.adds_to_record and not form.has_changed())
            else page.success(saved)
            if callable(page.success)
            else page.success
        ),
        template="monitoring/entry_form.html",
        context=lambda: {"title": page.title(opened.record), **page.context(patient)},
        field_for=lambda name: page.field_for(form, name),
    )


@permission_required("monitoring.sign_off_dexascan", raise_exception=True)
@require_POST
def scan_sign_off(request: AuthenticatedHttpRequest, pk: int, scan_pk: int) -> HttpResponse:
    patient = patient_get(user=request.user, pk=pk)
    # Also a scan marked in error since the page was drawn: the service refuses it with a message.
    scan = selectors.entry_get(DexaScan, patient=patient, pk=scan_pk, or_in_error=True)
    back = safe_next_path(request, request.POST.get("next", ""))
    # The scan's version as the button's page showed it (the button sends it).
    shown = request.POST.get("version", "")
    try:
        dexa_scan_sign_off(
            actor=request.user,
            scan=scan,
            expected_version=int(shown) if shown.isdigit() else None,
            request=request,
        )
    except PatientInErrorError as marked:
        # Her page is hidden from everyone now: the dashboard says who marked her, and why.
        messages.warning(request, str(marked))
        return redirect(back or reverse("monitoring:dashboard"))
    except EntryConflictError as refused:
        messages.warning(request, str(refused))
    else:
        messages.success(request, f"Scan of {scan.scan_date:%Y-%m-%d} signed off.")
    return redirect(back or _page(patient))


# --- Entered in error ---------------------------------------------------------------------------

ERROR_MODELS: dict[str, tuple[type, str]] = {
    "scan": (DexaScan, "monitoring.change_dexascan"),
    "lab": (LabResult, "monitoring.change_labresult"),
    "frax": (FraxResult, "monitoring.change_fraxresult"),
    "therapy": (BoneTherapyCourse, "monitoring.manage_bone_therapy"),
}


# A reason that fits each kind of record, the hint of its form (nurse10 18: every form gave a
# patient's "registered twice, duplicate of MRN 12345").
IN_ERROR_EXAMPLES: dict[type, str] = {
    DexaScan: "another patient's scan, entered under this record",
    LabResult: "entered twice; the same sample is already recorded",
    FraxResult: "entered for the wrong patient",
    BoneTherapyCourse: "course entered twice; the same course is already recorded",
    BoneTherapyDose: "dose recorded twice, or recorded but not given",
}


def _mark_in_error_page(
    request: AuthenticatedHttpRequest, patient: Patient, entry: Any, *, success: str
) -> HttpResponse:
    done = already_marked_in_error(request, entry, to=_page(patient))
    if done:
        return done
    form = MarkInErrorForm(
        request.POST or None,
        record=entry,
        describe=entry_description,
        example=IN_ERROR_EXAMPLES[type(entry)],
    )
    return _save_or_render(
        request,
        patient,
        form,
        lambda: entry_mark_in_error(
            actor=request.user,
            entry=entry,
            patient=patient,
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
            request=request,
        ),
        success=success,
        template="patients/mark_in_error_form.html",
        context=dict,
    )


@GET_POST
@audits_patient_view
def entry_mark_in_error_page(
    request: AuthenticatedHttpRequest, pk: int, kind: str, entry_pk: int
) -> HttpResponse:
    if kind not in ERROR_MODELS:
        raise Http404
    model, permission = ERROR_MODELS[kind]
    if not request.user.has_perm(permission):
        raise record_permission_denied(
            lambda: selectors.entry_get(
                model, patient=Patient(pk=pk), pk=entry_pk, or_in_error=True
            ),
            patient_id=pk,
        )
    patient = patient_get(user=request.user, pk=pk)
    entry = selectors.entry_get(model, patient=patient, pk=entry_pk, or_in_error=True)
    return _mark_in_error_page(
        request,
        patient,
        entry,
        success=f"{entry} marked entered in error; the assessment is updated.",
    )


@GET_POST
@audits_patient_view
def dose_mark_in_error(
    request: AuthenticatedHttpRequest, pk: int, course_pk: int, dose_pk: int
) -> HttpResponse:
    if not request.user.has_perm("monitoring.change_bonetherapydose"):
        raise record_permission_denied(
            lambda: selectors.entry_get(
                BoneTherapyCourse, patient=Patient(pk=pk), pk=course_pk, or_in_error=True
            ),
            patient_id=pk,
        )
    patient = patient_get(user=request.user, pk=pk)
    course = selectors.entry_get(BoneTherapyCourse, patient=patient, pk=course_pk, or_in_error=True)
    dose = selectors.dose_get(course=course, pk=dose_pk, or_in_error=True)
    # The doses of a course marked in error went with it: the page says so of the course.
    return _mark_in_error_page(
        request,
        patient,
        course if course.entered_in_error else dose,
        success="Dose marked entered in error; the assessment is updated.",
    )
