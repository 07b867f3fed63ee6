"""A fragility fracture on an antiresorptive (physician9 F18): FRACTURE_ON_THERAPY after 12 months
of an active course, and no "stable on therapy" interval once a fracture follows a course's start.

The cases are the physician's: a 58-year-old on letrozole, alendronate since 2024-01-10, assessed
on 2026-12-01.
"""

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
    RecommendationCode,
    RuleId,
    Severity,
    VertebralFractureAssessment,
    assess,
)
from monitoring.domain.dates import add_months
from monitoring.domain.thresholds import FRACTURE_ON_THERAPY_MIN_MONTHS

from .builders import ai, d, history, risk, scan, therapy
from .strategies import as_of_dates, histories

VFA = VertebralFractureAssessment
ALN = BoneTherapyDrug.ALENDRONATE
ZOL = BoneTherapyDrug.ZOLEDRONIC_ACID
DMAB = BoneTherapyDrug.DENOSUMAB
AS_OF = d("2026-12-01")
START = "2024-01-10"
BIRTH = d("1968-01-01")  # 58 on AS_OF


def dexa(date: str, vfa: VertebralFractureAssessment | None = None) -> DexaScan:
    """The same BMD every time (no change between scans), with a VFA reading."""
    plain = scan(date, lumbar_spine=("0.900", "-2.1"), total_hip=("0.850", "-1.4"))
    return dataclasses.replace(plain, vertebral_fracture_assessment=vfa)


def on_alendronate(
    *scans: DexaScan, fracture: str | None = None, fractured: bool | None = None, **extra: object
) -> History:
    factors: dict[str, object] = {"prior_fragility_fracture": bool(fracture) or bool(fractured)}
    if fracture:
        factors["prior_fracture_date"] = d(fracture)
    fields: dict[str, object] = {
        "patient": risk(**factors),
        "aromatase_inhibitors": (ai("2023-12-01"),),
        "dexa_scans": scans,
        "bone_therapy": (therapy(ALN, START),),
    }
    fields.update(extra)
    h = history(**fields)
    return dataclasses.replace(h, patient=dataclasses.replace(h.patient, birth_date=BIRTH))


def fracture_alert(a: Assessment) -> str | None:
    """Return the FRACTURE_ON_THERAPY message (checking its severity and rule), or None."""
    found = [alert for alert in a.alerts if alert.code is AlertCode.FRACTURE_ON_THERAPY]
    if not found:
        return None
    (alert,) = found
    assert alert.severity is Severity.HIGH
    assert alert.rules == (RuleId.FX_ON_THERAPY,)
    assert "IOF 2012" in alert.sources
    return alert.message


def repeat_dexa_rules(a: Assessment) -> tuple[RuleId, ...]:
    rec = next(r for r in a.recommendations if r.code is RecommendationCode.REPEAT_DEXA)
    return rec.rules


# --- The two cases of F18 -----------------------------------------------------------------------


def test_a_recorded_fracture_after_years_on_alendronate_raises_the_alert() -> None:
    """C29: record "prior fragility fracture" dated 2026-10-01, 2 3/4 years into alendronate."""
    h = on_alendronate(dexa("2024-01-05"), dexa("2026-01-05"), fracture="2026-10-01")
    result = assess(h, as_of=AS_OF)
    message = fracture_alert(result)
    assert message is not None
    assert "2026-10-01 (patient record)" in message
    assert "alendronate since 2024-01-10" in message
    for asked in ("adherence", "secondary causes", "change of therapy"):
        assert asked in message
    # BONE_THERAPY_INDICATED stays silent: a drug is active; the new alert is what speaks.
    assert AlertCode.BONE_THERAPY_INDICATED not in {a.code for a in result.alerts}


def test_a_vfa_fracture_on_alendronate_raises_the_alert_and_no_stable_interval() -> None:
    """C30: VFA "no fracture" on 2024-01-05, "fracture" on 2026-11-01, BMD unchanged."""
    h = on_alendronate(dexa("2024-01-05", VFA.NO_FRACTURE), dexa("2026-11-01", VFA.FRACTURE))
    result = assess(h, as_of=AS_OF)
    message = fracture_alert(result)
    assert message is not None
    assert "vertebral fracture seen on the VFA of the scan of 2026-11-01" in message
    assert "alendronate since 2024-01-10" in message
    # Not 24 months after the very scan showing the fracture: the interval of the risk (high).
    assert RuleId.SCHED_STABLE_ON_THERAPY not in repeat_dexa_rules(result)
    assert repeat_dexa_rules(result) == (RuleId.SCHED_HIGH,)
    assert result.next_dexa_due == d("2027-11-01")


def test_without_the_fracture_the_same_patient_is_stable_on_therapy() -> None:
    """The control of C30: the same scans with no fracture seen keep the 24-month interval."""
    h = on_alendronate(dexa("2024-01-05", VFA.NO_FRACTURE), dexa("2026-11-01", VFA.NO_FRACTURE))
    result = assess(h, as_of=AS_OF)
    assert fracture_alert(result) is None
    assert repeat_dexa_rules(result) == (RuleId.SCHED_STABLE_ON_THERAPY,)
    assert result.next_dexa_due == d("2028-11-01")


# --- Negative cases ------------------------------------------------------------------------------


def test_a_fracture_before_the_therapy_raises_nothing_and_keeps_the_stable_interval() -> None:
    """The fracture that led to the therapy is no failure of it."""
    h = on_alendronate(dexa("2024-01-05"), dexa("2026-11-01"), fracture="2023-11-20")
    result = assess(h, as_of=AS_OF)
    assert fracture_alert(result) is None
    assert repeat_dexa_rules(result) == (RuleId.SCHED_STABLE_ON_THERAPY,)


def test_a_vfa_fracture_before_the_therapy_seen_again_is_the_same_fracture() -> None:
    """A prevalent vertebral fracture seen on every VFA is not a new fracture on therapy."""
    h = on_alendronate(dexa("2024-01-05", VFA.FRACTURE), dexa("2026-11-01", VFA.FRACTURE))
    result = assess(h, as_of=AS_OF)
    assert fracture_alert(result) is None
    assert repeat_dexa_rules(result) == (RuleId.SCHED_STABLE_ON_THERAPY,)


def test_a_vfa_fracture_after_a_vfa_without_one_is_new_even_after_an_old_one() -> None:
    scans = (
        dexa("2023-12-20", VFA.FRACTURE),
        dexa("2025-01-15", VFA.NO_FRACTURE),
        dexa("2025-06-15", VFA.INDETERMINATE),  # says nothing: the reading before it counts
        dexa("2026-11-01", VFA.FRACTURE),
    )
    message = fracture_alert(assess(on_alendronate(*scans), as_of=AS_OF))
    assert message is not None
    assert "2026-11-01" in message
    assert "2023-12-20" not in message


def test_a_fracture_in_the_first_12_months_raises_nothing_but_is_not_stable() -> None:
    h = on_alendronate(dexa("2024-01-05"), dexa("2026-11-01"), fracture="2024-06-01")
    result = assess(h, as_of=AS_OF)
    assert fracture_alert(result) is None
    assert RuleId.SCHED_STABLE_ON_THERAPY not in repeat_dexa_rules(result)
    assert result.next_dexa_due == d("2027-11-01")


@pytest.mark.parametrize(("days_after_12_months", "raised"), [(-1, False), (0, True), (1, True)])
def test_the_12_months_boundary(days_after_12_months: int, raised: bool) -> None:
    day = add_months(d(START), FRACTURE_ON_THERAPY_MIN_MONTHS) + dt.timedelta(
        days=days_after_12_months
    )
    h = on_alendronate(dexa("2024-01-05"), fracture=day.isoformat())
    assert (fracture_alert(assess(h, as_of=AS_OF)) is not None) is raised


def test_an_undated_recorded_fracture_cannot_be_placed_on_therapy() -> None:
    h = on_alendronate(dexa("2024-01-05"), dexa("2026-11-01"), fractured=True)
    result = assess(h, as_of=AS_OF)
    assert fracture_alert(result) is None
    assert RuleId.TX_FRACTURE in result.therapy_triggers
    assert repeat_dexa_rules(result) == (RuleId.SCHED_STABLE_ON_THERAPY,)


def test_a_fracture_after_as_of_counts_as_absent() -> None:
    h = on_alendronate(dexa("2024-01-05"), fracture="2026-12-02")
    assert fracture_alert(assess(h, as_of=AS_OF)) is None


def test_a_stopped_course_raises_nothing() -> None:
    h = on_alendronate(
        dexa("2024-01-05"),
        fracture="2026-10-01",
        bone_therapy=(therapy(ALN, START, stop="2026-11-01"),),
    )
    assert fracture_alert(assess(h, as_of=AS_OF)) is None


def test_a_change_of_drug_clears_the_alert() -> None:
    """After the fracture the physician switches to zoledronic acid: the new course counts anew."""
    h = on_alendronate(
        dexa("2024-01-05"),
        fracture="2026-10-01",
        bone_therapy=(
            therapy(ALN, START, stop="2026-10-20"),
            therapy(ZOL, "2026-10-20", doses=("2026-10-20",)),
        ),
    )
    assert fracture_alert(assess(h, as_of=AS_OF)) is None


def test_a_fracture_on_denosumab_does_not_suggest_denosumab() -> None:
    h = on_alendronate(
        dexa("2024-01-05"),
        fracture="2026-10-01",
        bone_therapy=(therapy(DMAB, START, doses=("2026-07-10",)),),
    )
    message = fracture_alert(assess(h, as_of=AS_OF))
    assert message is not None
    assert "denosumab since 2024-01-10" in message
    assert "e.g. to zoledronic acid or denosumab" not in message


# --- Invariants -----------------------------------------------------------------------------------


@given(histories(), as_of_dates)
def test_the_alert_means_a_fracture_on_an_active_course_and_no_stable_interval(
    h: History, as_of: dt.date
) -> None:
    result = assess(h, as_of=as_of)
    if fracture_alert(result) is None:
        return
    assert RuleId.TX_FRACTURE in result.therapy_triggers
    assert any(
        t.start_date is not None
        and t.start_date <= as_of
        and (t.stop_date is None or t.stop_date > as_of)
        for t in h.bone_therapy
    )
    assert AlertCode.BONE_THERAPY_INDICATED not in {a.code for a in result.alerts}
    scheduled = next(
        (r for r in result.recommendations if r.code is RecommendationCode.REPEAT_DEXA), None
    )
    if scheduled is not None and len(h.bone_therapy) == 1:
        # One course, fractured after its first year: never "stable on therapy".
        assert RuleId.SCHED_STABLE_ON_THERAPY not in scheduled.rules


@given(
    st.dates(min_value=d("2021-01-01"), max_value=d("2026-11-30")),
    st.dates(min_value=d("2020-01-01"), max_value=d("2027-06-01")),
)
def test_alert_and_interval_follow_the_fracture_date(start: dt.date, fracture: dt.date) -> None:
    """One active alendronate course, stable BMD on scans 2021-01-05 and 2026-11-01, one dated
    fracture: the alert iff the fracture is 12 months or more into the course (by `as_of`), the
    stable interval only if no fracture follows the start."""
    h = on_alendronate(
        dexa("2021-01-05"),
        dexa("2026-11-01"),
        fracture=fracture.isoformat(),
        bone_therapy=(therapy(ALN, start.isoformat()),),
    )
    result = assess(h, as_of=AS_OF)
    on_file = fracture <= AS_OF
    raised = on_file and fracture >= add_months(start, FRACTURE_ON_THERAPY_MIN_MONTHS)
    assert (fracture_alert(result) is not None) is raised
    stable = RuleId.SCHED_STABLE_ON_THERAPY in repeat_dexa_rules(result)
    if on_file and fracture > start:
        assert not stable
    elif add_months(start, 24) <= d("2026-11-01"):
        assert stable
