"""A switch of aromatase inhibitor in one save (physician7 F8): the course a new one replaces is
stopped on the day the new one starts, in the new course's transaction, under the patient's lock
its caller (`services.ai_course_create`) holds. What every switch of drug shares (the course
offered, stopped only while unchanged) is `patients.switching`."""

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.http import HttpRequest

from bonehealth.accounts.models import User
from bonehealth.audit.concurrency import ConcurrentEditError, RecordInErrorError
from patients.models import AromataseInhibitorCourse, Patient
from patients.overlaps import AiCourseOverlapError, course_span, running_at_the_same_time
from patients.switching import (
    CourseSwitch,
    still_offered,
    stop_replaced_course,
    switch_day_error,
)

# The fields of an AI course its writers audit (here and in `services`).
AI_COURSE_FIELDS = ["drug", "start_date", "planned_duration_months", "stop_date", "stop_reason"]
# The new course form's tick box, "Stop the current course (letrozole, from ...) on the day this
# one starts", in two parts around the course it names: refusals point to it by these words.
SWITCH_LABEL_START = "Stop the current course"
SWITCH_LABEL_END = "on the day this one starts"


def current_ai_course(*, patient_id: int) -> AromataseInhibitorCourse | None:
    """The course a new one would replace: the latest-starting of the patient's courses running
    today or later (open, stopped in the future, or planned). The form offers it, and the switch
    checks it again under the patient's lock: one statement for both."""
    courses = AromataseInhibitorCourse.objects.filter(patient_id=patient_id, entered_in_error=False)
    running = running_at_the_same_time(courses, start=None, stop=None)
    return running.order_by("-start_date", "-pk").first()


def stale_switch_message(current: AromataseInhibitorCourse | None) -> str:
    """Why a switch from the course the form showed is refused, naming what is current now."""
    now = (
        f"the current course is now the {current.get_drug_display().lower()} course "
        f"{course_span(current)}"
        if current is not None
        else "no course is current now"
    )
    return (
        f"Not saved: the current course changed since you opened this form ({now}). Check it, "
        "then tick the box again to stop it, or save without it."
    )


def stop_for_switch(
    *,
    actor: User,
    patient: Patient,
    switch: CourseSwitch,
    values: Mapping[str, Any],
    request: HttpRequest | None,
) -> None:
    """Stop the replaced course on the new one's start, without reassessing: the caller
    reassesses once, with the new course in place, so no moment without an AI is ever assessed
    (an alert that still holds stays the same open, acknowledged alert: physician7 F8)."""
    start: date | None = values.get("start_date")
    course = current_ai_course(patient_id=patient.pk)
    if course is None or not still_offered(
        course, course_pk=switch.course_pk, version=switch.expected_version
    ):
        # Another save (a colleague's switch, an edit of the shown course) came first.
        raise AiCourseOverlapError(stale_switch_message(course), "stop_current")
    words = f"The {course.get_drug_display().lower()} course {course_span(course)}"
    if start is None or course.start_date is None:
        raise AiCourseOverlapError(f"{words} cannot stop without a start date.", "stop_current")
    refusal = switch_day_error(start=course.start_date, stop_day=start, course_words=words)
    if refusal is not None:
        raise AiCourseOverlapError(refusal, "stop_current")
    if course.stop_date is not None and course.stop_date <= start:
        return  # it stops by then already (a stop date recorded ahead): nothing to switch from
    try:
        stop_replaced_course(
            actor=actor,
            patient=patient,
            course=course,
            stop_date=start,
            new_drug=values["drug"],
            fields=AI_COURSE_FIELDS,
            expected_version=switch.expected_version,
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
