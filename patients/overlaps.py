"""When two courses of a drug run at the same time: the one statement of an overlap, for the
aromatase-inhibitor courses (patients.ai_overlap) and the bone-therapy courses
(monitoring.records.services.therapy) alike."""

from datetime import date
from typing import Any, Protocol

from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from bonehealth.audit.concurrency import RecordConflictError


def running_at_the_same_time[M: Model](
    courses: QuerySet[M], *, start: date | None, stop: date | None, exclude_pk: int | None = None
) -> QuerySet[M]:
    """Those of `courses` (with start_date and stop_date) that would run at the same time as a
    course from `start` to `stop`: the one statement of an overlap, for the aromatase-inhibitor
    courses and the bone-therapy courses alike.

    A course runs from its start (one without a start date, planned, from today) until its stop
    (open when not stopped); two overlap when each starts before the other stops, so a switch,
    one course stopping on the day the next starts, is no overlap.
    """
    today = timezone.localdate()
    begins = start or today
    courses = courses.filter(Q(stop_date__isnull=True) | Q(stop_date__gt=begins))
    if stop is not None:
        started_before = Q(start_date__lt=stop)
        courses = courses.filter(
            started_before | Q(start_date__isnull=True) if today < stop else started_before
        )
    return courses.exclude(pk=exclude_pk) if exclude_pk else courses


class DatedCourse(Protocol):
    """A course of a drug as stored: the aromatase inhibitors' and the bone therapy's alike."""

    pk: Any
    start_date: date | None
    stop_date: date | None


def newly_beside[M: Model](
    courses: QuerySet[M],
    *,
    start: date | None,
    stop: date | None,
    course: DatedCourse | None = None,
) -> QuerySet[M]:
    """Those of `courses` that a course from `start` to `stop` would run beside; for a change of
    `course`, only those it did not run beside already (courses that overlapped before the checks
    existed can still be edited, e.g. stopped)."""
    pk = course.pk if course is not None else None
    others = running_at_the_same_time(courses, start=start, stop=stop, exclude_pk=pk)
    if course is not None:
        already = running_at_the_same_time(
            courses, start=course.start_date, stop=course.stop_date, exclude_pk=pk
        )
        others = others.exclude(pk__in=already.values("pk"))
    return others


class AiCourseOverlapError(RecordConflictError):
    """The course would run at the same time as another of the patient's; nothing was saved."""

    def __init__(self, message: str, field: str = "start_date") -> None:
        super().__init__(field, message)


def course_span(course: "DatedCourse") -> str:
    """A course's dates in words, for a refusal's message."""
    if course.start_date is None:
        return "planned, start not yet known"
    if course.stop_date is None:
        return f"from {course.start_date:%Y-%m-%d}, not stopped"
    return f"from {course.start_date:%Y-%m-%d} to {course.stop_date:%Y-%m-%d}"
