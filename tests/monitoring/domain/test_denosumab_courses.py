"""physician9 F11: denosumab over several courses.

A switch to a new denosumab course (a biosimilar) with no injection yet moved the next
injection 6 months later, as the new course's start counted as an injection; the overdue and
rebound alerts went with it. The last dose is now the latest on any course, a start counting as
one only after a lapse of the dosing interval (`dose_interval.last_dose`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from monitoring.domain import (
    AlertCode,
    Assessment,
    BoneTherapyCourse,
    BoneTherapyDrug,
    RecommendationCode,
    ScheduleItem,
    Severity,
    assess,
)
from monitoring.domain.dates import add_months
from monitoring.domain.dose_interval import last_dose, previous_of
from monitoring.domain.thresholds import DENOSUMAB_INTERVAL_MONTHS

from .builders import d, history, therapy

DMAB = BoneTherapyDrug.DENOSUMAB
STOPPED = AlertCode.DENOSUMAB_STOPPED_NO_FOLLOW_ON
DMAB_CODES = {
    AlertCode.DENOSUMAB_DUE,
    AlertCode.DENOSUMAB_OVERDUE,
    AlertCode.DENOSUMAB_REBOUND_RISK,
    STOPPED,
}


def dmab_alerts(result: Assessment) -> dict[AlertCode, Severity]:
    return {a.code: a.severity for a in result.alerts if a.code in DMAB_CODES}


def dmab_due(result: Assessment) -> dt.date | None:
    dues = [e.due for e in result.schedule if e.item is ScheduleItem.DENOSUMAB_DOSE]
    assert len(dues) <= 1
    return dues[0] if dues else None


def unstopped(course: BoneTherapyCourse) -> BoneTherapyCourse:
    return dataclasses.replace(course, stop_date=None)


# --- F11: the tester's switch ------------------------------------------------------------------

OLD = therapy(DMAB, "2021-12-19", stop="2026-12-07", doses=("2021-12-19", "2026-06-19"))
SWITCH = therapy(DMAB, "2026-12-07")  # a biosimilar, no injection yet


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        ("2026-12-07", {}),
        ("2026-12-19", {AlertCode.DENOSUMAB_DUE: Severity.WARNING}),
        ("2027-02-01", {AlertCode.DENOSUMAB_OVERDUE: Severity.HIGH}),  # 44 days late
        ("2027-06-07", {AlertCode.DENOSUMAB_REBOUND_RISK: Severity.CRITICAL}),  # 170 days late
    ],
)
def test_a_switch_keeps_the_old_due_date_and_its_alerts(
    as_of: str, expected: dict[AlertCode, Severity]
) -> None:
    switched = assess(history(bone_therapy=(OLD, SWITCH)), as_of=d(as_of))
    not_switched = assess(history(bone_therapy=(unstopped(OLD),)), as_of=d(as_of))
    assert dmab_due(switched) == dmab_due(not_switched) == d("2026-12-19")
    assert dmab_alerts(switched) == dmab_alerts(not_switched) == expected


def test_the_late_messages_name_the_last_injection_on_the_old_course() -> None:
    result = assess(history(bone_therapy=(OLD, SWITCH)), as_of=d("2026-12-20"))
    (alert,) = [a for a in result.alerts if a.code is AlertCode.DENOSUMAB_DUE]
    assert "last 2026-06-19" in alert.message
    (rec,) = [r for r in result.recommendations if r.code is RecommendationCode.GIVE_DENOSUMAB]
    assert rec.due == d("2026-12-19")


def test_the_testers_c22_switch_4_months_after_the_last_injection_is_rebound_risk() -> None:
    """cases/c8.py C22: the switch course read "due ... 0 days ago" instead of critical."""
    old = therapy(DMAB, "2025-06-01", stop="2026-10-01", doses=("2025-06-01", "2026-06-01"))
    new = therapy(DMAB, "2026-10-01")
    result = assess(history(bone_therapy=(old, new)), as_of=d("2027-04-01"))
    assert dmab_due(result) == d("2026-12-01")
    assert dmab_alerts(result) == {AlertCode.DENOSUMAB_REBOUND_RISK: Severity.CRITICAL}


def test_the_first_injection_on_the_new_course_is_the_last_dose() -> None:
    given_on = dataclasses.replace(SWITCH, doses=(d("2026-12-19"),))
    result = assess(history(bone_therapy=(OLD, given_on)), as_of=d("2027-01-10"))
    assert dmab_due(result) == d("2027-06-19")
    assert dmab_alerts(result) == {}


def test_a_restart_after_a_lapse_counts_from_its_start() -> None:
    """The spec's "or the start, with no dose recorded": a new course started more than 6 months
    after the last injection is a restart, its start the first injection."""
    old = therapy(DMAB, "2023-01-01", stop="2024-01-01", doses=("2023-01-01", "2023-07-01"))
    restart = therapy(DMAB, "2026-10-01")
    result = assess(history(bone_therapy=(old, restart)), as_of=d("2026-12-07"))
    assert dmab_due(result) == d("2027-04-01")
    assert dmab_alerts(result) == {}


def test_a_stopped_switch_without_an_injection_times_the_stop_alert_from_the_old_dose() -> None:
    """DMAB-STOP reads the same last dose: the new course stopped before its first injection."""
    stopped = dataclasses.replace(SWITCH, stop_date=d("2027-01-10"))
    result = assess(history(bone_therapy=(OLD, stopped)), as_of=d("2027-01-10"))
    (alert,) = [a for a in result.alerts if a.code is STOPPED]
    assert alert.severity is Severity.CRITICAL  # past 2026-12-19
    assert "last dose 2026-06-19" in alert.message


def test_a_switch_stopped_after_an_injection_times_the_stop_alert_from_it() -> None:
    stopped = dataclasses.replace(SWITCH, stop_date=d("2027-01-10"), doses=(d("2026-12-19"),))
    result = assess(history(bone_therapy=(OLD, stopped)), as_of=d("2027-01-10"))
    (alert,) = [a for a in result.alerts if a.code is STOPPED]
    assert alert.severity is Severity.WARNING  # until 2027-06-19
    assert "last dose 2026-12-19" in alert.message


# --- the one helper ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("doses", "starts", "expected"),
    [
        ((), (), None),
        ((), ("2026-01-10",), "2026-01-10"),  # the start, with no dose recorded
        (("2026-06-19",), ("2026-12-07",), "2026-06-19"),  # a switch within 6 months
        (("2026-06-19",), ("2026-12-19",), "2026-06-19"),  # on the due day: still a switch
        (("2026-06-19",), ("2026-12-20",), "2026-12-20"),  # after a lapse: a restart
        (("2026-06-19", "2026-12-19"), ("2026-12-07",), "2026-12-19"),  # a dose after it wins
        ((), ("2026-01-10", "2026-05-01"), "2026-01-10"),  # a counted start blocks the next
        ((), ("2026-01-10", "2026-07-11"), "2026-07-11"),  # ... within 6 months only
        (("2026-12-01",), ("2026-12-01",), "2026-12-01"),  # the first dose on the start day
    ],
)
def test_last_dose(doses: tuple[str, ...], starts: tuple[str, ...], expected: str | None) -> None:
    got = last_dose(DMAB, doses=[d(x) for x in doses], starts=[d(x) for x in starts])
    assert got == (d(expected) if expected else None)


def test_the_pre_dose_check_reads_the_same_previous_dose() -> None:
    """The injection due on 2026-12-19 on the switch course follows the old course's dose, so it
    is on time (the new course's start made it 170 days early)."""
    previous = previous_of(
        DMAB, d("2026-12-19"), other_doses=[d("2026-06-19")], start=d("2026-12-07")
    )
    assert previous == d("2026-06-19")


# --- F11 properties ------------------------------------------------------------------------------

FIRST, LAST = dt.date(2020, 1, 1), dt.date(2026, 12, 31)


@st.composite
def one_course(draw: st.DrawFn) -> tuple[dt.date, tuple[dt.date, ...]]:
    """A denosumab course's start and its doses, each within 8 months of the one before."""
    start = draw(st.dates(min_value=FIRST, max_value=dt.date(2024, 12, 31)))
    doses: list[dt.date] = []
    day = start
    for gap in draw(st.lists(st.integers(0, 240), max_size=8)):
        day += dt.timedelta(days=gap)
        if day > LAST:
            break
        if day not in doses:
            doses.append(day)
    return start, tuple(doses)


@given(one_course(), st.data())
def test_splitting_a_course_within_the_interval_never_moves_the_next_dose(
    course: tuple[dt.date, tuple[dt.date, ...]], data: st.DataObject
) -> None:
    """Split one active course in two on a day X, the doses before X on the first and the others
    on the second: while X is within the dosing interval after the last dose before it (or the
    start), a switch and not a restart, the due date and the alerts stay as they were."""
    start, doses = course
    split = data.draw(st.dates(min_value=start, max_value=LAST), label="split")
    as_of = data.draw(st.dates(min_value=split, max_value=dt.date(2028, 12, 31)), label="as_of")
    before = max([day for day in doses if day < split], default=start)
    assume(split <= add_months(before, DENOSUMAB_INTERVAL_MONTHS))
    one = BoneTherapyCourse(drug=DMAB, start_date=start, doses=doses)
    first = BoneTherapyCourse(
        drug=DMAB,
        start_date=start,
        stop_date=split,
        doses=tuple(day for day in doses if day < split),
    )
    second = BoneTherapyCourse(
        drug=DMAB, start_date=split, doses=tuple(day for day in doses if day >= split)
    )
    whole = assess(history(bone_therapy=(one,)), as_of=as_of)
    split_up = assess(history(bone_therapy=(first, second)), as_of=as_of)
    assert dmab_due(split_up) == dmab_due(whole)
    assert dmab_alerts(split_up) == dmab_alerts(whole)


@given(one_course(), st.dates(min_value=FIRST, max_value=LAST), st.data())
def test_a_new_course_never_moves_the_due_date_before_the_latest_injections(
    course: tuple[dt.date, tuple[dt.date, ...]], new_start: dt.date, data: st.DataObject
) -> None:
    """Whatever the new course's start, the next injection is due no earlier than 6 months after
    the latest injection recorded, and no later than the later of that and 6 months after the
    new course's start."""
    start, doses = course
    assume(doses and new_start > max(start, *doses))
    as_of = data.draw(st.dates(min_value=new_start, max_value=dt.date(2028, 12, 31)))
    old = BoneTherapyCourse(drug=DMAB, start_date=start, stop_date=new_start, doses=doses)
    new = BoneTherapyCourse(drug=DMAB, start_date=new_start)
    due = dmab_due(assess(history(bone_therapy=(old, new)), as_of=as_of))
    assert due is not None
    latest = add_months(max(doses), DENOSUMAB_INTERVAL_MONTHS)
    assert latest <= due <= max(latest, add_months(new_start, DENOSUMAB_INTERVAL_MONTHS))
    if new_start <= latest:  # a switch, not a restart
        assert due == latest
