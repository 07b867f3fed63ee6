"""Three readings where the specification is silent, each the conservative one (physician7 F1,
F5, F3): a vertebral fracture seen on a scan's VFA is a fragility fracture; a scan on or after
the day a plan was set fulfils it; a bone-therapy course stopped on its start date with no dose
was never taken."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitoring.domain import (
    AlertCode,
    Assessment,
    BoneTherapyDrug,
    DexaScan,
    History,
    Plan,
    RecommendationCode,
    RiskCategory,
    RiskFactor,
    RuleId,
    ScheduleItem,
    Severity,
    VertebralFractureAssessment,
    assess,
    parse_history,
)

from .builders import ai, d, history, normal_scan, risk, therapy
from .strategies import as_of_dates, histories

VFA = VertebralFractureAssessment
DMAB = BoneTherapyDrug.DENOSUMAB
ALN = BoneTherapyDrug.ALENDRONATE
ZOL = BoneTherapyDrug.ZOLEDRONIC_ACID


def alerts(a: Assessment) -> dict[AlertCode, Severity]:
    return {alert.code: alert.severity for alert in a.alerts}


def with_vfa(scan: DexaScan, vfa: VertebralFractureAssessment | None) -> DexaScan:
    return dataclasses.replace(scan, vertebral_fracture_assessment=vfa)


# --- F1: a vertebral fracture seen on VFA -------------------------------------------------------


def test_vfa_fracture_on_normal_bmd_indicates_therapy() -> None:
    """physician7 F1: normal BMD, VFA fracture, on an AI: therapy indicated, not low risk."""
    h = history(
        aromatase_inhibitors=(ai("2026-09-01"),),
        dexa_scans=(with_vfa(normal_scan("2026-09-05"), VFA.FRACTURE),),
    )
    result = assess(h, as_of=d("2026-12-07"))
    assert RiskFactor.FRAGILITY_FRACTURE in result.risk_factors
    assert result.therapy_triggers == (RuleId.TX_FRACTURE,)
    assert result.risk_category is RiskCategory.HIGH
    assert result.computed_next_dexa_due == d("2027-09-05")  # SCHED-HIGH, not 24 months
    (alert,) = [a for a in result.alerts if a.code is AlertCode.BONE_THERAPY_INDICATED]
    assert alert.severity is Severity.HIGH
    assert "vertebral fracture seen on the scan of 2026-09-05" in alert.message
    assert RecommendationCode.START_BONE_THERAPY in {r.code for r in result.recommendations}


@pytest.mark.parametrize("vfa", [None, VFA.NO_FRACTURE, VFA.INDETERMINATE])
def test_no_vfa_fracture_changes_nothing(vfa: VertebralFractureAssessment | None) -> None:
    h = history(dexa_scans=(with_vfa(normal_scan("2026-09-05"), vfa),))
    result = assess(h, as_of=d("2026-12-07"))
    assert result.therapy_triggers == ()
    assert result.risk_category is RiskCategory.LOW


def test_vfa_fracture_counts_from_the_scan_date_only() -> None:
    h = history(dexa_scans=(with_vfa(normal_scan("2026-09-05"), VFA.FRACTURE),))
    assert assess(h, as_of=d("2026-09-04")).therapy_triggers == ()
    assert assess(h, as_of=d("2026-09-05")).therapy_triggers == (RuleId.TX_FRACTURE,)


def test_a_later_scan_without_fracture_does_not_undo_it() -> None:
    h = history(
        dexa_scans=(
            with_vfa(normal_scan("2025-09-05"), VFA.FRACTURE),
            with_vfa(normal_scan("2026-09-05"), VFA.NO_FRACTURE),
        )
    )
    result = assess(h, as_of=d("2026-12-07"))
    assert result.therapy_triggers == (RuleId.TX_FRACTURE,)
    (alert,) = [a for a in result.alerts if a.code is AlertCode.BONE_THERAPY_INDICATED]
    assert "the scan of 2025-09-05" in alert.message


def test_a_recorded_fracture_is_not_attributed_to_the_scan() -> None:
    h = history(
        patient=risk(prior_fragility_fracture=True),
        dexa_scans=(with_vfa(normal_scan("2026-09-05"), VFA.FRACTURE),),
    )
    (alert,) = [
        a
        for a in assess(h, as_of=d("2026-12-07")).alerts
        if a.code is AlertCode.BONE_THERAPY_INDICATED
    ]
    assert "vertebral fracture seen" not in alert.message


@given(histories(), as_of_dates)
def test_a_vfa_fracture_on_file_always_fires_tx_fracture(h: History, as_of: dt.date) -> None:
    seen = any(
        s.date <= as_of and s.vertebral_fracture_assessment is VFA.FRACTURE for s in h.dexa_scans
    )
    result = assess(h, as_of=as_of)
    if seen:
        assert RuleId.TX_FRACTURE in result.therapy_triggers
        assert RiskFactor.FRAGILITY_FRACTURE in result.risk_factors
    # Taking the VFA results away never adds a trigger.
    bare = dataclasses.replace(h, dexa_scans=tuple(with_vfa(s, None) for s in h.dexa_scans))
    assert set(assess(bare, as_of=as_of).therapy_triggers) <= set(result.therapy_triggers)


def test_vfa_is_read_from_the_history_format() -> None:
    h = parse_history(
        {
            "patient": {"mrn": "V1", "sex": "F", "birth_date": "1966-05-01"},
            "dexa_scans": [
                {
                    "date": "2026-09-05",
                    "scanner": "S1",
                    "vertebral_fracture_assessment": "fracture",
                    "sites": {"lumbar_spine": {"bmd": 0.95, "t_score": -1.2}},
                }
            ],
        }
    )
    assert h.dexa_scans[0].vertebral_fracture_assessment is VFA.FRACTURE


# --- F5: a plan fulfilled by a scan -------------------------------------------------------------


def plan_history(scan_date: str, set_on: str | None) -> History:
    return history(
        dexa_scans=(normal_scan("2025-12-01"), normal_scan(scan_date)),
        plan=Plan(
            next_dexa_due=d("2026-12-20"),
            reason="early rescan",
            set_on=d(set_on) if set_on else None,
        ),
    )


def test_a_scan_after_the_day_the_plan_was_set_fulfils_it() -> None:
    """physician7 F5: plan set 2026-12-06 for 2026-12-20, scan 2026-12-07."""
    result = assess(plan_history("2026-12-07", "2026-12-06"), as_of=d("2026-12-07"))
    assert result.next_dexa_due == result.computed_next_dexa_due == d("2028-12-07")
    assert (ScheduleItem.DEXA, d("2026-12-20")) not in {(s.item, s.due) for s in result.schedule}
    (repeat,) = [r for r in result.recommendations if r.code is RecommendationCode.REPEAT_DEXA]
    assert repeat.due == d("2028-12-07")
    assert "was met by the scan of 2026-12-07" in repeat.message
    assert RuleId.SCHED_PLAN in repeat.rules
    # No DEXA_OVERDUE once the planned date has passed.
    later = assess(plan_history("2026-12-07", "2026-12-06"), as_of=d("2027-01-10"))
    assert AlertCode.DEXA_OVERDUE not in alerts(later)


@pytest.mark.parametrize("set_on", ["2026-12-08", "2026-12-07", None])
def test_a_plan_not_yet_met_stays_in_force(set_on: str | None) -> None:
    """A scan before the plan was set or on its day (the plan was made after reading it), or a
    plan without its set date, leaves the plan."""
    result = assess(plan_history("2026-12-07", set_on), as_of=d("2026-12-10"))
    assert result.next_dexa_due == d("2026-12-20")
    assert result.computed_next_dexa_due == d("2028-12-07")
    late = assess(plan_history("2026-12-07", set_on), as_of=d("2026-12-21"))
    assert AlertCode.DEXA_OVERDUE in alerts(late)


def test_a_scan_after_as_of_does_not_fulfil_the_plan() -> None:
    result = assess(plan_history("2026-12-15", "2026-12-07"), as_of=d("2026-12-10"))
    assert result.next_dexa_due == d("2026-12-20")


@given(histories(), as_of_dates)
def test_a_plan_is_in_force_until_a_scan_after_its_set_day(h: History, as_of: dt.date) -> None:
    result = assess(h, as_of=as_of)
    plan = h.plan
    if plan is None or plan.next_dexa_due is None:
        assert result.next_dexa_due == result.computed_next_dexa_due
        return
    met = plan.set_on is not None and any(plan.set_on < s.date <= as_of for s in h.dexa_scans)
    expected = result.computed_next_dexa_due if met else plan.next_dexa_due
    assert result.next_dexa_due == expected


def test_plan_set_on_is_read_from_the_history_format() -> None:
    base = {"patient": {"mrn": "V1", "sex": "F", "birth_date": "1966-05-01"}}
    h = parse_history({**base, "plan": {"next_dexa_due": "2026-12-20", "set_on": "2026-12-01"}})
    assert h.plan == Plan(next_dexa_due=d("2026-12-20"), set_on=d("2026-12-01"))
    old = parse_history({**base, "plan": {"next_dexa_due": "2026-12-20"}})
    assert old.plan == Plan(next_dexa_due=d("2026-12-20"))


# --- F3: a course stopped on its start date -----------------------------------------------------

DMAB_COURSE = therapy(DMAB, "2025-06-01", stop="2026-12-07", doses=("2025-06-01", "2025-12-01"))


def test_a_zero_day_bisphosphonate_is_no_follow_on() -> None:
    """physician7 F3: alendronate started and stopped 2026-12-07 leaves DMAB-STOP critical."""
    zero = therapy(ALN, "2026-12-07", stop="2026-12-07")
    result = assess(history(bone_therapy=(DMAB_COURSE, zero)), as_of=d("2026-12-07"))
    assert alerts(result)[AlertCode.DENOSUMAB_STOPPED_NO_FOLLOW_ON] is Severity.CRITICAL
    codes = {r.code for r in result.recommendations}
    assert RecommendationCode.START_FOLLOW_ON_THERAPY in codes


@pytest.mark.parametrize(
    "follow_on",
    [
        therapy(ALN, "2026-12-07"),  # still going
        therapy(ALN, "2026-12-07", stop="2027-12-07"),  # taken for 12 months (physician9 F1)
        therapy(ZOL, "2026-12-07", stop="2026-12-07", doses=("2026-12-07",)),  # one infusion
    ],
)
def test_a_follow_on_taken_clears_dmab_stop(follow_on: object) -> None:
    result = assess(history(bone_therapy=(DMAB_COURSE, follow_on)), as_of=d("2027-12-10"))
    assert AlertCode.DENOSUMAB_STOPPED_NO_FOLLOW_ON not in alerts(result)


def test_a_zero_day_course_is_not_the_latest_started_for_btm() -> None:
    """BTM-RESPONSE judges the course started most recently; one never taken is not it."""
    zero = therapy(ALN, "2026-12-07", stop="2026-12-07")
    real = therapy(ZOL, "2026-10-01", doses=("2026-10-01",))
    with_zero = assess(history(bone_therapy=(real, zero)), as_of=d("2026-12-10"))
    without = assess(history(bone_therapy=(real,)), as_of=d("2026-12-10"))
    assert with_zero.btm_response == without.btm_response
    assert {r.code for r in with_zero.recommendations} == {r.code for r in without.recommendations}


@given(st.dates(min_value=d("2025-12-01"), max_value=d("2028-12-31")), as_of_dates)
def test_a_zero_day_bisphosphonate_never_clears_dmab_stop(day: dt.date, as_of: dt.date) -> None:
    zero = therapy(ALN, day.isoformat(), stop=day.isoformat())
    with_zero = assess(history(bone_therapy=(DMAB_COURSE, zero)), as_of=as_of)
    alone = assess(history(bone_therapy=(DMAB_COURSE,)), as_of=as_of)
    code = AlertCode.DENOSUMAB_STOPPED_NO_FOLLOW_ON
    assert alerts(with_zero).get(code) == alerts(alone).get(code)


# --- physician8 D1: a zoledronic acid or denosumab course stopped with no dose recorded ---------


@pytest.mark.parametrize(
    "never_given",
    [
        # Started, then stopped before the infusion (cancelled, patient unwell): no dose.
        therapy(ZOL, "2026-12-01", stop="2026-12-05"),
        therapy(ZOL, "2026-12-07", stop="2026-12-07"),
    ],
)
def test_a_zoledronic_acid_course_stopped_without_an_infusion_is_no_follow_on(
    never_given: object,
) -> None:
    for as_of in (d("2026-12-10"), d("2027-06-01")):
        with_it = assess(history(bone_therapy=(DMAB_COURSE, never_given)), as_of=as_of)
        alone = assess(history(bone_therapy=(DMAB_COURSE,)), as_of=as_of)
        code = AlertCode.DENOSUMAB_STOPPED_NO_FOLLOW_ON
        assert alerts(with_it)[code] is alerts(alone)[code] is Severity.CRITICAL
        assert RecommendationCode.START_FOLLOW_ON_THERAPY in {
            r.code for r in with_it.recommendations
        }


def test_an_oral_course_of_a_few_days_counts_while_it_runs_not_once_stopped() -> None:
    """Oral bisphosphonates have no dose records: one running is the follow-on; once stopped,
    only one that ran 12 months is (physician9 F1, tests/monitoring/domain/test_denosumab_*)."""
    running = therapy(ALN, "2026-12-01", stop="2026-12-20")
    result = assess(history(bone_therapy=(DMAB_COURSE, running)), as_of=d("2026-12-10"))
    assert AlertCode.DENOSUMAB_STOPPED_NO_FOLLOW_ON not in alerts(result)
    result = assess(history(bone_therapy=(DMAB_COURSE, running)), as_of=d("2026-12-20"))
    assert alerts(result)[AlertCode.DENOSUMAB_STOPPED_NO_FOLLOW_ON] is Severity.CRITICAL


def test_a_denosumab_restart_stopped_without_an_injection_is_timed_from_the_last_given() -> None:
    """The restart was never given: the last injection is the earlier course's, 2025-12-01, so
    the alert is critical (past 2026-06-01) and asks for the follow-on by then."""
    restart = therapy(DMAB, "2027-01-10", stop="2027-01-20")
    result = assess(history(bone_therapy=(DMAB_COURSE, restart)), as_of=d("2027-02-01"))
    alert = next(a for a in result.alerts if a.code is AlertCode.DENOSUMAB_STOPPED_NO_FOLLOW_ON)
    assert alert.severity is Severity.CRITICAL
    assert "last dose 2025-12-01" in alert.message


def test_a_lone_denosumab_course_stopped_without_a_dose_still_raises_dmab_stop() -> None:
    """With no earlier course, its start counts as the schedule counts it (DMAB-SCHEDULE)."""
    lone = therapy(DMAB, "2026-11-01", stop="2026-11-20")
    result = assess(history(bone_therapy=(lone,)), as_of=d("2026-12-01"))
    assert alerts(result)[AlertCode.DENOSUMAB_STOPPED_NO_FOLLOW_ON] is Severity.WARNING
