"""Whether an aromatase-inhibitor course would run beside another of the patient's, and the refusal
that names the first such course and says what to do (a patient takes one aromatase inhibitor at a
time). When two courses overlap is `overlaps.running_at_the_same_time`, for every drug alike."""

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from patients.ai_switch import SWITCH_LABEL_END, SWITCH_LABEL_START
from patients.models import AromataseInhibitorCourse
from patients.overlaps import (
    AiCourseOverlapError,
    course_span,
    newly_beside,
    running_at_the_same_time,
)


def ai_courses_overlapping(
    *, patient_id: int, start: date | None, stop: date | None, exclude_pk: int | None = None
) -> QuerySet[AromataseInhibitorCourse]:
    """The patient's aromatase-inhibitor courses, not entered in error, that would run at the same
    time as a course from `start` to `stop` (`running_at_the_same_time`)."""
    courses = AromataseInhibitorCourse.objects.filter(patient_id=patient_id, entered_in_error=False)
    return running_at_the_same_time(courses, start=start, stop=stop, exclude_pk=exclude_pk)


def refuse_ai_overlap(
    *,
    patient_id: int,
    values: Mapping[str, Any],
    course: AromataseInhibitorCourse | None = None,
) -> None:
    """Refuse a course at the same time as another (an exact duplicate is one); a change, only
    if it makes a new overlap (courses that overlapped before this check existed can still be
    edited, e.g. stopped). The caller holds the patient's lock."""

    def value(name: str) -> Any:  # a change may give only some fields; a new course, not all
        return values[name] if name in values else getattr(course, name, None)

    courses = AromataseInhibitorCourse.objects.filter(patient_id=patient_id, entered_in_error=False)
    others = newly_beside(
        courses, start=value("start_date"), stop=value("stop_date"), course=course
    )
    other = others.select_related("created_by").order_by("start_date", "pk").first()
    if other is not None:
        when = f"{timezone.localtime(other.created_at):%Y-%m-%d %H:%M}"
        by = f"entered by {other.created_by}" if other.created_by else "entered"
        today = timezone.localdate()
        other_start = other.start_date or today
        field = "start_date"
        if other_start > (value("start_date") or today):
            # That course comes after this one: this one must end by its start.
            advice = f"stop this course on or before {other_start:%Y-%m-%d}, when that one starts"
            field = "stop_date"
        elif other.stop_date is None:
            # A new course's form offers the switch as a tick box (nurse11 F14: "a switch may
            # stop it" did not say where); a change of a course has none.
            switch = (
                f"to switch drugs, tick “{SWITCH_LABEL_START} … {SWITCH_LABEL_END}” below, "
                if course is None
                else ""
            )
            advice = f"{switch}record that course's stop date first, or change these dates"
        else:
            advice = "change these dates (or that course's)"
        raise AiCourseOverlapError(
            f"This course overlaps the {other.get_drug_display().lower()} course "
            f"{course_span(other)} ({by} at {when}). A patient takes one aromatase inhibitor "
            f"at a time: {advice}.",
            field,
        )
