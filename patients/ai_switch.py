"""A switch of aromatase inhibitor in one save (physician7 F8): the course a new one replaces is
stopped on the day the new one starts, in the new course's transaction, under the patient's lock
its caller (`services.ai_course_create`) holds."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.http import HttpRequest

from bonehealth.accounts.models import User
from bonehealth.audit.concurrency import ConcurrentEditError, RecordInErrorError
from bonehealth.audit.records import versioned_update
from patients.models import AromataseInhibitorCourse, Patient
from patients.overlaps import AiCourseOverlapError, course_span

# The fields of an AI course its writers audit (here and in `services`).
AI_COURSE_FIELDS = ["drug", "start_date", "planned_duration_months", "stop_date", "stop_reason"]


@dataclass(frozen=True)
class AiCourseSwitch:
    """The AI course a new one replaces, stopped on the day the new one starts, in the same save;
    at the version the form saw."""

    course_pk: int
    expected_version: int


def stop_for_switch(
    *,
    actor: User,
    patient: Patient,
    switch: AiCourseSwitch,
    values: Mapping[str, Any],
    request: HttpRequest | None,
) -> None:
    """Stop the replaced course on the new one's start, without reassessing: the caller
    reassesses once, with the new course in place, so no moment without an AI is ever assessed
    (an alert that still holds stays the same open, acknowledged alert: physician7 F8)."""
    start: date | None = values.get("start_date")
    course = AromataseInhibitorCourse.objects.filter(
        pk=switch.course_pk, patient=patient, entered_in_error=False
    ).first()
    if course is None:
        raise AiCourseOverlapError("That course is no longer recorded; reload.", "stop_current")
    if start is None or course.start_date is None or start < course.start_date:
        raise AiCourseOverlapError(
            f"The {course.get_drug_display().lower()} course {course_span(course)} cannot stop "
            "on the day this one starts: give a start on or after its own.",
            "stop_current",
        )
    if course.stop_date is not None and course.stop_date <= start:
        return  # stopped already by then (by a colleague meanwhile): nothing to switch from
    values_stop: dict[str, Any] = {"stop_date": start}
    if not course.stop_reason:
        values_stop["stop_reason"] = f"switched to {values['drug']}"
    try:
        versioned_update(
            actor=actor,
            instance=course,
            values=values_stop,
            fields=AI_COURSE_FIELDS,
            expected_version=switch.expected_version,
            patient=patient,
            request=request,
        )
    except ConcurrentEditError as changed:
        raise AiCourseOverlapError(
            f"The {course.get_drug_display().lower()} course was changed by someone else since; "
            "reload the page.",
            "stop_current",
        ) from changed
    except RecordInErrorError as marked:
        raise AiCourseOverlapError(
            f"The {course.get_drug_display().lower()} course was marked entered in error since; "
            "reload the page.",
            "stop_current",
        ) from marked
