"""Whether the dental review on record is the one before zoledronic acid or denosumab (DENTAL).

The spec asks for a dental review date on the course and is silent about its age. A nurse tester
recorded a review of 2019 for a course starting in 2026 and the alert closed (nurse9 F11): a
review years before the first dose is no pre-treatment dental assessment (osteonecrosis of the
jaw). Conservative reading, one statement for the rule, the pre-treatment checklist, the forms and
the worklist: a review counts only when dated on or after `earliest_counting_review` (at most
`DENTAL_REVIEW_VALID_MONTHS` months before the course's start, or its planned start; for a planned
course with no start date, before `as_of`) and not after `as_of` (a date to come is an
appointment, not a review done). A review after the start of a course started without one counts:
it is the review the alert asks for, late.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from .dates import window_start, within_months_before
from .thresholds import DENTAL_REVIEW_VALID_MONTHS, RECENT_START_MONTHS


class ReviewStanding(StrEnum):
    COUNTS = "counts"
    NONE = "none"  # no review date on the course
    TO_COME = "to_come"  # dated after `as_of`: an appointment
    TOO_OLD = "too_old"  # dated before the window: not the review before this course


def earliest_counting_review(start: dt.date | None, as_of: dt.date) -> dt.date:
    """The earliest review date that counts for a course starting on `start` (None: planned with
    no date, judged on `as_of`): `DENTAL_REVIEW_VALID_MONTHS` months before it, ends included."""
    return window_start(DENTAL_REVIEW_VALID_MONTHS, start or as_of)


def judged(start: dt.date | None, as_of: dt.date) -> bool:
    """Whether DENTAL judges the review of an unstopped course starting on `start`: planned (no
    start, or one to come) or started within `RECENT_START_MONTHS` months before `as_of`."""
    return start is None or start > as_of or within_months_before(start, RECENT_START_MONTHS, as_of)


def review_standing(
    review: dt.date | None, *, start: dt.date | None, as_of: dt.date
) -> ReviewStanding:
    """How the review dated `review` stands for a course starting on `start`, as of `as_of`."""
    if review is None:
        return ReviewStanding.NONE
    if review > as_of:
        return ReviewStanding.TO_COME
    if review < earliest_counting_review(start, as_of):
        return ReviewStanding.TOO_OLD
    return ReviewStanding.COUNTS


def too_old_words(review: dt.date, *, drug: str, start: dt.date | None) -> str:
    """What is said of a review too old to count: its date, the window, and that a new one is
    needed. `drug` in words ("zoledronic acid")."""
    when = (
        f"more than {DENTAL_REVIEW_VALID_MONTHS} months before the {drug} start "
        f"({start.isoformat()})"
        if start is not None
        else f"more than {DENTAL_REVIEW_VALID_MONTHS} months old (the {drug} course has no "
        "start date yet)"
    )
    return (
        f"the dental review on record ({review.isoformat()}) is {when}: it does not count as "
        f"the dental review before {drug}; a new one is needed"
    )


def to_come_words(review: dt.date, *, drug: str, start: dt.date | None, as_of: dt.date) -> str:
    """What is said of a review dated after `as_of` (not done as of then): what happened, never
    "no dental review documented" beside its date (physician10 F8). For a course started on or
    before `as_of`, the review is late: after the start."""
    if start is not None and start <= as_of:
        said = f"dental review for {drug} on {review.isoformat()}, after the start on "
        said += f"{start.isoformat()} (late)"
        return said if start == as_of else f"{said}, not done yet on {as_of.isoformat()}"
    return (
        f"dental review for {drug} booked for {review.isoformat()}, not done yet on "
        f"{as_of.isoformat()}: it should be done before the start"
    )
