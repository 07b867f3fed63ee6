"""DMAB-STOP with zoledronic acid started as denosumab's follow-on, its infusion not recorded yet.

The rule stands (no infusion, no follow-on), but the follow-on is decided: the work left is the
infusion. The rules say so with their own code, DENOSUMAB_FOLLOW_ON_INFUSION_AWAITED, in place of
DENOSUMAB_STOPPED_NO_FOLLOW_ON (the physician's decision), so the application reads the state as
stored and never derives it again. These tests hold the rule to that: one code at a time, the
awaited one exactly while `follow_on_awaiting_infusion` finds the course (the one statement the
schedule reads too), at the severity the rule had without that course.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from monitoring.domain import (
    AlertCode,
    Assessment,
    BoneTherapyCourse,
    BoneTherapyDrug,
    RuleId,
    ScheduleItem,
    Severity,
    assess,
    follow_on_infusion_awaited,
)
from monitoring.domain.dates import add_months
from monitoring.domain.types import BISPHOSPHONATES

from .builders import d, history, therapy

DMAB = BoneTherapyDrug.DENOSUMAB
ZOL = BoneTherapyDrug.ZOLEDRONIC_ACID
STOPPED = AlertCode.DENOSUMAB_STOPPED_NO_FOLLOW_ON
AWAITED = AlertCode.DENOSUMAB_FOLLOW_ON_INFUSION_AWAITED
LAST_DOSE = d("2026-02-01")
DMAB_STOPPED = therapy(DMAB, "2025-08-01", stop="2026-05-01", doses=("2025-08-01", "2026-02-01"))
as_of_dates = st.dates(min_value=d("2026-03-01"), max_value=d("2027-09-30"))


@st.composite
def bisphosphonate_courses(draw: st.DrawFn) -> BoneTherapyCourse:
    """A bisphosphonate course around the last denosumab dose: planned, running or stopped;
    zoledronic acid with or without infusions."""
    drug = draw(st.just(ZOL) | st.sampled_from(sorted(BISPHOSPHONATES)))  # the one awaited
    start = draw(st.none() | st.integers(-100, 400).map(lambda n: LAST_DOSE + dt.timedelta(n)))
    stop = None
    doses: tuple[dt.date, ...] = ()
    if start is not None:
        stop = draw(st.none() | st.integers(0, 700).map(lambda n: start + dt.timedelta(n)))
        if drug is ZOL:
            offsets = draw(st.lists(st.integers(0, 400), max_size=2, unique=True) | st.just([]))
            doses = tuple(sorted(start + dt.timedelta(n) for n in offsets))
    return BoneTherapyCourse(
        drug=drug, start_date=start, stop_date=stop, doses=doses, dental_review_date=LAST_DOSE
    )


def dmab_stop_alerts(result: Assessment) -> dict[AlertCode, Severity]:
    return {a.code: a.severity for a in result.alerts if RuleId.DMAB_STOP in a.rules}


def za_due(result: Assessment) -> list[dt.date]:
    return [e.due for e in result.schedule if e.item is ScheduleItem.ZOLEDRONIC_ACID_DOSE]


@given(st.lists(bisphosphonate_courses(), max_size=3), as_of_dates)
def test_the_awaited_code_stands_exactly_while_the_infusion_is_awaited(
    courses: list[BoneTherapyCourse], as_of: dt.date
) -> None:
    """One DMAB-STOP code at a time; the awaited one exactly while `follow_on_awaiting_infusion`
    finds a course (the schedule's statement too), whose infusion is then due by its start."""
    past = history(bone_therapy=(DMAB_STOPPED, *courses))
    result = assess(past, as_of=as_of)
    raised = dmab_stop_alerts(result)
    awaited_start = follow_on_infusion_awaited(past, as_of)
    assert len(raised) <= 1
    assert (AWAITED in raised) is (awaited_start is not None)
    if awaited_start is not None:
        (due,) = za_due(result)
        assert due <= awaited_start


@given(st.lists(bisphosphonate_courses(), max_size=3), as_of_dates)
def test_the_awaited_code_takes_the_decision_code_s_place_at_its_severity(
    courses: list[BoneTherapyCourse], as_of: dt.date
) -> None:
    """Without the zoledronic acid courses with no infusion by `as_of` (never the follow-on),
    the rule stands as it did, with the decision code at the same severity: warning until the
    last dose + 6 months, critical after."""
    result = assess(history(bone_therapy=(DMAB_STOPPED, *courses)), as_of=as_of)
    infused = [c for c in courses if c.drug is not ZOL or any(x <= as_of for x in c.doses)]
    without = assess(history(bone_therapy=(DMAB_STOPPED, *infused)), as_of=as_of)
    assert list(dmab_stop_alerts(result).values()) == list(dmab_stop_alerts(without).values())
    assert AWAITED not in dmab_stop_alerts(without)
    for severity in dmab_stop_alerts(result).values():
        warning = as_of <= add_months(LAST_DOSE, 6)
        assert severity is (Severity.WARNING if warning else Severity.CRITICAL)


def test_a_zoledronic_acid_course_stopped_with_no_infusion_asks_for_the_decision_again() -> None:
    za = therapy(ZOL, "2026-06-01", stop="2026-06-05")
    result = assess(history(bone_therapy=(DMAB_STOPPED, za)), as_of=d("2026-06-10"))
    assert dmab_stop_alerts(result) == {STOPPED: Severity.WARNING}
    assert za_due(result) == []


def test_a_planned_zoledronic_acid_course_is_no_decision_made_yet() -> None:
    """Planned (no start, or a start after `as_of`): nothing to infuse yet, the decision code
    stays, as DMAB-STOP counts only courses started by `as_of`."""
    for start in (None, "2026-09-01"):
        za = therapy(ZOL, start)
        result = assess(history(bone_therapy=(DMAB_STOPPED, za)), as_of=d("2026-08-10"))
        assert dmab_stop_alerts(result) == {STOPPED: Severity.CRITICAL}


def test_a_zoledronic_acid_course_started_before_the_last_dose_is_no_awaited_follow_on() -> None:
    """Started before the last denosumab injection: not the follow-on (DMAB-STOP), so its
    infusion awaited is a routine one and the decision code stays."""
    za = therapy(ZOL, "2026-01-15")
    result = assess(history(bone_therapy=(DMAB_STOPPED, za)), as_of=d("2026-06-10"))
    assert dmab_stop_alerts(result) == {STOPPED: Severity.WARNING}


def test_two_courses_awaiting_their_infusion_raise_one_alert_from_the_earliest_start() -> None:
    first, second = therapy(ZOL, "2026-06-01"), therapy(ZOL, "2026-07-01")
    result = assess(history(bone_therapy=(DMAB_STOPPED, second, first)), as_of=d("2026-07-10"))
    assert dmab_stop_alerts(result) == {AWAITED: Severity.WARNING}
    (alert,) = [a for a in result.alerts if a.code is AWAITED]
    assert "zoledronic acid started on 2026-06-01 as the follow-on" in alert.message
    assert za_due(result) == [d("2026-06-01")]
