"""Two antiresorptives are never given together: the courses that would run at the same time as
another, the refusal of a save that makes such an overlap, and the switch that avoids it (the
course a new one offers to stop, and why the offer no longer holds)."""

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.db.models import QuerySet

from monitoring.models import BoneTherapyCourse
from monitoring.records.services.guards import EntryConflictError, entered_by_line
from patients.overlaps import newly_beside, running_at_the_same_time
from patients.switching import still_offered


def overlapping_courses(
    *, patient_id: int, start: date | None, stop: date | None, exclude_pk: int | None = None
) -> QuerySet[BoneTherapyCourse]:
    """The patient's courses (every drug is an antiresorptive), not entered in error, that would
    run at the same time as a course from `start` to `stop` (`running_at_the_same_time`)."""
    courses = BoneTherapyCourse.objects.filter(patient_id=patient_id, entered_in_error=False)
    return running_at_the_same_time(courses, start=start, stop=stop, exclude_pk=exclude_pk)


def refuse_overlap(
    *, patient_id: int, values: Mapping[str, Any], course: BoneTherapyCourse | None = None
) -> None:
    """Refuse a course at the same time as another; a change, only if it makes a new overlap
    (one recorded before this check existed can still be stopped)."""
    courses = BoneTherapyCourse.objects.filter(patient_id=patient_id, entered_in_error=False)
    others = newly_beside(
        courses, start=values.get("start_date"), stop=values.get("stop_date"), course=course
    )
    other = others.select_related("entered_by").order_by("start_date", "pk").first()
    if other is not None:
        raise EntryConflictError(
            "drug",
            f"{other} is planned or active at the same time ({entered_by_line(other)}): two "
            "antiresorptives are never given together. Stop it in this save (a switch) or "
            "change its dates first.",
        )


def course_offered_to_stop(patient_id: int) -> BoneTherapyCourse | None:
    """The course a new one would replace (a switch): the latest running today or planned. The
    form offers to stop it, and the service stops it only if it is still the one offered."""
    running = overlapping_courses(patient_id=patient_id, start=None, stop=None)
    return running.select_related("entered_by").order_by("-start_date", "-pk").first()


def switch_refusal(*, patient_id: int, course_pk: int | None, version: int | None) -> str | None:
    """Why the switch a form offered (course `course_pk` at `version`, as the page showed it)
    cannot stop the course current now; None when it still can.

    A second tab opened before another save would otherwise stop a course it never showed (the
    one that save started), so the tick box stops only the course, and the version, it named."""
    current = course_offered_to_stop(patient_id)
    if still_offered(current, course_pk=course_pk, version=version):
        return None
    retry = "Nothing was saved: check it, then tick the box again to stop it."
    if current is None:
        return (
            "The course this form offered to stop is no longer running (stopped or marked "
            "entered in error since the form was opened). Nothing was saved: untick the box to "
            "save the new course alone."
        )
    if current.pk == course_pk:
        who = entered_by_line(current)
        return f"{current} ({who}) was changed since this form was opened. {retry}"
    return (
        f"The current course is now {current} ({entered_by_line(current)}), not the one this "
        f"form showed when it was opened. {retry}"
    )
