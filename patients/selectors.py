"""Reads of patient records, always scoped to the sites the user works at."""

from datetime import date

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from bonehealth.accounts.models import User
from patients.models import AromataseInhibitorCourse, FollowUpStatus, Patient
from patients.signals import latest_entry_requested


def patients_for_user(*, user: User) -> QuerySet[Patient]:
    """Every patient the user may see: at one of their active sites, not entered in error."""
    return Patient.objects.filter(
        site__users=user, site__is_active=True, entered_in_error=False
    ).select_related("site")


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
    """Patients matching an MRN or name fragment, for the list page (with their AI courses)."""
    patients = patients_for_user(user=user)
    query = query.strip()
    if query:
        patients = patients.filter(Q(mrn__icontains=query) | Q(name__icontains=query))
    if not include_ended:
        patients = patients.filter(follow_up_status=FollowUpStatus.ACTIVE)
    return patients.prefetch_related(_current_courses()).order_by("mrn", "id")


def patient_get(*, user: User, pk: int) -> Patient:
    """One patient the user may see, with its AI courses; 404 for any other."""
    return get_object_or_404(
        patients_for_user(user=user).prefetch_related(_current_courses()), pk=pk
    )


def ai_course_get(*, patient: Patient, pk: int) -> AromataseInhibitorCourse:
    """One AI course of a patient the user already may see; 404 otherwise."""
    return get_object_or_404(
        AromataseInhibitorCourse, patient=patient, pk=pk, entered_in_error=False
    )


def patient_latest_entry(*, patient: Patient) -> tuple[date, str] | None:
    """The latest dated entry of the patient's record (any app's), as (date, what it is).

    A course of aromatase inhibitor counts from its start once started; a planned start does not.
    """
    today = timezone.localdate()
    found: list[tuple[date, str]] = [
        (start, "aromatase-inhibitor start")
        for start in patient.ai_courses.filter(
            entered_in_error=False, start_date__lte=today
        ).values_list("start_date", flat=True)
        if start is not None
    ]
    for _, response in latest_entry_requested.send(sender=Patient, patient=patient):
        if isinstance(response, tuple):
            found.append(response)
    return max(found, default=None)
