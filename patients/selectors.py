"""Reads of patient records, always scoped to the sites the user works at.

`patients_for_user` is the access gate: the one statement of which patients a user may see. Every
read of patients or of their records for a user (pages, lists, exports, printouts, the audit
trail's values) composes it, as a base queryset or as `patient__in=patients_for_user(user=...)`;
none writes the rule again.
"""

from collections.abc import Collection
from datetime import date
from typing import Any, cast

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from bonehealth.accounts.models import Site, User
from bonehealth.accounts.selectors import sites_for_user
from patients.access import patient_refused, record_of_patient
from patients.models import AromataseInhibitorCourse, FollowUpStatus, Patient
from patients.search import folded, folded_mrn, names_alike, typed_date
from patients.signals import (
    ActiveTreatment,
    OpenAlert,
    active_treatments_requested,
    entry_dates_requested,
    hidden_care_requested,
    open_alerts_requested,
)


def patients_for_user(*, user: User) -> QuerySet[Patient]:
    """The access gate: every patient the user may see, those at one of their active sites
    (`sites_for_user`) not entered in error. Whether the follow-up ended does not matter."""
    return Patient.objects.filter(
        site__in=sites_for_user(user=user), entered_in_error=False
    ).select_related("site")


def patients_seen_among(*, user: User, ids: Collection[int]) -> frozenset[int]:
    """Which of the patients `ids` the user may see (the access gate), for a message naming them
    to link to their pages."""
    if not ids:
        return frozenset()
    seen = patients_for_user(user=user).filter(pk__in=list(ids)).values_list("pk", flat=True)
    return frozenset(seen)


def patients_in_error_for_user(*, user: User) -> QuerySet[Patient]:
    """The patients at the user's active sites marked entered in error, most recent first: the
    one list that shows them, for a user who may restore them (sec9 F7). Every other page reads
    through the gate above, which hides them."""
    return (
        Patient.objects.filter(site__in=sites_for_user(user=user), entered_in_error=True)
        .select_related("site", "error_marked_by")
        .order_by("-error_marked_at", "-id")
    )


def patient_to_restore(*, user: User, pk: int) -> Patient:
    """A patient at one of the user's sites, marked entered in error or not (restoring one who is
    not changes nothing); 404, audited as refused, for any other."""
    try:
        return Patient.objects.filter(site__in=sites_for_user(user=user)).get(pk=pk)
    except Patient.DoesNotExist:
        raise patient_refused(pk) from None


def followed_patients_for_user(*, user: User) -> QuerySet[Patient]:
    """The gate's patients on active follow-up: those the dashboard, the worklist and the scans
    to review cover."""
    return patients_for_user(user=user).filter(follow_up_status=FollowUpStatus.ACTIVE)


def _current_courses() -> Prefetch[str]:
    return Prefetch(
        "ai_courses",
        queryset=AromataseInhibitorCourse.objects.filter(entered_in_error=False).order_by(
            "start_date", "id"
        ),
        to_attr="valid_ai_courses",
    )


def patient_search(
    *, user: User, query: str = "", include_ended: bool = False
) -> QuerySet[Patient]:
    """Patients matching an MRN or name fragment, for the list page (with their AI courses).

    Both are compared folded (`patients.search`): "NG 7001" finds NG-7001, "helene" Hélène.
    A name matches when it holds every word typed, in any order: "fischer patricia" (surname
    first, as on a wristband) finds Patricia Fischer (nurse9 F4). A date ("1958-03-31",
    "31/03/1958", "31.03.1958") also finds the patients born that day, for a nurse to check by
    hand whether someone is registered already under another spelling.
    """
    patients = (
        patients_for_user(user=user) if include_ended else followed_patients_for_user(user=user)
    )
    query = query.strip()
    if query:
        matches = Q()
        for word in folded(query).split():  # each word through the trigram index
            matches &= Q(search_name__contains=word)
        mrn = folded_mrn(query)
        if mrn:  # punctuation alone would match every MRN
            matches |= Q(search_mrn__contains=mrn)
        born = typed_date(query)
        if born:  # read through the (site, birth_date) index
            matches |= Q(birth_date=born)
        patients = patients.filter(matches)
    return patients.prefetch_related(_current_courses()).order_by("mrn", "id")


def possible_duplicates(*, site: Site, mrn: str, name: str, birth_date: date) -> list[Patient]:
    """Patients at `site` (not entered in error) a new registration may duplicate, by MRN then id:
    the same MRN but for case and punctuation ("NG7001" for NG-7001), or the same birth date and
    a name alike (`names_alike`: "Rosa Quin" or "Quinn, Rosa" for Rosa Quinn). Warned of, not
    refused: two patients may share both, and an MRN's punctuation may matter at a site. The
    exact MRN is refused elsewhere (the form and the unique constraint).

    The names are compared in Python, on the few patients of the site born that day (read
    through the (site, birth_date) index)."""
    valid = Patient.objects.filter(site=site, entered_in_error=False)
    same_mrn = valid.filter(search_mrn=folded_mrn(mrn)) if folded_mrn(mrn) else []
    found = {patient.pk: patient for patient in same_mrn}
    for patient in valid.filter(birth_date=birth_date):
        if names_alike(patient.name, name):
            found[patient.pk] = patient
    return sorted(found.values(), key=lambda patient: (patient.mrn, patient.pk))


def patient_get(*, user: User, pk: int) -> Patient:
    """One patient the user may see, with its AI courses; 404 for any other (audited as refused
    when the patient exists: `patients.access`)."""
    try:
        return patients_for_user(user=user).prefetch_related(_current_courses()).get(pk=pk)
    except Patient.DoesNotExist:
        raise patient_refused(pk) from None


def ai_course_get(
    *, patient: Patient, pk: int, or_in_error: bool = False
) -> AromataseInhibitorCourse:
    """One AI course of a patient the user already may see (`or_in_error`: also one marked
    entered in error, for its edit page to say so); 404 otherwise."""
    valid: dict[str, Any] = {} if or_in_error else {"entered_in_error": False}
    return record_of_patient(AromataseInhibitorCourse, patient=patient, pk=pk, **valid)


def ai_course_replaced_by(*, course: AromataseInhibitorCourse) -> AromataseInhibitorCourse | None:
    """The AI course `course` replaced in a switch (`patients.ai_switch.stop_for_switch`): the
    patient's other course, not in error, stopped on `course`'s start with the reason "switched
    to <its drug>". Marking `course` in error leaves that one stopped; its page says so and links
    to it, and nothing changes it for the nurse: whether the patient still takes the earlier drug
    is hers to check."""
    if course.start_date is None:
        return None
    return (
        AromataseInhibitorCourse.objects.filter(
            patient_id=course.patient_id,
            entered_in_error=False,
            stop_date=course.start_date,
            stop_reason__iexact=f"switched to {course.drug}",
        )
        .exclude(pk=course.pk)
        .order_by("-start_date", "-id")
        .first()
    )


def patient_entry_span(
    *, patient: Patient
) -> tuple[tuple[date, str] | None, tuple[date, str] | None]:
    """The first and the last dated entry of the patient's record (any app's), as (date, what).

    An aromatase-inhibitor start counts as the last entry only once started: a planned start
    does not keep follow-up from ending before it.
    """
    today = timezone.localdate()
    starts = [
        (start, "aromatase-inhibitor start")
        for start in patient.ai_courses.filter(entered_in_error=False).values_list(
            "start_date", flat=True
        )
        if start is not None
    ]
    found = list(starts)
    for _, response in entry_dates_requested.send(sender=Patient, patient=patient):
        found += cast(list[tuple[date, str]], response or [])
    started = [entry for entry in found if entry not in starts or entry[0] <= today]
    return min(found, default=None), max(started, default=None)


def patient_active_treatments(*, patient: Patient) -> list[ActiveTreatment]:
    """What the patient is on now, or has pending, whose reminders ending follow-up would stop,
    each with what ending needs confirmed ("" for nothing): asked of the other apps."""
    found: list[ActiveTreatment] = []
    for _, response in active_treatments_requested.send(sender=Patient, patient=patient):
        found += cast(list[ActiveTreatment], response or [])
    return found


def patient_follow_on_confirmations(*, patient: Patient) -> list[str]:
    """What ending the patient's follow-up needs the physician to confirm is arranged elsewhere
    (an active denosumab course, a follow-on to it still pending), in words."""
    return [
        treatment.confirmation
        for treatment in patient_active_treatments(patient=patient)
        if treatment.confirmation
    ]


def patient_open_alerts_leaving(*, patient: Patient) -> list[OpenAlert]:
    """The patient's open alerts of every severity, which ending follow-up takes off the
    dashboard and the worklist: asked of the other apps, worst first."""
    found: list[OpenAlert] = []
    for _, response in open_alerts_requested.send(sender=Patient, patient=patient):
        found += cast(list[OpenAlert], response or [])
    return found


def patient_open_serious_alerts(*, patient: Patient) -> list[OpenAlert]:
    """Those of `patient_open_alerts_leaving` of severity high or critical, which ending
    follow-up asks to confirm, worst first."""
    return [alert for alert in patient_open_alerts_leaving(patient=patient) if alert.serious]


def ai_courses_running_or_planned(*, patient: Patient) -> QuerySet[AromataseInhibitorCourse]:
    """The patient's aromatase-inhibitor courses not stopped by today (running or planned)."""
    today = timezone.localdate()
    return patient.ai_courses.filter(
        Q(stop_date__isnull=True) | Q(stop_date__gt=today), entered_in_error=False
    ).order_by("start_date", "id")


def ai_course_is_her_only_running(*, course: AromataseInhibitorCourse) -> bool:
    """Whether `course` is the one aromatase-inhibitor course of its patient running or planned:
    marking it entered in error would end her AI-driven schedule and alerts, as marking her would
    (`patient_hidden_care`). A course entered twice leaves the other one running."""
    running = ai_courses_running_or_planned(patient=course.patient)
    return list(running.values_list("pk", flat=True)[:2]) == [course.pk]


def patient_hidden_care(*, patient: Patient) -> list[str]:
    """What marking the patient entered in error would hide from everyone, in words: her
    aromatase-inhibitor courses running or planned, and what the other apps name (a bone therapy
    running or planned, an open high or critical alert: `hidden_care_requested`)."""
    courses = ai_courses_running_or_planned(patient=patient)
    found = [
        f"{course.get_drug_display()} "
        + (
            f"planned ({course.start_date or 'no start date yet'})."
            if course.planned
            else f"running since {course.start_date:%Y-%m-%d}."
        )
        for course in courses
    ]
    for _, response in hidden_care_requested.send(sender=Patient, patient=patient):
        found += cast(list[str], response or [])
    return found
