"""DENTAL: a dental review counts only when dated within 12 months before the course's start.

A nurse tester recorded a review of 2019-01-01 for a zoledronic acid course starting 2026-11-07 and
DENTAL_REVIEW_MISSING closed (nurse9 F11). A review years before the first dose is no pre-treatment
dental assessment (osteonecrosis of the jaw): the alert stays, saying the review is too old.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitoring.domain import AlertCode, Severity, assess
from monitoring.domain.dates import add_months
from monitoring.domain.dental_review import (
    ReviewStanding,
    earliest_counting_review,
    review_standing,
)
from monitoring.domain.thresholds import DENTAL_REVIEW_VALID_MONTHS
from monitoring.domain.types import BoneTherapyDrug
from tests.monitoring.domain.builders import d, history, therapy

ZOL = BoneTherapyDrug.ZOLEDRONIC_ACID
DMAB = BoneTherapyDrug.DENOSUMAB
AS_OF = d("2026-12-07")


def _dental(course: object, as_of: dt.date = AS_OF) -> str | None:
    """The DENTAL_REVIEW_MISSING message, or None when the alert is not raised."""
    result = assess(history(bone_therapy=(course,)), as_of=as_of)
    found = [a for a in result.alerts if a.code is AlertCode.DENTAL_REVIEW_MISSING]
    assert all(a.severity is Severity.WARNING for a in found)
    return found[0].message if found else None


def test_the_testers_case_keeps_the_alert_saying_the_review_is_too_old() -> None:
    message = _dental(therapy(ZOL, "2026-11-07", dental="2019-01-01"))
    assert message == (
        "The dental review on record (2019-01-01) is more than 12 months before the zoledronic "
        "acid start (2026-11-07): it does not count as the dental review before zoledronic acid; "
        "a new one is needed (osteonecrosis of the jaw)."
    )


@pytest.mark.parametrize(
    ("start", "review", "missing"),
    [
        # An active course started a month ago: the window is 2025-11-07 .. as_of.
        ("2026-11-07", "2025-11-06", True),
        ("2026-11-07", "2025-11-07", False),  # exactly 12 months before: counts
        ("2026-11-07", "2026-11-07", False),
        ("2026-12-01", "2026-12-07", False),  # after the start, by as_of: the review, late
        ("2026-12-01", "2026-12-08", True),  # after as_of: an appointment
        # A planned course with a start to come: the window runs back from the planned start.
        ("2027-06-01", "2026-06-01", False),
        ("2027-06-01", "2026-05-31", True),  # 7 months before as_of, but 12+ before the start
        # Month ends: 12 months before 2027-02-28 is 2026-02-28.
        ("2027-02-28", "2026-02-28", False),
        ("2027-02-28", "2026-02-27", True),
        # A planned course with no start date: the window runs back from as_of.
        (None, "2025-12-07", False),
        (None, "2025-12-06", True),
    ],
)
def test_window_boundaries(start: str | None, review: str, missing: bool) -> None:
    assert (_dental(therapy(DMAB, start, dental=review)) is not None) is missing


def test_a_planned_course_with_no_start_says_so() -> None:
    message = _dental(therapy(DMAB, None, dental="2024-01-01"))
    assert message is not None
    assert "(2024-01-01) is more than 12 months old (the denosumab course has no start date" in (
        message
    )


def test_a_missing_review_and_a_too_old_one_are_both_said() -> None:
    courses = (therapy(ZOL, None, dental=None), therapy(DMAB, "2026-11-07", dental="2020-05-05"))
    result = assess(history(bone_therapy=courses), as_of=AS_OF)
    (alert,) = [a for a in result.alerts if a.code is AlertCode.DENTAL_REVIEW_MISSING]
    assert alert.message.startswith("No dental review documented for zoledronic acid")
    assert "(2020-05-05) is more than 12 months before the denosumab start (2026-11-07)" in (
        alert.message
    )


def test_a_course_started_long_ago_is_not_judged_whatever_its_review() -> None:
    assert _dental(therapy(DMAB, "2026-09-06", dental="2010-01-01")) is None


DAYS = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2040, 12, 31))


@given(start=st.none() | DAYS, review=DAYS, as_of=DAYS)
def test_a_review_counts_exactly_within_the_window(
    start: dt.date | None, review: dt.date, as_of: dt.date
) -> None:
    """Invariant: the review counts iff it is by `as_of` and at most 12 months (calendar) before
    the start, or before `as_of` for a course with no start."""
    reference = start or as_of
    counts = review <= as_of and add_months(review, DENTAL_REVIEW_VALID_MONTHS) >= reference
    standing = review_standing(review, start=start, as_of=as_of)
    assert (standing is ReviewStanding.COUNTS) is counts
    if standing is ReviewStanding.TOO_OLD:
        assert review < earliest_counting_review(start, as_of) <= reference


@given(start=DAYS, review=DAYS)
def test_the_rule_follows_the_standing_for_a_planned_course(
    start: dt.date, review: dt.date
) -> None:
    """Invariant: for a course still to start, the alert is raised iff the review does not
    count."""
    as_of = start - dt.timedelta(days=1)
    counts = review_standing(review, start=start, as_of=as_of) is ReviewStanding.COUNTS
    course = therapy(ZOL, start.isoformat(), dental=review.isoformat())
    assert (_dental(course, as_of) is None) is counts
