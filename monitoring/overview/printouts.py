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
from monitoring.domain import RecommendationCode
from monitoring.domain.thresholds import DENOSUMAB_OVERDUE_MAX_DAYS_LATE
from monitoring.models import DexaScan
from monitoring.models.choices import MeasuredSite
from monitoring.overview.ai_words import SCAN_QUESTION, patient_ai_state
from monitoring.overview.csp import chart_page
from monitoring.overview.follow_up_ended import follow_up_ended_of, printout_text
from monitoring.overview.letter_supplements import supplements_words, taken_supplements
from monitoring.overview.patient import patient_context, patient_viewed
from monitoring.overview.print_layout import for_print
from monitoring.overview.summary_content import PRINTED_NOTE_CHARS, risk_words, summary_content
from monitoring.overview.summary_fit import BMD_HEIGHT_PX, SummaryFit, summary_fit
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
    context["printed_note_chars"] = PRINTED_NOTE_CHARS  # an acknowledgement's note, cut
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
    # What the advice on vitamin D and calcium rests on (nurse12 F10).
    context["supplements_words"] = supplements_words(taken_supplements(patient))
    # The risk category's reasons on their own line, not in the facts' narrow cell; the scan
    # request, whose sheet has no room to give, names the category alone.
    context["risk_words"] = risk_words(context["risk_trigger_words"], context["risk_factor_words"])
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
    # A chart 30 px shorter than the summary's first choice (still above its least, 170): the
    # request has nothing else to give way, and a patient with five open alerts and the note of a
    # projection left off ran its signature line onto a second sheet.
    context |= for_print(context, bmd_height=SCAN_REQUEST_BMD_HEIGHT_PX)
    scans = patient.valid_scans  # type: ignore[attr-defined]
    last_scan = scans[-1] if scans else None
    context["last_scan"] = last_scan
    context["requested_sites"] = sites_requested_words(scans)
    # What the densitometry department is asked, as the record stands (nurse10 4).
    state = patient_ai_state(patient.valid_ai_courses, timezone.localdate())  # type: ignore[attr-defined]
    context["clinical_question"] = SCAN_QUESTION[state]
    context["vfa_reason"] = vfa_reason(context["data"])
    return render(request, "monitoring/scan_request_print.html", context)


# phys14 #8: after a denosumab dose more than 16 weeks late the rules recommend a vertebral
# fracture assessment (DMAB-LATE-VFA); the request asks for one and says why, as the letters do.
VFA_AFTER_LATE_DOSE = (
    f"a denosumab dose was given more than {DENOSUMAB_OVERDUE_MAX_DAYS_LATE // 7} weeks late, "
    "and rebound vertebral fractures are often silent"
)


def vfa_reason(data: dict[str, Any]) -> str:
    """Why the request asks for a vertebral fracture assessment beyond the high risk it asks one
    for anyway: the stored assessment recommends one after a late denosumab dose; "" otherwise."""
    codes = {rec.get("code") for rec in data.get("recommendations", ())}
    return VFA_AFTER_LATE_DOSE if RecommendationCode.VERTEBRAL_FRACTURE_ASSESSMENT in codes else ""


SCAN_REQUEST_BMD_HEIGHT_PX = BMD_HEIGHT_PX - 30

CENTRAL_SITES = (MeasuredSite.LUMBAR_SPINE, MeasuredSite.TOTAL_HIP, MeasuredSite.FEMORAL_NECK)


def _in_words(sites: list[MeasuredSite]) -> str:
    """The sites' labels in a list, lower case but for the first word ("" for none)."""
    words = ", ".join(str(site.label)[:1].lower() + str(site.label)[1:] for site in sites)
    return words[:1].upper() + words[1:]


def _sites_of(scan: DexaScan) -> set[str]:
    return {m.site for m in scan.measurement_list}  # type: ignore[attr-defined]


def requested_sites(scans: list[DexaScan]) -> list[MeasuredSite]:
    """The sites to measure: the lumbar spine and the hip (total hip and femoral neck), the sites
    the rules judge (clinical-rules.md, Per-site values), and every other site measured before
    (the 1/3 radius), as change is judged site by site. The sites of the last scan alone made one
    partial scan (a hip-only import, a spine not analysable) shrink every later request
    (nurse12 F6)."""
    measured = set().union(*(_sites_of(scan) for scan in scans))
    return [site for site in MeasuredSite if site in CENTRAL_SITES or site in measured]


def sites_requested_words(scans: list[DexaScan]) -> str:
    """The request's Sites line: the sites, then a baseline said so, or the last scan's date
    and, where it measured fewer, the sites it did not measure."""
    sites = requested_sites(scans)
    words = _in_words(sites)
    if not scans:
        return f"{words} (baseline)"
    last = scans[-1]
    missed = [site for site in sites if site not in _sites_of(last)]
    day = f"{last.scan_date:%Y-%m-%d}"
    if not missed:
        return f"{words}; as on the scan of {day}"
    missed_words = _in_words(missed)
    missed_words = missed_words[:1].lower() + missed_words[1:]
    return f"{words}; the scan of {day} did not measure the {missed_words}"
