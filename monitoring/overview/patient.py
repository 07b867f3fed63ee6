"""The patient page: record, assessment, charts, alerts, plan and every entry."""

import datetime as dt
import functools
import hashlib
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import permission_required
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from bonehealth.accounts.http import AuthenticatedHttpRequest
from monitoring import domain, labels
from monitoring.assessment.history_document import history_from_records
from monitoring.assessment.permissions import user_may_acknowledge
from monitoring.assessment.read_through import assessment_read_through
from monitoring.models import Alert, DexaScan, PatientAssessment
from monitoring.models.choices import VertebralFractureAssessment
from monitoring.overview import charts
from monitoring.overview.alert_groups import alert_groups
from monitoring.overview.cache_keys import shown_key
from monitoring.overview.cleared_alerts import with_clearing
from monitoring.overview.csp import chart_page
from monitoring.overview.ended_follow_up import ended_follow_on_words
from monitoring.overview.in_error_entries import entries_in_error_count
from monitoring.overview.kidney_to_measure import creatinine_to_measure
from monitoring.overview.labs import LabRow, TableReadings, lab_rows
from monitoring.overview.letter_denosumab_stop import stopped_denosumab
from monitoring.records import selectors
from patients.models import FollowUpStatus, Patient
from patients.read_audit import patient_record_view


def patient_viewed(
    request: AuthenticatedHttpRequest, pk: int
) -> tuple[Patient, PatientAssessment | None]:
    """Load a patient the user may see with all records and assessment; audit the view."""
    with transaction.atomic():
        patient = selectors.patient_page_get(user=request.user, pk=pk)
        patient_record_view(actor=request.user, patient=patient, request=request)
        assessment = selectors.stored_assessment(patient=patient)
        if assessment is None:
            # Records created before monitoring existed (or by a bulk load): assess once now.
            assessment_read_through(patient=patient)
            assessment = selectors.stored_assessment(patient=patient)
    return patient, assessment


def patient_context(
    request: AuthenticatedHttpRequest,
    patient: Patient,
    assessment: PatientAssessment | None,
    *,
    static_charts: bool = False,
    open_alerts: list[Alert] | None = None,
) -> dict[str, Any]:
    """What the patient page and its printouts show: assessment, alerts, plan and charts
    (`open_alerts`, when the caller has read them already, are not read again)."""
    if open_alerts is None:
        open_alerts = selectors.patient_open_alerts(patient=patient)
        for alert in open_alerts:
            alert.may_acknowledge = user_may_acknowledge(request.user, alert)  # type: ignore[attr-defined]
    cleared_alerts = selectors.patient_cleared_alerts(patient=patient)
    data = assessment.data if assessment else {}
    lab_units = domain.UnitSystem(patient.site.lab_units)
    today = timezone.localdate()
    try:
        history = history_from_records(patient)
        figures = charts.patient_figures(
            history, data, as_of=today, static=static_charts, lab_units=lab_units
        )
        # The header names it beside the courses running (phys11 F9).
        stopped = stopped_denosumab(history, today)
        # The creatinine that asks for kidney function to be measured (RENAL's decision): its
        # row in the labs table says so, as the chart does.
        to_measure = creatinine_to_measure(history, today)
        data_problem = None
    except domain.HistoryError as problem:
        # A stored value the rules refuse (saved before the forms bounded it, or by a bulk load):
        # show the record and say what to correct, rather than failing the page for everyone.
        figures, stopped, to_measure, data_problem = {}, None, None, str(problem)
    rows = lab_rows(
        patient.valid_labs,  # type: ignore[attr-defined]
        lab_units,
        patient,
        zoledronic=zoledronic_planned_or_active(patient.valid_therapy),  # type: ignore[attr-defined]
        to_measure=to_measure,
    )
    plan = patient.plan_history[0] if patient.plan_history else None  # type: ignore[attr-defined]
    return {
        "patient": patient,
        "assessment": assessment,
        "data": data,
        "open_alerts": open_alerts,
        "cleared_alerts": cleared_alerts,
        "plan": plan,
        "plan_met": plan_met(plan, assessment),
        "data_problem": data_problem,
        "stopped_denosumab": stopped,
        # Said on the page of a patient no longer followed, whom no list reminds (phys12 F1).
        "ended_follow_on": ended_follow_on_words(
            ended=patient.follow_up_status == FollowUpStatus.ENDED, stopped=stopped, today=today
        ),
        "lab_rows": rows,
        "lab_readings": TableReadings(lambda: rows),
        # The risk factors the rules counted (age, T-score and the recorded ones), in words:
        # TX-AI-RF names none (physician7 F9).
        "risk_factor_words": labels.risk_factor_words(data.get("risk_factors", ())),
        # What made the risk category high (its therapy triggers), said apart from the risk
        # factors, which alone never do (phys13 #13).
        "risk_trigger_words": risk_trigger_words(data),
        "vfa_fracture_day": vfa_fracture_counted(patient, data),
        **figures,
    }


def risk_trigger_words(data: dict[str, Any]) -> list[str]:
    """The therapy triggers that made the stored risk category high (RISK-HIGH), in words; none
    for another category. The T-score ones quote the lowest T-score, which counts for them even
    where WHO categories do not apply (WHO-CAT Population): there TX-OSTEOPOROSIS is worded by
    its threshold, not as osteoporosis (phys14 #4). The page and the printouts both read this."""
    if data.get("risk_category") != domain.RiskCategory.HIGH:
        return []
    lowest = (data.get("lowest_t_score") or {}).get("value")
    return labels.trigger_words(
        data.get("therapy_triggers", ()),
        lowest,
        who_applies=data.get("who_category") != domain.WhoCategory.NOT_APPLICABLE,
    )


def vfa_fracture_counted(patient: Any, data: dict[str, Any]) -> dt.date | None:
    """The date of the scan whose VFA gave the prior fragility fracture the rules counted, when
    the registration says none (else None): the panel said "Prior fragility fracture: No" beside
    "Counted by the rules: prior fragility fracture" (nurse12 F11). The rules count the earliest
    scan whose VFA saw a vertebral fracture (rules/classification.py, `vfa_fracture_scan`)."""
    if patient.prior_fragility_fracture or "FRAGILITY_FRACTURE" not in data.get("risk_factors", ()):
        return None
    as_of = dt.date.fromisoformat(data["as_of"]) if data.get("as_of") else timezone.localdate()
    seen = [
        scan.scan_date
        for scan in patient.valid_scans
        if scan.vertebral_fracture_assessment == VertebralFractureAssessment.FRACTURE
        and scan.scan_date <= as_of
    ]
    return min(seen, default=None)


def zoledronic_planned_or_active(courses: Iterable[Any]) -> bool:
    """Whether any valid course of zoledronic acid is planned or active today (not stopped): the
    labs flags ask for its dose check only then (nurse10 5)."""
    today = timezone.localdate()
    return any(
        course.drug == domain.BoneTherapyDrug.ZOLEDRONIC_ACID
        and (course.stop_date is None or course.stop_date > today)
        for course in courses
    )


def plan_met(plan: Any, assessment: Any) -> bool:
    """Tell whether the physician's planned date no longer applies because a scan fulfilled it.

    The rules decide (SCHED-PLAN: a scan on or after the day the plan was set); the stored
    assessment then gives the computed date, not the plan's, which is all this reads.
    """
    return (
        plan is not None
        and plan.next_dexa_due is not None
        and assessment is not None
        and assessment.next_dexa_due != plan.next_dexa_due
    )


def permissions_digest(user: Any) -> str:
    """A short digest of the user's permissions (they decide the links a fragment shows)."""
    names = "\n".join(sorted(user.get_all_permissions()))
    return hashlib.sha256(names.encode()).hexdigest()[:16]


def fragment_key(
    request: AuthenticatedHttpRequest,
    patient: Patient,
    *,
    record: Callable[[], dict[str, Any]] | None = None,
) -> str:
    """What the patient page's cached fragments show, besides the records behind the patient's
    records_version: today's date (ages and what is due are counted to it), the viewer's
    permissions (the links), the site's name and lab units, and the names of whoever set the
    patient's plans, signed off their scans or overrode a check of their therapy (a renamed site
    or user, or a site's change of lab units, shows at once). Read on every view; `record`, the
    page's whole context (`patient_context`), is asked for only where the fragments have not
    been drawn (`people_shown`)."""
    parts = [
        str(patient.pk),
        str(patient.assessment.records_version),
        timezone.localdate().isoformat(),
        permissions_digest(request.user),
        patient.site.name,
        patient.site.lab_units,
        *(str(person) for person in people_shown(patient, record=record)),
    ]
    return shown_key(parts)


def people_shown(
    patient: Patient, *, record: Callable[[], dict[str, Any]] | None = None
) -> list[Any]:
    """Whoever the patient's fragments name (plan setters, scan reviewers, overriders, and who
    noted a recently cleared alert), with their names as of now (a renamed user shows at once).

    Which people they are follows from the records, so their ids are kept under the patient's
    records_version, and a view reads only their names, by id: 1 ms where finding them took
    3-4 ms at 10,000 patients (bench/README.md). Without the ids the fragments have not been
    drawn at this version (the ids are read on every view, so kept at least as long): they name
    whoever the whole record (`record`, read for them anyway) names, or, without it, the query.
    """
    key = f"patient-people:{patient.pk}:{patient.assessment.records_version}"
    ids = cache.get(key)
    if ids is not None:
        return selectors.users_named(ids=ids)
    if record is not None:
        context = record()
        people = _people_in(context["patient"], context["cleared_alerts"])
    else:
        people = selectors.people_shown(patient=patient)
    cache.set(key, [person.pk for person in people], settings.PAGE_CACHE_SECONDS)
    return people


def _people_in(record: Patient, cleared_alerts: Iterable[Alert] = ()) -> list[Any]:
    """Whoever a whole record (`with_records`) and its recently cleared alerts name, by id."""
    found: dict[int | None, Any] = {}
    for alert in cleared_alerts:
        found[alert.acknowledged_by_id] = alert.acknowledged_by
        found[alert.seen_by_id] = alert.seen_by
    for plan in record.plan_history:  # type: ignore[attr-defined]
        found[plan.set_by_id] = plan.set_by
    for scan in record.valid_scans:  # type: ignore[attr-defined]
        found[scan.reviewed_by_id] = scan.reviewed_by
    for course in record.valid_therapy:  # type: ignore[attr-defined]
        found[course.safety_override_by_id] = course.safety_override_by
        for dose in course.valid_doses:
            found[dose.safety_override_by_id] = dose.safety_override_by
    return [found[pk] for pk in sorted(pk for pk in found if pk is not None)]


@require_safe
@permission_required("patients.view_patient", raise_exception=True)
@chart_page
def patient_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The patient page: audited on every view; its parts without a form are `{% cache %}`
    fragments (templates/monitoring/patient_page.html), whose whole record is read only on a miss.

    Measured at 10,000 patients (bench/README.md, "Cache round"): a view with the fragments cached
    takes a fraction of a first view, which reads every record and draws the charts.
    """
    patient = selectors.patient_page_header(user=request.user, pk=pk)
    patient_record_view(actor=request.user, patient=patient, request=request)
    if not hasattr(patient, "assessment"):
        # Records created before monitoring existed (or by a bulk load): assess once now.
        assessment_read_through(patient=patient)
        patient = selectors.patient_page_header(user=request.user, pk=pk)

    open_alerts = selectors.patient_open_alerts(patient=patient)
    for alert in open_alerts:
        alert.may_acknowledge = user_may_acknowledge(request.user, alert)  # type: ignore[attr-defined]

    @functools.cache
    def full() -> dict[str, Any]:
        # A miss: the whole record (the template asks for it inside a fragment), added to the
        # patient and assessment read above.
        record = selectors.patient_records_add(patient=patient)
        context = patient_context(request, record, record.assessment, open_alerts=open_alerts)
        # The link to them: marking one reassesses, which raises the fragments' version.
        context["entries_in_error"] = entries_in_error_count(patient=patient)
        # Whether each cleared alert was acknowledged, and which write cleared it (nurse13 #8):
        # the page alone says so, the printouts name no cleared alert.
        with_clearing(context["cleared_alerts"])
        return context

    @functools.cache
    def scans() -> list[DexaScan]:
        # Read only where the page renders their table: with a Sign off form, or on a miss of its
        # fragment (the template calls a callable it is given). A miss of every fragment (after
        # a change) has read them with the whole record already.
        if full.cache_info().currsize:
            return full()["patient"].valid_scans
        return selectors.patient_scans(patient=patient)

    key = fragment_key(request, patient, record=full)

    def labs() -> list[LabRow]:
        # Needed only when an open alert quotes a lab value in another unit than the site's;
        # kept under the fragments' key, so a view again reads no lab (2 ms of 21 at 10,000
        # patients, bench/README.md).
        def read() -> list[LabRow]:
            if full.cache_info().currsize:
                rows: list[LabRow] = full()["lab_rows"]
                return rows
            units = domain.UnitSystem(patient.site.lab_units)
            return lab_rows(selectors.patient_labs(patient=patient), units, patient)

        rows = cache.get_or_set(f"patient-lab-rows:{key}", read, settings.PAGE_CACHE_SECONDS)
        return rows if rows is not None else read()

    context = {
        "patient": patient,
        "open_alerts": open_alerts,
        "lab_readings": TableReadings(labs),
        "alert_groups": alert_groups(open_alerts, user=request.user),
        "scans": scans,
        "scan_forms": patient.assessment.unreviewed_scans > 0
        and request.user.has_perm("monitoring.sign_off_dexascan"),
        "full": full,
        "fragment_key": key,
        "cache_seconds": settings.PAGE_CACHE_SECONDS,
    }
    return render(request, "monitoring/patient_page.html", context)
