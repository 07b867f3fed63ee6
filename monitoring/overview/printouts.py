"""One-page printouts of a patient: the summary for the notes and the DEXA scan request.

Each is a view of the patient's record, audited as one.
"""

from typing import Any

from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from bonehealth.accounts.http import AuthenticatedHttpRequest
from monitoring.models import DexaScan
from monitoring.models.choices import MeasuredSite
from monitoring.overview.ai_words import SCAN_QUESTION, patient_ai_state
from monitoring.overview.csp import chart_page
from monitoring.overview.follow_up_ended import follow_up_ended_of, printout_text
from monitoring.overview.patient import patient_context, patient_viewed
from monitoring.overview.print_layout import for_print
from monitoring.overview.summary_content import summary_content
from monitoring.overview.summary_fit import SummaryFit, summary_fit
from monitoring.overview.therapy_words import therapy_now_overrides_brief
from monitoring.templatetags.monitoring_display import ALWAYS_RULE, triaged
from patients.models import Patient


def _printout(request: AuthenticatedHttpRequest, pk: int) -> tuple[Patient, dict[str, Any]]:
    """The patient (a view of their record, audited) and what a printout shows, its charts still
    laid out for the screen (`for_print` lays them out for the sheet)."""
    patient, assessment = patient_viewed(request, pk)
    context = patient_context(request, patient, assessment, static_charts=True)
    ended = follow_up_ended_of(patient)
    context["follow_up_ended"] = printout_text(ended) if ended else ""  # phys12 F20
    return patient, context


def summary_lists(recommendations: list[Any], fit: SummaryFit) -> dict[str, Any]:
    """The summary's recommendations, in the order a clinician acts on them (`triaged`); where
    the sheet needs the room (`fit`), the advice every patient gets (rule ALWAYS, listed last) is
    named on one line, its text left to the patient page."""
    standing = [
        rec
        for rec in recommendations
        if fit.standing_advice_named and list(rec.get("rules", [])) == [ALWAYS_RULE]
    ]
    return {
        "recommendations": [rec for rec in recommendations if rec not in standing],
        "standing_advice": standing,
    }


@require_GET
@permission_required("patients.view_patient", raise_exception=True)
@chart_page
def patient_summary(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    patient, context = _printout(request, pk)
    recommendations = triaged(context["data"].get("recommendations"), context["open_alerts"])
    printed_by = request.user.get_full_name() or request.user.username
    fit = summary_fit(summary_content(context, recommendations, printed_by=printed_by))
    context |= for_print(context, bmd_height=fit.bmd_height_px)
    context |= summary_lists(recommendations, fit) | {
        "fit": fit,
        "projection_in_brief": fit.projection_in_brief,
        "projection_named": fit.projection_named,
        "scans_shown": fit.scans_shown,
        "overrides_brief": therapy_now_overrides_brief(
            patient.valid_therapy,  # type: ignore[attr-defined]
            context.get("stopped_denosumab"),
        )
        if fit.overrides_in_brief
        else "",
    }
    return render(request, "monitoring/patient_summary_print.html", context)


@require_GET
@permission_required("patients.view_patient", raise_exception=True)
@chart_page
def scan_request(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    patient, context = _printout(request, pk)
    context |= for_print(context)
    scans = patient.valid_scans  # type: ignore[attr-defined]
    last_scan = scans[-1] if scans else None
    context["last_scan"] = last_scan
    context["requested_sites"] = requested_sites(last_scan)
    # What the densitometry department is asked, as the record stands (nurse10 4).
    state = patient_ai_state(patient.valid_ai_courses, timezone.localdate())  # type: ignore[attr-defined]
    context["clinical_question"] = SCAN_QUESTION[state]
    return render(request, "monitoring/scan_request_print.html", context)


CENTRAL_SITES = (MeasuredSite.LUMBAR_SPINE, MeasuredSite.TOTAL_HIP, MeasuredSite.FEMORAL_NECK)


def requested_sites(last_scan: DexaScan | None) -> str:
    """The sites to measure, in words: those the previous scan measured (change is judged site by
    site on the same scanner; a tester found the femoral neck asked "as on the scan" that had
    measured spine and hip only), or the three central sites for a baseline scan."""
    if last_scan is None:
        sites: list[MeasuredSite] = list(CENTRAL_SITES)
    else:
        measured = {m.site for m in last_scan.measurements.all()}
        sites = [site for site in MeasuredSite if site in measured]
    words = ", ".join(str(site.label)[:1].lower() + str(site.label)[1:] for site in sites)
    return words[:1].upper() + words[1:]
