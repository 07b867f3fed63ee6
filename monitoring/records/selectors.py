"""Reads of monitoring data. Every patient-facing read goes through patients.selectors' scoping."""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db.models import Max, Min, Prefetch, Q, QuerySet, prefetch_related_objects
from django.http import Http404
from django.utils import timezone

from bonehealth.accounts.models import User
from bonehealth.accounts.selectors import sites_for_user
from monitoring.labels import code_label
from monitoring.models import (
    Alert,
    BoneTherapyCourse,
    BoneTherapyDose,
    DexaMeasurement,
    DexaScan,
    FraxResult,
    LabResult,
    MonitoringPlan,
    PatientAssessment,
    Scanner,
    ScheduledItem,
)
from monitoring.models.alert_chain import attach_earlier_notes
from monitoring.models.choices import BoneTherapyDrug, ScheduleItem, Severity
from patients.access import patient_refused, record_of_patient
from patients.models import AromataseInhibitorCourse, FollowUpStatus, Patient
from patients.selectors import patients_for_user
from patients.signals import ActiveTreatment


def _valid[M: (DexaScan, LabResult, FraxResult, BoneTherapyCourse, BoneTherapyDose)](
    model: type[M],
) -> QuerySet[M]:
    return model.objects.filter(entered_in_error=False)


def patients_with_records(patient_ids: Iterable[int]) -> QuerySet[Patient]:
    """Patients with every record the rules need, in a constant number of queries."""
    return with_records(Patient.objects.filter(pk__in=list(patient_ids)))


def with_records(patients: QuerySet[Patient]) -> QuerySet[Patient]:
    """Add every record the rules need to a patient queryset (a constant number of queries).

    Attributes set by the prefetches: valid_ai_courses, valid_scans (each with measurement_list and
    its scanner), valid_labs, valid_frax, valid_therapy (each with valid_doses), plan_history,
    and `supplements` (a one-to-one, may be missing).
    """
    return patients.select_related("site", "supplements").prefetch_related(*_record_prefetches())


def _record_prefetches() -> list[Prefetch[str]]:
    return [
        Prefetch(
            "ai_courses",
            queryset=AromataseInhibitorCourse.objects.filter(entered_in_error=False).order_by(
                "start_date", "id"
            ),
            to_attr="valid_ai_courses",
        ),
        Prefetch(
            "dexa_scans",
            queryset=_valid(DexaScan)
            .select_related("scanner", "scanner__site", "reviewed_by")
            .prefetch_related(
                Prefetch(
                    "measurements",
                    queryset=DexaMeasurement.objects.order_by("site"),
                    to_attr="measurement_list",
                )
            )
            .order_by("scan_date", "id"),
            to_attr="valid_scans",
        ),
        Prefetch(
            "lab_results",
            queryset=_valid(LabResult).order_by("sample_date", "analyte", "id"),
            to_attr="valid_labs",
        ),
        Prefetch(
            "frax_results",
            queryset=_valid(FraxResult).order_by("assessed_on", "id"),
            to_attr="valid_frax",
        ),
        Prefetch(
            "bone_therapy",
            queryset=_valid(BoneTherapyCourse)
            .select_related("safety_override_by")
            .prefetch_related(
                Prefetch(
                    "doses",
                    queryset=_valid(BoneTherapyDose)
                    .select_related("safety_override_by")
                    .order_by("given_on", "id"),
                    to_attr="valid_doses",
                )
            )
            .order_by("start_date", "id"),
            to_attr="valid_therapy",
        ),
        Prefetch(
            "plans",
            queryset=MonitoringPlan.objects.select_related("set_by").order_by("-set_at", "-id"),
            to_attr="plan_history",
        ),
    ]


def active_patient_ids() -> QuerySet[Patient, int]:
    """Ids of every patient on active follow-up (for nightly reassessment)."""
    return (
        Patient.objects.filter(entered_in_error=False, follow_up_status=FollowUpStatus.ACTIVE)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def open_alerts_for(patient_ids: Iterable[int]) -> QuerySet[Alert]:
    """Open alerts of the given patients."""
    return Alert.objects.filter(patient_id__in=list(patient_ids), cleared_at__isnull=True)


def scanners_for_site(*, site_id: int) -> QuerySet[Scanner]:
    """Active scanners of a site, for the DEXA form."""
    return Scanner.objects.filter(site_id=site_id, is_active=True).order_by("name")


def last_scanner_for(*, patient: Patient) -> Scanner | None:
    """The scanner of the patient's most recent valid scan (the DEXA form's default)."""
    scan = (
        _valid(DexaScan)
        .filter(patient=patient)
        .select_related("scanner")
        .order_by("-scan_date", "-id")
        .first()
    )
    return scan.scanner if scan else None


def patient_page_get(*, user: User, pk: int) -> Patient:
    """A patient the user may see, with all records; 404 for any other (refusals audited)."""
    try:
        return with_records(patients_for_user(user=user)).get(pk=pk)
    except Patient.DoesNotExist:
        raise patient_refused(pk) from None


def patient_page_header(*, user: User, pk: int) -> Patient:
    """A patient the user may see, with their site and stored assessment (`patient.assessment`;
    missing before the first assessment): what the patient page reads on every view besides its
    cached fragments, and on a miss of them the start of the whole record
    (`patient_records_add`). 404 for any other patient (refusals audited).

    The assessment's JSON comes along: deferring it cost more (Django's deferred-field mask)
    than its 2-3 KB save, and a first view would read the assessment again for it."""
    if not 0 < pk < 2**63:  # beyond any id, and beyond what the databases' integers hold
        raise Http404("No such patient.")
    try:
        return patients_for_user(user=user).select_related("site", "assessment").get(pk=pk)
    except Patient.DoesNotExist:
        raise patient_refused(pk) from None


def patient_records_add(*, patient: Patient) -> Patient:
    """Add every record `with_records` adds to a patient read already (`patient_page_header`):
    the patient and their assessment are not read again."""
    prefetch_related_objects([patient], "supplements", *_record_prefetches())
    return patient


def people_shown(*, patient: Patient) -> list[User]:
    """Whoever set the patient's plans, signed off their scans, overrode the pre-treatment checks
    of their therapy or noted one of their recently cleared alerts (their names and ids only; one
    query)."""
    plans = MonitoringPlan.objects.filter(patient=patient).values("set_by")
    scans = _valid(DexaScan).filter(patient=patient).values("reviewed_by")
    courses = _valid(BoneTherapyCourse).filter(patient=patient).values("safety_override_by")
    doses = _valid(BoneTherapyDose).filter(course__patient=patient).values("safety_override_by")
    cleared = Alert.objects.filter(pk__in=_recent_cleared(patient).values("pk"))
    noted = Q(pk__in=cleared.values("acknowledged_by")) | Q(pk__in=cleared.values("seen_by"))
    people = User.objects.filter(
        Q(pk__in=plans) | Q(pk__in=scans) | Q(pk__in=courses) | Q(pk__in=doses) | noted
    )
    return list(people.order_by("pk").only("first_name", "last_name", "username"))


def users_named(*, ids: list[int]) -> list[User]:
    """The users of these ids, by id (their names only; one simple query). Also one for no ids
    (no user's id is 0), which Django would skip: a page runs as many queries whoever it names."""
    people = User.objects.filter(pk__in=ids or [0])
    return list(people.order_by("pk").only("first_name", "last_name", "username"))


def patient_labs(*, patient: Patient) -> list[LabResult]:
    """The patient's valid lab results, oldest first (as the labs table reads them)."""
    return list(_valid(LabResult).filter(patient=patient).order_by("sample_date", "analyte", "id"))


def patient_scans(*, patient: Patient) -> list[DexaScan]:
    """The patient's valid scans, oldest first, with their scanner, reviewer and measurements."""
    return list(
        _valid(DexaScan)
        .filter(patient=patient)
        .select_related("scanner", "reviewed_by")
        .prefetch_related(
            Prefetch(
                "measurements",
                queryset=DexaMeasurement.objects.order_by("site"),
                to_attr="measurement_list",
            )
        )
        .order_by("scan_date", "id")
    )


def patient_with_records(pk: int) -> Patient:
    """One patient (whose access was checked) with every record `with_records` adds, and their
    stored assessment (`patient.assessment`; the patient page has stored one)."""
    return with_records(Patient.objects.filter(pk=pk)).select_related("assessment").get()


RECENT_CLEARED_ALERTS = 10


def _recent_cleared(patient: Patient) -> QuerySet[Alert]:
    return Alert.objects.filter(patient=patient, cleared_at__isnull=False).order_by(
        "-cleared_at", "-id"
    )[:RECENT_CLEARED_ALERTS]


def patient_cleared_alerts(*, patient: Patient) -> list[Alert]:
    """The patient's most recently cleared alerts, with who acknowledged or saw them (their
    notes are shown beside them, nurse12 F2)."""
    return list(_recent_cleared(patient).select_related("acknowledged_by", "seen_by"))


def patient_open_alerts(*, patient: Patient) -> list[Alert]:
    """The patient's open alerts, worst first, then the oldest; each with `earlier_notes`, the
    notes left on the alerts it replaced (`alert_chain`), read in the same query."""
    alerts = list(
        Alert.objects.filter(Q(cleared_at__isnull=True) | Q(superseded=True), patient=patient)
        .select_related("acknowledged_by", "seen_by")
        .order_by("-severity_rank", "raised_at", "id")
    )
    still_open = [alert for alert in alerts if alert.cleared_at is None]
    attach_earlier_notes(still_open, [alert for alert in alerts if alert.superseded])
    return still_open


def alerts_with_earlier_notes(alerts: list[Alert]) -> list[Alert]:
    """`alerts` (open alerts of one patient), each with `earlier_notes` (one query)."""
    if alerts:
        replaced = Alert.objects.filter(
            patient_id=alerts[0].patient_id,
            code__in={alert.code for alert in alerts},
            superseded=True,
        ).select_related("acknowledged_by", "seen_by")
        attach_earlier_notes(alerts, replaced)
    return alerts


def stored_assessment(*, patient: Patient) -> PatientAssessment | None:
    return PatientAssessment.objects.filter(patient=patient).first()


def entry_get[M: (DexaScan, LabResult, FraxResult, BoneTherapyCourse)](
    model: type[M], *, patient: Patient, pk: int, or_in_error: bool = False
) -> M:
    """One valid entry of a patient the user already may see (`or_in_error`: also one marked
    entered in error, for an edit page to say so); 404 otherwise."""
    valid: dict[str, Any] = {} if or_in_error else {"entered_in_error": False}
    return record_of_patient(model, patient=patient, pk=pk, **valid)


def dose_get(*, course: BoneTherapyCourse, pk: int, or_in_error: bool = False) -> BoneTherapyDose:
    """One valid dose of the course (`or_in_error`: also one marked entered in error, for its
    mark-in-error page to say so); 404 otherwise."""
    valid: dict[str, Any] = {} if or_in_error else {"entered_in_error": False}
    return record_of_patient(
        BoneTherapyDose,
        patient=course.patient_id,
        pk=pk,
        via="course__patient",
        course=course,
        **valid,
    )


def scanners_for_user(*, user: User) -> QuerySet[Scanner]:
    """Every scanner (active or not) at the sites the user works at, for site settings."""
    return (
        Scanner.objects.filter(site__in=sites_for_user(user=user))
        .select_related("site")
        .order_by("site__name", "name")
    )


def patients_scanned_on(*, scanner: Scanner) -> list[int]:
    """Ids of patients with a valid scan on this scanner (their changes depend on its LSC)."""
    return list(
        DexaScan.objects.filter(scanner=scanner, entered_in_error=False)
        .values_list("patient_id", flat=True)
        .distinct()
    )


def entry_dates(*, patient: Patient) -> list[tuple[date, str]]:
    """The first and last date of the patient's scans, lab samples, FRAX and doses (not in error),
    each as (date, what it is)."""
    kinds = [
        (DexaScan.objects.filter(patient=patient), "scan_date", "DEXA scan"),
        (LabResult.objects.filter(patient=patient), "sample_date", "lab result"),
        (FraxResult.objects.filter(patient=patient), "assessed_on", "FRAX result"),
        (BoneTherapyDose.objects.filter(course__patient=patient), "given_on", "bone-therapy dose"),
    ]
    found = []
    for rows, column, what in kinds:
        span = rows.filter(entered_in_error=False).aggregate(first=Min(column), last=Max(column))
        found += [(day, what) for day in (span["first"], span["last"]) if day is not None]
    return found


# The due item of each drug whose doses the worklist reminds of.
_DOSE_ITEMS = {
    BoneTherapyDrug.DENOSUMAB: ScheduleItem.DENOSUMAB_DOSE,
    BoneTherapyDrug.ZOLEDRONIC_ACID: ScheduleItem.ZOLEDRONIC_ACID_DOSE,
}


def active_bone_therapy(*, patient: Patient) -> list[ActiveTreatment]:
    """The patient's antiresorptive courses running today (started, not stopped, not in error),
    each with a warning naming the course and its next dose due, and what ending follow-up needs
    confirmed ("" for nothing), for the end-of-follow-up form (physician7 F14).

    The conservative reading where the rules are silent: denosumab needs the tick. Its effect
    wears off within months of a missed dose, with rebound vertebral fractures (Tsourdi 2017,
    ECTS position; Lyu 2020), and ending follow-up removes the next injection from the worklist.
    """
    today = timezone.localdate()
    courses = _valid(BoneTherapyCourse).filter(
        Q(stop_date__isnull=True) | Q(stop_date__gt=today),
        patient=patient,
        start_date__lte=today,
    )
    due = dict(
        ScheduledItem.objects.filter(patient=patient, item__in=_DOSE_ITEMS.values())
        .order_by("-due")
        .values_list("item", "due")
    )
    found = []
    for course in courses.order_by("start_date", "pk"):
        drug = BoneTherapyDrug(course.drug)
        item = _DOSE_ITEMS.get(drug)
        next_due = due.get(item) if item is not None else None
        when = (
            f"next dose due {next_due:%Y-%m-%d}"
            if next_due is not None
            else ("taken by mouth, no dose on the worklist" if item is None else "no dose due")
        )
        warning = f"{course} is active ({when})."
        confirmation = ""
        if drug == BoneTherapyDrug.DENOSUMAB:
            warning += (
                " Ending follow-up removes the next injection from the worklist; stopping "
                "denosumab without a follow-on bisphosphonate risks rebound vertebral fractures."
            )
            confirmation = (
                f"the next denosumab injection ({when}), or a bisphosphonate follow-on if it "
                "stops: stopping denosumab without one risks rebound vertebral fractures"
            )
        found.append(ActiveTreatment(warning, confirmation))
    return found


def care_hidden_with_patient(*, patient: Patient) -> list[str]:
    """What marking the whole patient entered in error would hide from everyone, in words: her
    bone therapy courses running or planned (not stopped, not in error) and her open high and
    critical alerts (sec9 F7: a running denosumab course and an open critical alert vanished
    with the patient), each alert by its title, never its code (nurse10 18)."""
    today = timezone.localdate()
    courses = _valid(BoneTherapyCourse).filter(
        Q(stop_date__isnull=True) | Q(stop_date__gt=today), patient=patient
    )
    found = [
        f"{course.get_drug_display()} "
        + (
            f"running since {course.start_date:%Y-%m-%d}."
            if course.start_date is not None and course.start_date <= today
            else f"planned ({course.start_date or 'no start date yet'})."
        )
        for course in courses.order_by("start_date", "pk")
    ]
    serious = open_alerts_for([patient.pk]).filter(severity__in=[Severity.HIGH, Severity.CRITICAL])
    found += [
        f"Open {alert.get_severity_display().lower()} alert “{code_label(alert.code)}”: "
        f"{alert.message}"
        for alert in serious.order_by("-severity_rank", "raised_at", "pk")
    ]
    return found


def scores_on_scanner(
    *, patient: Patient, scanner: Scanner | int, exclude_scan_id: int | None = None
) -> list[tuple[date, str, Any, Any]]:
    """(date, site, BMD, T-score) of every current measurement of the patient's scans on
    `scanner` (a scan or its id), by date: what `score_checks` compares a scan with."""
    rows = (
        DexaMeasurement.objects.filter(
            scan__patient=patient, scan__scanner=scanner, scan__entered_in_error=False
        )
        .exclude(scan_id=exclude_scan_id)
        .order_by("scan__scan_date", "scan_id", "site")
        .values_list("scan__scan_date", "site", "bmd", "t_score")
    )
    return list(rows)


def plan_in_force(*, patient: Patient) -> MonitoringPlan | None:
    """The patient's latest monitoring plan (the one in force), if any."""
    return MonitoringPlan.objects.filter(patient=patient).order_by("-set_at", "-id").first()
