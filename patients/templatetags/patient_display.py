"""How a course's start is worded on every page and letter: the one statement of it, so a course
still to come never reads as if the patient took it (the patient list, the letters, the summary
cards; monitoring's display tags register the same filter)."""

import datetime as dt

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
