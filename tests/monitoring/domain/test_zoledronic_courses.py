"""Zoledronic acid over several courses, as denosumab (physician9 F11).

The next infusion was timed from the active course alone: an infusion given 2 months ago on a
course since stopped, and the same drug recorded again today as a new course (another
physician), scheduled the next infusion 6 months from today, 4 months late; a backdated start
timed it from that start, not from the infusion given. The last infusion is now read as the
denosumab injection is (`dose_interval.last_dose`, `last_doses.last_dose_on`): the latest on any
course, a course's start counting as one only after a lapse of 6 months.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from monitoring.domain import Assessment, BoneTherapyCourse, BoneTherapyDrug, ScheduleItem, assess
from monitoring.domain.dates import add_months
from monitoring.domain.dose_interval import previous_of
from monitoring.domain.thresholds import ZOLEDRONIC_INTERVAL_MONTHS

from .builders import d, history, therapy
from .test_denosumab_courses import FIRST, LAST, one_course

ZOL = BoneTherapyDrug.ZOLEDRONIC_ACID


def zol_due(result: Assessment) -> dt.date | None:
    dues = [e.due for e in result.schedule if e.item is ScheduleItem.ZOLEDRONIC_ACID_DOSE]
    assert len(dues) <= 1
    return dues[0] if dues else None


# --- the brief's case: course A stopped, course B of the same drug started -----------------------

A = therapy(ZOL, "2025-04-07", stop="2026-12-07", doses=("2025-04-07", "2026-10-07"))


@pytest.mark.parametrize(
    "b_start",
    [
        "2026-12-07",  # recorded again today
        "2026-11-01",  # backdated, after the last infusion
        "2026-09-01",  # backdated before it
    ],
)
def test_a_new_course_of_the_same_drug_keeps_the_last_infusions_due_date(b_start: str) -> None:
    b = therapy(ZOL, b_start)
    result = assess(history(bone_therapy=(A, b)), as_of=d("2026-12-07"))
    unsplit = assess(
        history(bone_therapy=(dataclasses.replace(A, stop_date=None),)), as_of=d("2026-12-07")
    )
    assert zol_due(result) == zol_due(unsplit) == d("2027-04-07")


def test_the_first_infusion_on_the_new_course_is_the_last_dose() -> None:
    b = therapy(ZOL, "2026-12-07", doses=("2027-04-07",))
    result = assess(history(bone_therapy=(A, b)), as_of=d("2027-04-20"))
    assert zol_due(result) == d("2027-10-07")


def test_a_restart_after_a_lapse_counts_from_its_start() -> None:
    """The spec's "last dose (or start)": a course started more than 6 months after the last
    infusion is a restart, its start the infusion the schedule assumes."""
    old = therapy(ZOL, "2023-01-01", stop="2024-01-01", doses=("2023-01-01", "2023-07-01"))
    restart = therapy(ZOL, "2026-10-01")
    result = assess(history(bone_therapy=(old, restart)), as_of=d("2026-12-07"))
    assert zol_due(result) == d("2027-04-01")


def test_no_active_course_no_infusion_scheduled() -> None:
    result = assess(history(bone_therapy=(A,)), as_of=d("2026-12-08"))
    assert zol_due(result) is None


def test_a_course_stopped_without_an_infusion_within_the_interval_moves_nothing() -> None:
    """A course stopped with no infusion recorded, started within 6 months of the last infusion,
    is no infusion either way: the active course's next infusion stays where it was."""
    active = therapy(ZOL, "2025-01-01", doses=("2025-01-01", "2025-07-01"))
    stopped = therapy(ZOL, "2025-09-01", stop="2025-09-10")
    result = assess(history(bone_therapy=(active, stopped)), as_of=d("2025-10-01"))
    assert zol_due(result) == d("2026-01-01")


def test_the_pre_dose_check_reads_the_same_previous_infusion() -> None:
    """The infusion due on 2027-04-07 on the new course follows course A's, so it is on time."""
    previous = previous_of(
        ZOL, d("2027-04-07"), other_doses=[d("2026-10-07")], start=d("2026-12-07")
    )
    assert previous == d("2026-10-07")


def test_other_drugs_do_not_count() -> None:
    dmab = therapy(BoneTherapyDrug.DENOSUMAB, "2026-10-01", doses=("2026-10-01",))
    zol = therapy(ZOL, "2026-12-01")
    result = assess(history(bone_therapy=(dmab, zol)), as_of=d("2026-12-07"))
    assert zol_due(result) == d("2027-06-01")


# --- properties ----------------------------------------------------------------------------------


@given(one_course(), st.data())
def test_splitting_a_zoledronic_course_within_the_interval_never_moves_the_due_date(
    course: tuple[dt.date, tuple[dt.date, ...]], data: st.DataObject
) -> None:
    """Split one active course in two on a day X, the infusions before X on the first and the
    others on the second: while X is within 6 months after the last infusion before it (or the
    start), a continuation and not a restart, the next infusion stays where it was."""
    start, doses = course
    split = data.draw(st.dates(min_value=start, max_value=LAST), label="split")
    as_of = data.draw(st.dates(min_value=split, max_value=dt.date(2028, 12, 31)), label="as_of")
    before = max([day for day in doses if day < split], default=start)
    assume(split <= add_months(before, ZOLEDRONIC_INTERVAL_MONTHS))
    one = BoneTherapyCourse(drug=ZOL, start_date=start, doses=doses)
    first = BoneTherapyCourse(
        drug=ZOL, start_date=start, stop_date=split, doses=tuple(x for x in doses if x < split)
    )
    second = BoneTherapyCourse(
        drug=ZOL, start_date=split, doses=tuple(x for x in doses if x >= split)
    )
    whole = assess(history(bone_therapy=(one,)), as_of=as_of)
    split_up = assess(history(bone_therapy=(first, second)), as_of=as_of)
    assert zol_due(split_up) == zol_due(whole)


@given(one_course(), st.dates(min_value=FIRST, max_value=LAST), st.data())
def test_a_new_course_never_moves_the_infusion_before_the_latest_one(
    course: tuple[dt.date, tuple[dt.date, ...]], new_start: dt.date, data: st.DataObject
) -> None:
    """Whatever the new course's start, the next infusion is due no earlier than 6 months after
    the latest infusion recorded, and exactly then when the new course starts within them."""
    start, doses = course
    assume(doses and new_start > max(start, *doses))
    as_of = data.draw(st.dates(min_value=new_start, max_value=dt.date(2028, 12, 31)))
    old = BoneTherapyCourse(drug=ZOL, start_date=start, stop_date=new_start, doses=doses)
    new = BoneTherapyCourse(drug=ZOL, start_date=new_start)
    due = zol_due(assess(history(bone_therapy=(old, new)), as_of=as_of))
    assert due is not None
    latest = add_months(max(doses), ZOLEDRONIC_INTERVAL_MONTHS)
    assert latest <= due <= max(latest, add_months(new_start, ZOLEDRONIC_INTERVAL_MONTHS))
    if new_start <= latest:
        assert due == latest
