"""How a course's start is worded on every page and letter: the one statement of it, so a course
still to come never reads as if the patient took it (the patient list, the letters, the summary
cards; monitoring's display tags register the same filter). `ai_course_time` words the aromatase
inhibitor named with the time on aromatase inhibitors since the first start."""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django import template

from patients.models import start_planned

register = template.Library()


@register.filter
def started(start: dt.date | None) -> str:
    """When a course began: "since 2024-01-15"; one still to come is "planned from 2027-03-03",
    or "planned" without a date."""
    if start is None:
        return "planned"
    if start_planned(start):
        return f"planned from {start:%Y-%m-%d}"
    return f"since {start:%Y-%m-%d}"


@register.filter
def course_span(course: Any) -> str:
    """A course's dates: "since 2024-01-15" (or planned, as `started`), or once it has a stop
    date, "2026-08-09 to 2026-12-01"."""
    if course.stop_date is None:
        return started(course.start_date)
    if course.start_date is None:
        return f"stopped {course.stop_date:%Y-%m-%d}"
    return f"{course.start_date:%Y-%m-%d} to {course.stop_date:%Y-%m-%d}"


def _chain_start(course: Any, earlier: list[Any]) -> dt.date | None:
    """The start of the run of courses with no break that ends with `course`: each course before
    it stopped on or after the next one's start (a switch stops the old course on the new one's
    start day, `patients.ai_switch`); `course`'s own start when none joins it."""
    start = course.start_date
    for previous in sorted(earlier, key=lambda c: c.start_date, reverse=True):
        if previous.stop_date is None or previous.stop_date < start:
            break
        start = previous.start_date
    return start


def ai_time(course: Any, courses: Iterable[Any]) -> str:
    """`course_span` of the aromatase-inhibitor course the page names, with the time on
    aromatase inhibitors when an earlier course began before it (phys14 #2: after a switch the
    header and the letters read "Exemestane since 2026-12-07", dropping 13 months of
    anastrozole). The rules take the AI start as the earliest AI course start (Conventions):
    "since 2026-12-07 (aromatase inhibitor since 2025-11-02)" when the earlier courses ran on
    into this one with no break; after a break, "since ... (first aromatase inhibitor from
    2020-01-15)", not claiming years without one. `courses` are the patient's valid courses."""
    own = course_span(course)
    earlier = [
        other
        for other in courses
        if other.pk != course.pk
        and other.start_date is not None
        and (course.start_date is None or other.start_date < course.start_date)
    ]
    if not earlier:
        return own
    first = min(other.start_date for other in earlier)
    chain = _chain_start(course, earlier) if course.start_date is not None else None
    if chain is None or chain >= course.start_date:
        return f"{own} (first aromatase inhibitor from {first:%Y-%m-%d})"
    if course.stop_date is None:
        return f"{own} (aromatase inhibitor {started(chain)})"
    return f"{own} (aromatase inhibitor {chain:%Y-%m-%d} to {course.stop_date:%Y-%m-%d})"


@register.filter
def ai_course_time(course: Any, patient: Any) -> str:
    """`ai_time` of `course` among `patient`'s valid courses (the selectors' `valid_ai_courses`):
    the header, the printouts, the letter and the patient list name the drug with it."""
    return ai_time(course, getattr(patient, "valid_ai_courses", None) or ())
