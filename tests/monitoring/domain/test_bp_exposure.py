"""phys14 #3: BP-DURATION counted one course, so alendronate for 3 years and then risedronate
raised nothing after 7 years of bisphosphonate. It counts continuous exposure now: courses follow
on from each other unless 12 months or more separate one stop from the next start (design choice,
thresholds.BP_EXPOSURE_BREAK_MONTHS), and the spec's single course is unchanged."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitoring.domain import AlertCode, BoneTherapyCourse, BoneTherapyDrug, assess
from monitoring.domain.dates import add_months
from monitoring.domain.thresholds import (
    BP_EXPOSURE_BREAK_MONTHS,
    ORAL_BP_REVIEW_MONTHS,
    ZOLEDRONIC_REVIEW_MONTHS,
)

from .builders import ai, d, history, therapy

ALN = BoneTherapyDrug.ALENDRONATE
RIS = BoneTherapyDrug.RISEDRONATE
IBN = BoneTherapyDrug.IBANDRONATE
ZOL = BoneTherapyDrug.ZOLEDRONIC_ACID
ORAL = (ALN, RIS, IBN)


def _review(*courses: BoneTherapyCourse, as_of: str) -> str | None:
    """The BISPHOSPHONATE_DURATION_REVIEW message on `as_of`, or None."""
    h = history(aromatase_inhibitors=(ai("2019-01-01"),), bone_therapy=courses)
    found = [
        a.message
        for a in assess(h, as_of=d(as_of)).alerts
        if a.code is AlertCode.BISPHOSPHONATE_DURATION_REVIEW
    ]
    assert len(found) <= 1
    return found[0] if found else None


SWITCH = (
    therapy(ALN, "2020-01-01", stop="2023-01-01"),
    therapy(RIS, "2023-01-01"),
)


def test_the_testers_switch_is_reviewed_after_five_years_from_the_first_start() -> None:
    assert _review(*SWITCH, as_of="2024-12-31") is None
    message = _review(*SWITCH, as_of="2025-01-01")
    assert message == (
        "alendronate 2020-01-01 to 2023-01-01, then risedronate since 2023-01-01 "
        "(bisphosphonate since 2020-01-01, no break of 12 months or more): review the duration; "
        "no drug holiday while the aromatase inhibitor continues."
    )
    # The tester's date, about 7 years on.
    assert _review(*SWITCH, as_of="2026-12-07") == message


@pytest.mark.parametrize(
    ("restart", "review"),
    [
        ("2022-12-31", True),  # 11 months 30 days after the stop: the same exposure
        ("2023-01-01", False),  # 12 months after it: a break, the clock starts again
    ],
)
def test_a_gap_under_twelve_months_keeps_the_exposure(restart: str, review: bool) -> None:
    courses = (therapy(ALN, "2019-01-01", stop="2022-01-01"), therapy(ALN, restart))
    assert (_review(*courses, as_of="2024-06-01") is not None) is review


@pytest.mark.parametrize(
    ("drug", "start", "as_of", "review"),
    [
        (ALN, "2020-06-01", "2025-06-01", True),  # the spec's single course, on the day
        (ALN, "2020-06-02", "2025-06-01", False),
        (ZOL, "2022-06-01", "2025-06-01", True),  # zoledronic acid: 3 years
        (ZOL, "2022-06-02", "2025-06-01", False),
    ],
)
def test_one_course_keeps_the_specs_limits(
    drug: BoneTherapyDrug, start: str, as_of: str, review: bool
) -> None:
    course = therapy(drug, start, doses=(start,) if drug is ZOL else ())
    message = _review(course, as_of=as_of)
    assert (message is not None) is review
    if message is not None:  # one course is named as before
        assert message.startswith(f"{drug.replace('_', ' ')} since {start}: review the duration")


def test_zoledronic_acid_then_an_oral_one_counts_towards_five_years() -> None:
    courses = (
        therapy(ZOL, "2020-01-01", stop="2022-01-01", doses=("2020-01-01", "2020-07-01")),
        therapy(ALN, "2022-03-01"),
    )
    assert _review(*courses, as_of="2024-12-31") is None
    assert _review(*courses, as_of="2025-01-01") is not None


def test_zoledronic_acid_courses_in_a_row_count_towards_three_years() -> None:
    courses = (
        therapy(ZOL, "2022-01-01", stop="2023-06-01", doses=("2022-01-01", "2022-07-01")),
        therapy(ZOL, "2023-06-01", doses=("2023-06-01",)),
    )
    assert _review(*courses, as_of="2024-12-31") is None
    assert _review(*courses, as_of="2025-01-01") is not None


def test_a_run_with_no_course_active_asks_for_nothing() -> None:
    courses = (therapy(ALN, "2015-01-01", stop="2021-01-01"),)
    assert _review(*courses, as_of="2021-06-01") is None


def test_a_course_never_taken_does_not_bridge_a_gap() -> None:
    courses = (
        therapy(ALN, "2018-01-01", stop="2020-01-01"),
        therapy(RIS, "2020-10-01", stop="2020-10-01"),  # stopped on its start: never taken
        therapy(ALN, "2021-06-01"),
    )
    assert _review(*courses, as_of="2025-06-01") is None  # 4 years from 2021-06-01


def test_a_planned_course_does_not_count() -> None:
    courses = (therapy(ALN, "2019-01-01", stop="2024-01-01"), therapy(RIS, "2026-01-01"))
    assert _review(*courses, as_of="2025-06-01") is None


# --- Invariants ---------------------------------------------------------------------------------

START = dt.date(2012, 1, 1)


@st.composite
def continuous_runs(draw: st.DrawFn) -> tuple[list[BoneTherapyCourse], dt.date]:
    """Oral bisphosphonate courses one after the other, each gap under 12 months, the last
    active; and the first start."""
    n = draw(st.integers(1, 4))
    courses = []
    start = START
    for index in range(n):
        drug = draw(st.sampled_from(ORAL))
        if index == n - 1:
            courses.append(BoneTherapyCourse(drug=drug, start_date=start))
            break
        stop = add_months(start, draw(st.integers(1, 40)))
        courses.append(BoneTherapyCourse(drug=drug, start_date=start, stop_date=stop))
        gap_days = draw(st.integers(0, 364))
        start = stop + dt.timedelta(days=gap_days)
        if add_months(stop, BP_EXPOSURE_BREAK_MONTHS) <= start:  # kept under 12 months
            start = stop
    return courses, START


@settings(max_examples=150, deadline=None)
@given(run=continuous_runs(), extra=st.integers(0, 60))
def test_continuous_exposure_of_five_years_always_yields_the_review(
    run: tuple[list[BoneTherapyCourse], dt.date], extra: int
) -> None:
    courses, first = run
    last_start = courses[-1].start_date
    assert last_start is not None
    as_of = max(add_months(first, ORAL_BP_REVIEW_MONTHS + extra), last_start)
    h = history(bone_therapy=tuple(courses))
    codes = {a.code for a in assess(h, as_of=as_of).alerts}
    assert AlertCode.BISPHOSPHONATE_DURATION_REVIEW in codes


@settings(max_examples=150, deadline=None)
@given(run=continuous_runs(), short=st.integers(1, 59))
def test_under_five_years_of_oral_exposure_no_review(
    run: tuple[list[BoneTherapyCourse], dt.date], short: int
) -> None:
    courses, first = run
    as_of = add_months(first, short)
    last_start = courses[-1].start_date
    assert last_start is not None
    if last_start > as_of:  # the run has not reached its last course yet
        return
    h = history(bone_therapy=tuple(courses))
    codes = {a.code for a in assess(h, as_of=as_of).alerts}
    assert AlertCode.BISPHOSPHONATE_DURATION_REVIEW not in codes


@settings(max_examples=100, deadline=None)
@given(
    months=st.integers(1, 120),
    drug=st.sampled_from((*ORAL, ZOL)),
    break_months=st.integers(BP_EXPOSURE_BREAK_MONTHS, 60),
)
def test_after_a_break_only_the_run_since_counts(
    months: int, drug: BoneTherapyDrug, break_months: int
) -> None:
    """An earlier course, however long, ended 12 months or more before the current one: the
    review is the spec's for the current course alone."""
    earlier = BoneTherapyCourse(
        drug=ALN, start_date=dt.date(2005, 1, 1), stop_date=dt.date(2012, 1, 1)
    )
    start = add_months(dt.date(2012, 1, 1), break_months)
    current = BoneTherapyCourse(drug=drug, start_date=start, doses=(start,) if drug is ZOL else ())
    as_of = add_months(start, months)
    h = history(bone_therapy=(earlier, current))
    codes = {a.code for a in assess(h, as_of=as_of).alerts}
    limit = ZOLEDRONIC_REVIEW_MONTHS if drug is ZOL else ORAL_BP_REVIEW_MONTHS
    assert (AlertCode.BISPHOSPHONATE_DURATION_REVIEW in codes) is (months >= limit)
