"""The import pages: upload a file, check its preview (a dry run), confirm; and the CSV template.

For nurses and physicians (they record scans and labs); others get 403. Each step validates the
whole file again against the current records: the preview writes nothing, and the confirm writes
only the plan the preview showed (or shows the new one when the records changed meanwhile).
"""

import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bonehealth.accounts.http import AuthenticatedHttpRequest
from bonehealth.accounts.models import Site, User
from bonehealth.accounts.selectors import sites_for_user
from monitoring.records.imports import fhir
from monitoring.records.imports.access import IMPORT_PERMISSIONS
from monitoring.records.imports.files import FileRefusedError, Problem
from monitoring.records.imports.forms import (
    FHIR_BUNDLE,
    HISTORY_JSON,
    KIND_NAMES,
    UploadForm,
)
from monitoring.records.imports.history_upload import (
    history_document,
    history_preview,
    history_upload_import,
    report_lines,
)
from monitoring.records.imports.pending import (
    PendingUpload,
    pending_clear,
    pending_get,
    pending_shown,
    pending_store,
)
from monitoring.records.imports.plan import ImportPlan, build_plan, counted
from monitoring.records.imports.preview_audit import import_preview_view_record
from monitoring.records.imports.readings import Reading
from monitoring.records.imports.results_csv import results_read, template_lines
from monitoring.records.imports.writing import ImportSource, PlanChangedError, readings_import
from patients.models import Patient
from patients.selectors import patients_for_user

IMPORTS = permission_required(IMPORT_PERMISSIONS, raise_exception=True)
OVERRIDE_REASON_MAX_LENGTH = 500  # as on the therapy and dose forms


@dataclass
class PatientRows:
    mrn: str
    name: str
    site: str
    url: str = ""
    creates: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    # The file's records a colleague marked entered in error, with the mark: not imported.
    in_error: list[str] = field(default_factory=list)


@dataclass
class Preview:
    problems: list[Problem] = field(default_factory=list)
    patients: list[PatientRows] = field(default_factory=list)
    summary: str = ""  # the preview's lead sentence
    digest: str = ""
    # A history's starts and doses failing their pre-treatment checks: confirming needs a reason.
    failed_checks: list[str] = field(default_factory=list)
    # What a history would import that deserves a look (ImportReport.warnings).
    warnings: list[str] = field(default_factory=list)
    reason_error: str = ""
    # The patients whose records the preview read (shown, or quoted by a problem): its audit row.
    consulted: list[int] = field(default_factory=list)


def _rows(
    patient: Patient, creates: list[str], existing: list[str], in_error: list[str]
) -> PatientRows:
    return PatientRows(
        mrn=patient.mrn,
        name=patient.name,
        site=patient.site.name,
        url=reverse("monitoring:patient", args=[patient.pk]),
        creates=creates,
        existing=existing,
        in_error=in_error,
    )


def _site(upload: PendingUpload, user: User) -> Site | None:
    if upload.site_id is None:
        return None
    site = sites_for_user(user=user).filter(pk=upload.site_id).first()
    if site is None:
        raise FileRefusedError([Problem("you no longer work at the site chosen for this file")])
    return site


def _history_site(site: Site | None) -> Site:
    if site is None:  # the upload form requires one for a history
        raise FileRefusedError([Problem("choose the site the patient history belongs to")])
    return site


def _readings(upload: PendingUpload) -> tuple[list[Reading], list[Problem], str]:
    """The file's readings, the problems of its other rows, and what its rows are called."""
    if upload.kind == FHIR_BUNDLE:
        labs, problems = fhir.fhir_read(upload.text)
        return list(labs), problems, fhir.ROW_NAME
    readings, problems = results_read(upload.text)
    return readings, problems, "row"


def _plan_preview(plan: ImportPlan) -> Preview:
    summary = (
        f"Confirming will add: {plan.summary} (skipped)."
        if plan.changes
        else f"Nothing new: {_all_recorded(plan)}. Confirming writes nothing."
    )
    return Preview(
        patients=[_rows(p.patient, p.creates, p.existing, p.in_error) for p in plan.patients],
        summary=summary,
        digest=plan.digest(),
        consulted=plan.consulted,
    )


def _all_recorded(plan: ImportPlan) -> str:
    """ "all 7 rows are already recorded", "its row is already recorded"; with the rows marked
    entered in error: "3 rows are already recorded and 1 row is marked entered in error (not
    imported)"."""
    if plan.not_imported:
        marked = counted(plan.not_imported, "row")
        verb = "is" if plan.not_imported == 1 else "are"
        recorded = (
            f"{counted(plan.skipped, 'row')} {'is' if plan.skipped == 1 else 'are'} already "
            "recorded and "
            if plan.skipped
            else ""
        )
        return f"{recorded}{marked} {verb} marked entered in error (not imported)"
    if plan.skipped == 1:
        return "its one row is already recorded"
    return f"all {plan.skipped} rows are already recorded"


# How many patients an import's message links to by name; the rest are counted.
LINKED_PATIENTS = 5


def _imported_message(name: str, plan: ImportPlan) -> str:
    """What a results import did, linking to the patients it added to (nurse11 F14: an import
    of nothing said "for 0 patients ... Each patient is reassessed", and none was linked)."""
    touched = [p.patient for p in plan.patients if p.changes]
    if not touched:
        return f"{name}: nothing new, {_all_recorded(plan)}. Nothing was written."
    links = format_html_join(
        ", ",
        '<a href="{}">{}</a>',
        (
            (reverse("monitoring:patient", args=[p.pk]), _patient_words(p))
            for p in touched[:LINKED_PATIENTS]
        ),
    )
    more = len(touched) - LINKED_PATIENTS
    reassessed = "Each is reassessed" if len(touched) > 1 else "The patient is reassessed"
    return format_html(
        "{} imported: {}. Added to {}{}. {}.",
        name,
        plan.summary,
        links,
        f" and {counted(more, 'other patient')}" if more > 0 else "",
        reassessed,
    )


def _history_patient(data: dict[str, Any], site: Site, user: User) -> list[int]:
    """The patient the history names at `site`, if the user may see them: whatever the dry run
    answers (a refusal may quote the record, an identity conflict), it read their record."""
    named = data.get("patient")
    mrn = named.get("mrn") if isinstance(named, dict) else None
    if not isinstance(mrn, str):
        return []
    named_here = patients_for_user(user=user).filter(site=site, mrn=mrn)
    return list(named_here.values_list("pk", flat=True))


def _new_patient_words(data: dict[str, Any]) -> str:
    """Who a history's new patient is, as its file says (nurse11 F14: the preview said only
    "new patient"): "Ada Lovelace (new patient, born 1956-03-02)"; a name is optional there."""
    named = data.get("patient")
    named = named if isinstance(named, dict) else {}
    name, born = named.get("name"), named.get("birth_date")
    who = name if isinstance(name, str) and name else "no name in the file"
    return f"{who} (new patient{f', born {born}' if isinstance(born, str) else ''})"


def _patient_words(patient: Patient) -> str:
    """ "Ada Lovelace (B2002)", or the MRN alone for a patient recorded without a name."""
    return f"{patient.name} ({patient.mrn})" if patient.name else patient.mrn


def _history_preview(upload: PendingUpload, site: Site, user: User) -> Preview:
    data = history_document(upload.text)
    consulted = _history_patient(data, site, user)
    try:
        report = history_preview(data, site=site, actor=user)
    except FileRefusedError as refused:
        return Preview(problems=refused.problems, consulted=consulted)
    patient = Patient.objects.filter(site=site, mrn=report.mrn, entered_in_error=False).first()
    lines = report_lines(report)
    rows = (
        _rows(patient, lines, [], report.in_error)
        if patient is not None
        else PatientRows(
            mrn=report.mrn,
            name=_new_patient_words(data),
            site=site.name,
            creates=lines,
            in_error=report.in_error,
        )
    )
    marked = (
        f" {counted(len(report.in_error), 'record')} marked entered in error "
        f"{'is' if len(report.in_error) == 1 else 'are'} not imported (below)."
        if report.in_error
        else ""
    )
    if not report.changed:
        rest = "the rest of it" if report.in_error else "all of it"
        summary = f"Nothing new: the record has {rest}.{marked}"
    else:
        new = " (a new patient)" if report.patient_created else ""
        summary = f"Confirming will add the history of {report.mrn} at {site.name}{new}.{marked}"
    shown = repr(
        (
            report.patient_created,
            sorted(report.created.items()),
            report.notes,
            report.failed_checks,
            report.in_error,
        )
    )
    return Preview(
        patients=[rows],
        summary=summary,
        digest=hashlib.sha256(shown.encode()).hexdigest(),
        failed_checks=report.failed_checks,
        warnings=report.warnings,
        consulted=consulted,
    )


def _preview(upload: PendingUpload, user: User) -> Preview:
    """The dry run of the upload: what it would write, or every problem refusing it."""
    try:
        site = _site(upload, user)
        if upload.kind == HISTORY_JSON:
            return _history_preview(upload, _history_site(site), user)
        readings, problems, row_name = _readings(upload)
        plan = build_plan(readings, user=user, site=site, row_name=row_name, problems=problems)
    except FileRefusedError as refused:
        return Preview(problems=refused.problems)
    if plan.problems:
        return Preview(problems=plan.problems, consulted=plan.consulted)
    return _plan_preview(plan)


def _source(upload: PendingUpload) -> ImportSource:
    return ImportSource(kind=upload.kind, name=upload.name, sha256=upload.sha256)


def _render_preview(
    request: AuthenticatedHttpRequest,
    upload: PendingUpload,
    preview: Preview,
    override_reason: str = "",
) -> HttpResponse:
    if not preview.problems:
        pending_shown(request, upload, preview.digest)
    import_preview_view_record(
        actor=request.user,
        patient_ids=preview.consulted,
        kind=upload.kind,
        file=upload.name,
        sha256=upload.sha256,
        refused=bool(preview.problems),
        request=request,
    )
    return render(
        request,
        "monitoring/imports/preview.html",
        {
            "upload": upload,
            "kind_name": KIND_NAMES[upload.kind],
            "preview": preview,
            "override_reason": override_reason,  # as typed, kept when refused
        },
    )


@IMPORTS
@require_http_methods(["GET", "POST"])
def import_upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    sites = sites_for_user(user=request.user).order_by("name")
    form = UploadForm(request.POST or None, request.FILES or None, sites=sites)
    if request.method == "POST" and form.is_valid():
        site = form.cleaned_data.get("site")
        pending_store(
            request,
            kind=form.cleaned_data["kind"],
            name=form.cleaned_data["file"].name or "upload",
            raw=form.cleaned_data["raw"],
            text=form.cleaned_data["text"],
            site_id=site.pk if site else None,
        )
        return redirect("monitoring:import_preview")
    return render(
        request, "monitoring/imports/upload.html", {"form": form, "waiting": pending_get(request)}
    )


@IMPORTS
@require_GET
def import_preview(request: AuthenticatedHttpRequest) -> HttpResponse:
    upload = pending_get(request)
    if upload is None:
        return render(request, "monitoring/imports/preview.html", {"upload": None})
    return _render_preview(request, upload, _preview(upload, request.user))


def _write(request: AuthenticatedHttpRequest, upload: PendingUpload, override_reason: str) -> str:
    """Write the upload; return what was done, for the message."""
    site = _site(upload, request.user)
    if upload.kind == HISTORY_JSON:
        history_site = _history_site(site)
        report = history_upload_import(
            history_document(upload.text),
            site=history_site,
            actor=request.user,
            source=_source(upload),
            request=request,
            override_reason=override_reason or None,
        )
        patient = Patient.objects.get(site=history_site, mrn=report.mrn, entered_in_error=False)
        marked = len(report.in_error)
        return format_html(
            '{}: <a href="{}">{}</a>: {}{}.',
            upload.name,
            reverse("monitoring:patient", args=[patient.pk]),
            _patient_words(patient),
            ", ".join(report_lines(report)) or "nothing new",
            f"; {counted(marked, 'record')} marked entered in error not imported" if marked else "",
        )
    readings, problems, row_name = _readings(upload)
    plan = readings_import(
        readings,
        actor=request.user,
        source=_source(upload),
        site=site,
        row_name=row_name,
        request=request,
        expected=upload.digest,
        problems=problems,
    )
    return _imported_message(upload.name, plan)


@IMPORTS
@require_POST
def import_confirm(request: AuthenticatedHttpRequest) -> HttpResponse:
    upload = pending_get(request, request.POST.get("token", ""))
    if upload is None or request.POST.get("sha256") != upload.sha256:
        messages.warning(
            request,
            "Nothing was written: this upload is not waiting any more (it was imported already, "
            "replaced by a newer upload, or it expired). Upload the file again if needed.",
        )
        return redirect("monitoring:import_upload")
    preview = _preview(upload, request.user)
    if preview.problems:
        return _render_preview(request, upload, preview)
    if preview.digest != upload.digest:
        messages.warning(request, "The records changed since the preview: check it again.")
        return _render_preview(request, upload, preview)
    reason = request.POST.get("override_reason", "").strip()
    if (preview.failed_checks and not reason) or len(reason) > OVERRIDE_REASON_MAX_LENGTH:
        preview.reason_error = (
            f"Give the reason (at most {OVERRIDE_REASON_MAX_LENGTH} characters) for importing "
            "the records whose pre-treatment checks fail."
        )
        return _render_preview(request, upload, preview, reason)
    try:
        done = _write(request, upload, reason)
    except FileRefusedError as refused:
        refusal = Preview(problems=refused.problems, consulted=preview.consulted)
        return _render_preview(request, upload, refusal)
    except PlanChangedError as changed:
        messages.warning(request, "The records changed since the preview: check it again.")
        return _render_preview(request, upload, _plan_preview(changed.plan))
    pending_clear(request)
    messages.success(request, done)
    return redirect("monitoring:import_upload")


@IMPORTS
@require_GET
def results_template(request: AuthenticatedHttpRequest) -> StreamingHttpResponse:
    response = StreamingHttpResponse(template_lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="results-template.csv"'
    return response
