"""How a course's start is worded on every page and letter: the one statement of it, so a course
still to come never reads as if the patient took it (the patient list, the letters, the summary
cards; monitoring's display tags register the same filter)."""

import datetime as dt
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
