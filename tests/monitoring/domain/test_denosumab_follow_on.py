"""physician9 F1: an alendronate course stopped a week after it started cleared
DENOSUMAB_STOPPED_NO_FOLLOW_ON (critical) for good. A stopped oral bisphosphonate is now the
follow-on only if it ran 12 months (ECTS 2021: an oral bisphosphonate for 1-2 years after
denosumab); one running counts; zoledronic acid counts once an infusion is recorded (until then,
DENOSUMAB_FOLLOW_ON_INFUSION_AWAITED in its place: test_follow_on_infusion_awaited.py)."""

from __future__ import annotations

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
    RuleId,
    ScheduleItem,
    Severity,
    assess,
    follow_on_due,
)
from monitoring.domain.dates import add_months
from monitoring.domain.thresholds import DENOSUMAB_FOLLOW_ON_ORAL_MIN_MONTHS

from .builders import d, history, therapy

DMAB = BoneTherapyDrug.DENOSUMAB
ALN = BoneTherapyDrug.ALENDRONATE
RIS = BoneTherapyDrug.RISEDRONATE
ZOL = BoneTherapyDrug.ZOLEDRONIC_ACID
STOPPED = AlertCode.DENOSUMAB_STOPPED_NO_FOLLOW_ON
AWAITED = AlertCode.DENOSUMAB_FOLLOW_ON_INFUSION_AWAITED
DMAB_CODES = {
    AlertCode.DENOSUMAB_DUE,
    AlertCode.DENOSUMAB_OVERDUE,
    AlertCode.DENOSUMAB_REBOUND_RISK,
    STOPPED,
    AWAITED,
}


def dmab_alerts(result: Assessment) -> dict[AlertCode, Severity]:
    return {a.code: a.severity for a in result.alerts if a.code in DMAB_CODES}


DMAB_STOPPED = therapy(DMAB, "2025-08-01", stop="2026-05-01", doses=("2025-08-01", "2026-02-01"))


def test_the_testers_week_of_alendronate_is_no_follow_on() -> None:
    """cases/p_DMABALN.json: the alert stays critical and names the short course."""
    week = therapy(ALN, "2026-08-01", stop="2026-08-08")
    result = assess(history(bone_therapy=(DMAB_STOPPED, week)), as_of=d("2026-12-01"))
    alone = assess(history(bone_therapy=(DMAB_STOPPED,)), as_of=d("2026-12-01"))
    assert dmab_alerts(result) == dmab_alerts(alone) == {STOPPED: Severity.CRITICAL}
    (alert,) = [a for a in result.alerts if a.code is STOPPED]
    assert "alendronate from 2026-08-01, stopped 2026-08-08 before 12 months" in alert.message
    codes = {r.code for r in result.recommendations}
    assert RecommendationCode.START_FOLLOW_ON_THERAPY in codes


@pytest.mark.parametrize(
    ("follow_on", "as_of", "counts"),
    [
        (therapy(ALN, "2026-08-01"), "2026-08-02", True),  # running
        (therapy(ALN, "2026-08-01", stop="2027-08-01"), "2027-06-01", True),  # running still
        (therapy(ALN, "2026-08-01", stop="2027-08-01"), "2027-09-01", True),  # 12 months
        (therapy(ALN, "2026-08-01", stop="2027-07-31"), "2027-09-01", False),  # a day short
        (therapy(RIS, "2026-06-01", stop="2026-12-01"), "2026-12-01", False),  # 6 months
        (therapy(ZOL, "2026-08-01"), "2026-09-01", False),  # no infusion recorded yet
        (therapy(ZOL, "2026-08-01", doses=("2026-08-03",)), "2026-09-01", True),
        (therapy(ZOL, "2026-08-01", stop="2026-08-01", doses=("2026-08-01",)), "2027-01-01", True),
    ],
)
def test_what_counts_as_the_follow_on(
    follow_on: BoneTherapyCourse, as_of: str, counts: bool
) -> None:
    result = assess(history(bone_therapy=(DMAB_STOPPED, follow_on)), as_of=d(as_of))
    assert (not dmab_alerts(result).keys() & {STOPPED, AWAITED}) is counts


def zol_due(result: Assessment) -> list[dt.date]:
    return [e.due for e in result.schedule if e.item is ScheduleItem.ZOLEDRONIC_ACID_DOSE]


def test_a_zoledronic_acid_course_awaiting_its_infusion_asks_for_the_infusion() -> None:
    """phys10 F2: the alert said "start one by 2026-08-01" (a past date) beside the course just
    started, and the schedule put its first infusion 6 months after the start, on no worklist
    row. Now the alert (its own code: the decision is made) and the advice ask for the infusion,
    due on the course's start."""
    za = therapy(ZOL, "2026-12-07")
    result = assess(history(bone_therapy=(DMAB_STOPPED, za)), as_of=d("2026-12-07"))
    assert dmab_alerts(result) == {AWAITED: Severity.CRITICAL}
    (alert,) = [a for a in result.alerts if a.code is AWAITED]
    assert alert.rules == (RuleId.DMAB_STOP,)
    assert alert.sources == ("Seed-B", "ECTS 2021")
    assert (
        "zoledronic acid started on 2026-12-07 as the follow-on, its first infusion due from that "
        "start and not recorded yet; the follow-on was due by 2026-08-01: give it now"
    ) in alert.message
    assert "start one by" not in alert.message
    (advice,) = [
        r for r in result.recommendations if r.code is RecommendationCode.START_FOLLOW_ON_THERAPY
    ]
    assert advice.message.startswith(
        "Give the first zoledronic acid infusion, due since the course started on 2026-12-07, "
        "and record it: it is the follow-on after denosumab once given, and it was due by "
        "2026-08-01: give it now"
    )
    # phys13 #11: the advice is due by the alert's date (last dose + 6 months), not the start.
    assert advice.due == d("2026-08-01")
    assert zol_due(result) == [d("2026-12-07")]


def test_the_infusion_recorded_clears_the_alert_and_times_the_next_from_it() -> None:
    za = therapy(ZOL, "2026-12-07", doses=("2026-12-09",))
    result = assess(history(bone_therapy=(DMAB_STOPPED, za)), as_of=d("2026-12-10"))
    assert not dmab_alerts(result)
    assert zol_due(result) == [d("2027-06-09")]


def test_a_follow_on_started_before_its_due_date_is_due_on_its_start_with_a_warning() -> None:
    za = therapy(ZOL, "2026-06-01")
    result = assess(history(bone_therapy=(DMAB_STOPPED, za)), as_of=d("2026-06-10"))
    assert dmab_alerts(result) == {AWAITED: Severity.WARNING}
    (alert,) = [a for a in result.alerts if a.code is AWAITED]
    assert (
        "its first infusion due from that start and not recorded yet; the follow-on must be in "
        "place by 2026-08-01"
    ) in alert.message
    assert zol_due(result) == [d("2026-06-01")]
    # phys13 #11 (SHOW-20): the advice asks for the infusion, not a therapy to start, with the
    # alert's date and urgency: due by 2026-08-01, still to come, as the alert is a warning.
    (advice,) = [
        r for r in result.recommendations if r.code is RecommendationCode.START_FOLLOW_ON_THERAPY
    ]
    assert advice.due == d("2026-08-01")
    assert "due since the course started on 2026-06-01" in advice.message
    assert "it must be given by 2026-08-01" in advice.message
    assert not advice.message.startswith("Start")


def test_a_zoledronic_acid_course_with_no_denosumab_before_keeps_start_plus_6_months() -> None:
    """The spec's "last dose (or start) + 6 months" where DMAB-STOP does not stand."""
    za = therapy(ZOL, "2026-12-07")
    result = assess(history(bone_therapy=(za,)), as_of=d("2026-12-07"))
    assert zol_due(result) == [d("2027-06-07")]


def test_a_follow_on_awaiting_its_infusion_names_the_courses_that_did_not_count() -> None:
    week = therapy(ALN, "2026-08-01", stop="2026-08-08")
    za = therapy(ZOL, "2026-12-07")
    result = assess(history(bone_therapy=(DMAB_STOPPED, week, za)), as_of=d("2026-12-07"))
    (alert,) = [a for a in result.alerts if a.code is AWAITED]
    assert "(alendronate from 2026-08-01, stopped 2026-08-08 before 12 months)" in alert.message
    assert "zoledronic acid from" not in alert.message


@given(
    st.dates(min_value=d("2026-02-01"), max_value=d("2027-12-31")),
    st.integers(1, 365),
    st.dates(min_value=d("2026-05-01"), max_value=d("2029-12-31")),
)
def test_a_stopped_oral_course_shorter_than_12_months_never_changes_dmab_stop(
    start: dt.date, days: int, as_of: dt.date
) -> None:
    stop = start + dt.timedelta(days=days)
    assume(stop < add_months(start, DENOSUMAB_FOLLOW_ON_ORAL_MIN_MONTHS) and stop <= as_of)
    short = BoneTherapyCourse(drug=ALN, start_date=start, stop_date=stop)
    with_it = assess(history(bone_therapy=(DMAB_STOPPED, short)), as_of=as_of)
    alone = assess(history(bone_therapy=(DMAB_STOPPED,)), as_of=as_of)
    assert dmab_alerts(with_it) == dmab_alerts(alone)


@pytest.mark.parametrize(
    ("courses", "as_of"),
    [
        ((DMAB_STOPPED,), "2026-06-01"),  # warning: due by still to come
        ((DMAB_STOPPED,), "2026-12-01"),  # critical: passed
        ((DMAB_STOPPED, therapy(ALN, "2026-08-01", stop="2026-08-08")), "2026-12-01"),
        ((DMAB_STOPPED, therapy(ZOL, "2026-08-01")), "2026-09-01"),  # infusion awaited
    ],
)
def test_follow_on_due_is_the_alerts_last_dose_and_date(
    courses: tuple[BoneTherapyCourse, ...], as_of: str
) -> None:
    """phys11 F1: the letters and the summary name DMAB-STOP's last dose and date, read from
    the rules (`follow_on_due`), which are those the alert states."""
    hist = history(bone_therapy=courses)
    due = follow_on_due(hist, d(as_of))
    assert (
        due
        == (d("2026-02-01"), add_months(d("2026-02-01"), 6))
        == (d("2026-02-01"), d("2026-08-01"))
    )
    # DMAB-STOP's alert, whichever of its two codes (the infusion awaited or not)
    (alert,) = [a for a in assess(hist, as_of=d(as_of)).alerts if a.code in (STOPPED, AWAITED)]
    assert "last dose 2026-02-01" in alert.message
    assert "2026-08-01" in alert.message


@pytest.mark.parametrize(
    ("courses", "as_of"),
    [
        ((therapy(DMAB, "2025-08-01", doses=("2025-08-01", "2026-02-01")),), "2026-06-01"),
        ((DMAB_STOPPED, therapy(ALN, "2026-08-01")), "2026-09-01"),  # the follow-on runs
        ((DMAB_STOPPED, therapy(ZOL, "2026-08-01", doses=("2026-08-03",))), "2026-09-01"),
        ((therapy(ALN, "2025-08-01", stop="2026-05-01"),), "2026-06-01"),
    ],
)
def test_follow_on_due_is_none_unless_dmab_stop_stands(
    courses: tuple[BoneTherapyCourse, ...], as_of: str
) -> None:
    hist = history(bone_therapy=courses)
    assert follow_on_due(hist, d(as_of)) is None
    assert STOPPED not in dmab_alerts(assess(hist, as_of=d(as_of)))


def test_a_follow_on_date_passed_is_said_as_passed() -> None:
    """recheck11 #8: "start one by 2026-08-01" read as still to come once that date had passed."""
    before = assess(history(bone_therapy=(DMAB_STOPPED,)), as_of=d("2026-07-01"))
    after = assess(history(bone_therapy=(DMAB_STOPPED,)), as_of=d("2026-12-07"))
    (early,) = [a for a in before.alerts if RuleId.DMAB_STOP in a.rules]
    (late,) = [a for a in after.alerts if RuleId.DMAB_STOP in a.rules]
    assert "start one by 2026-08-01 to prevent" in early.message
    assert "one was due by 2026-08-01 and is overdue: start one now to prevent" in late.message
    (advice,) = [
        r for r in after.recommendations if r.code is RecommendationCode.START_FOLLOW_ON_THERAPY
    ]
    assert advice.message.startswith("Start a bisphosphonate (e.g. zoledronic acid) now: it was")
