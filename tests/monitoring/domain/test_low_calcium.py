"""A low adjusted calcium outside CA-LOW (nurse10 F1): CALCIUM_LOW (CA-LOW-OTHER) with an oral
bisphosphonate planned or active (high), with therapy indicated and none started (high) or with
neither (warning); START_BONE_THERAPY says to correct the calcium first; CA-LOW is unchanged."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitoring.domain import (
    AlertCode,
    Analyte,
    Assessment,
    BoneTherapyDrug,
    History,
    LabResult,
    RecommendationCode,
    RuleId,
    Severity,
    assess,
)
from monitoring.domain.dates import window_start
from monitoring.domain.rules.context import CourseStatus, course_status
from monitoring.domain.thresholds import CALCIUM_LOW_BELOW, LAB_VALID_MONTHS
from monitoring.domain.types import ORAL_BISPHOSPHONATES

from .builders import ai, history, lab, normal_scan, scan, therapy
from .strategies import as_of_dates, histories

AS_OF = dt.date(2026, 12, 7)
ALN = BoneTherapyDrug.ALENDRONATE
DMAB = BoneTherapyDrug.DENOSUMAB
ZOL = BoneTherapyDrug.ZOLEDRONIC_ACID
CODES = (AlertCode.HYPOCALCEMIA, AlertCode.CALCIUM_LOW)


def calcium(value: str, date: str = "2026-12-06") -> LabResult:
    return lab(date, Analyte.CALCIUM, value)


def osteoporotic() -> History:
    """T -2.6 at the spine, no antiresorptive: BONE_THERAPY_INDICATED (TX-OSTEOPOROSIS)."""
    return history(
        aromatase_inhibitors=(ai("2026-01-01"),),
        dexa_scans=(scan("2026-06-01", lumbar_spine=("0.800", "-2.6")),),
    )


def normal(**extra: object) -> History:
    return dataclasses.replace(
        history(aromatase_inhibitors=(ai("2026-01-01"),), dexa_scans=(normal_scan("2026-06-01"),)),
        **extra,  # type: ignore[arg-type]
    )


def calcium_alerts(a: Assessment) -> list[tuple[AlertCode, Severity]]:
    return [(x.code, x.severity) for x in a.alerts if x.code in CODES]


def one_alert(a: Assessment, code: AlertCode) -> str:
    (alert,) = [x for x in a.alerts if x.code is code]
    return alert.message


def start_therapy(a: Assessment) -> tuple[str, tuple[RuleId, ...]]:
    (rec,) = [r for r in a.recommendations if r.code is RecommendationCode.START_BONE_THERAPY]
    return rec.message, rec.rules


def test_nurse_case_alendronate_active_calcium_1_90_is_high() -> None:
    h = normal(bone_therapy=(therapy(ALN, "2026-09-28"),), labs=(calcium("1.90"),))
    a = assess(h, as_of=AS_OF)
    assert calcium_alerts(a) == [(AlertCode.CALCIUM_LOW, Severity.HIGH)]
    (alert,) = [x for x in a.alerts if x.code is AlertCode.CALCIUM_LOW]
    assert alert.rules == (RuleId.CA_LOW_OTHER,)
    assert "drug labels" in alert.sources
    assert "1.90 mmol/L on 2026-12-06 (< 2.12)" in alert.message
    assert "contraindication of alendronate" in alert.message
    assert "decide whether to hold alendronate" in alert.message


@pytest.mark.parametrize(
    "drug", [BoneTherapyDrug.ALENDRONATE, BoneTherapyDrug.RISEDRONATE, BoneTherapyDrug.IBANDRONATE]
)
def test_an_oral_bisphosphonate_planned_is_high_and_not_started(drug: BoneTherapyDrug) -> None:
    h = normal(bone_therapy=(therapy(drug, None),), labs=(calcium("2.05"),))
    a = assess(h, as_of=AS_OF)
    assert calcium_alerts(a) == [(AlertCode.CALCIUM_LOW, Severity.HIGH)]
    assert f"do not start {drug}" in one_alert(a, AlertCode.CALCIUM_LOW)


def test_nurse_case_therapy_indicated_says_correct_the_calcium_first() -> None:
    h = dataclasses.replace(osteoporotic(), labs=(calcium("1.95"),))
    a = assess(h, as_of=AS_OF)
    assert calcium_alerts(a) == [(AlertCode.CALCIUM_LOW, Severity.HIGH)]
    assert "before starting the bone-protective therapy" in one_alert(a, AlertCode.CALCIUM_LOW)
    assert AlertCode.BONE_THERAPY_INDICATED in {x.code for x in a.alerts}
    message, rules = start_therapy(a)
    assert message.startswith("Correct the low calcium first (CALCIUM_LOW: adjusted calcium 1.95")
    assert "then start the antiresorptive" in message
    assert RuleId.CA_LOW_OTHER in rules
    assert RuleId.TX_OSTEOPOROSIS in rules


def test_start_therapy_unchanged_with_a_normal_calcium() -> None:
    a = assess(dataclasses.replace(osteoporotic(), labs=(calcium("2.30"),)), as_of=AS_OF)
    message, rules = start_therapy(a)
    assert message.startswith("Start an antiresorptive")
    assert not {RuleId.CA_LOW, RuleId.CA_LOW_OTHER} & set(rules)
    assert calcium_alerts(a) == []


def test_no_therapy_and_none_indicated_is_a_warning() -> None:
    a = assess(normal(labs=(calcium("2.05"),)), as_of=AS_OF)
    assert calcium_alerts(a) == [(AlertCode.CALCIUM_LOW, Severity.WARNING)]
    assert "look for the cause" in one_alert(a, AlertCode.CALCIUM_LOW)


def test_a_stopped_oral_bisphosphonate_does_not_count() -> None:
    h = normal(
        bone_therapy=(therapy(ALN, "2020-01-01", stop="2025-01-01"),), labs=(calcium("2.00"),)
    )
    assert calcium_alerts(assess(h, as_of=AS_OF)) == [(AlertCode.CALCIUM_LOW, Severity.WARNING)]


@pytest.mark.parametrize(
    ("value", "raised"),
    [("2.12", False), ("2.115", False), ("2.114", True), ("2.11", True), ("1.50", True)],
)
def test_the_limit_is_ca_low_s_rounded_to_0_01(value: str, raised: bool) -> None:
    a = assess(normal(labs=(calcium(value),)), as_of=AS_OF)
    assert bool(calcium_alerts(a)) is raised


def test_a_result_older_than_12_months_does_not_count() -> None:
    old = window_start(LAB_VALID_MONTHS, AS_OF) - dt.timedelta(days=1)
    a = assess(normal(labs=(calcium("1.90", old.isoformat()),)), as_of=AS_OF)
    assert calcium_alerts(a) == []


def test_the_latest_result_counts_not_an_older_low_one() -> None:
    labs = (calcium("1.90", "2026-10-01"), calcium("2.30", "2026-12-01"))
    h = normal(bone_therapy=(therapy(ALN, "2026-09-28"),), labs=labs)
    assert calcium_alerts(assess(h, as_of=AS_OF)) == []


@pytest.mark.parametrize("drug", [DMAB, ZOL])
def test_ca_low_keeps_zoledronic_acid_and_denosumab_critical_and_alone(
    drug: BoneTherapyDrug,
) -> None:
    """CA-LOW as the spec states it; with an oral bisphosphonate beside it, still only CA-LOW."""
    for courses in ((therapy(drug, None),), (therapy(drug, None), therapy(ALN, "2026-01-01"))):
        a = assess(normal(bone_therapy=courses, labs=(calcium("1.90"),)), as_of=AS_OF)
        assert calcium_alerts(a) == [(AlertCode.HYPOCALCEMIA, Severity.CRITICAL)]


def test_a_stopped_denosumab_still_acting_is_ca_low_s_and_the_start_names_it() -> None:
    h = dataclasses.replace(
        osteoporotic(),
        bone_therapy=(therapy(DMAB, "2026-01-10", stop="2026-08-01", doses=("2026-07-10",)),),
        labs=(calcium("1.95"),),
    )
    a = assess(h, as_of=AS_OF)
    assert calcium_alerts(a) == [(AlertCode.HYPOCALCEMIA, Severity.CRITICAL)]
    # After denosumab the start is its bisphosphonate follow-on, the one start advice.
    assert not [r for r in a.recommendations if r.code is RecommendationCode.START_BONE_THERAPY]
    (rec,) = [r for r in a.recommendations if r.code is RecommendationCode.START_FOLLOW_ON_THERAPY]
    message, rules = rec.message, rec.rules
    assert message.startswith("Correct the low calcium first (HYPOCALCEMIA:")
    assert RuleId.CA_LOW in rules
    assert RuleId.CA_LOW_OTHER not in rules


# --- Properties -------------------------------------------------------------------------------


@st.composite
def with_a_recent_calcium(draw: st.DrawFn) -> tuple[History, dt.date]:
    """Any history, with one more adjusted calcium dated within the 12 months before `as_of`."""
    h = draw(histories())
    as_of = draw(as_of_dates)
    first = window_start(LAB_VALID_MONTHS, as_of)
    day = draw(st.dates(min_value=first, max_value=as_of))
    value = draw(st.decimals(Decimal("1.80"), Decimal("2.40"), places=2))
    extra = LabResult(date=day, analyte=Analyte.CALCIUM, value=value)
    return dataclasses.replace(h, labs=(*h.labs, extra)), as_of


def _latest_calcium(h: History, as_of: dt.date) -> Decimal | None:
    first = window_start(LAB_VALID_MONTHS, as_of)
    labs = [x for x in h.labs if x.analyte is Analyte.CALCIUM and first <= x.date <= as_of]
    if not labs:
        return None
    return max(labs, key=lambda x: (x.date, -x.value)).value


@given(with_a_recent_calcium())
def test_a_low_calcium_always_raises_exactly_one_calcium_alert(
    case: tuple[History, dt.date],
) -> None:
    h, as_of = case
    a = assess(h, as_of=as_of)
    value = _latest_calcium(h, as_of)
    assert value is not None
    low = value.quantize(Decimal("0.01")) < CALCIUM_LOW_BELOW
    raised = calcium_alerts(a)
    assert len(raised) == (1 if low else 0)
    if not raised or raised[0][0] is AlertCode.HYPOCALCEMIA:
        return
    oral = any(
        c.drug in ORAL_BISPHOSPHONATES
        and course_status(c.start_date, c.stop_date, as_of) is not CourseStatus.STOPPED
        for c in h.bone_therapy
    )
    indicated = any(x.code is AlertCode.BONE_THERAPY_INDICATED for x in a.alerts)
    want = Severity.HIGH if oral or indicated else Severity.WARNING
    assert raised == [(AlertCode.CALCIUM_LOW, want)]


@given(with_a_recent_calcium())
def test_start_therapy_says_calcium_first_exactly_when_it_is_low(
    case: tuple[History, dt.date],
) -> None:
    h, as_of = case
    a = assess(h, as_of=as_of)
    recs = [r for r in a.recommendations if r.code is RecommendationCode.START_BONE_THERAPY]
    low = bool(calcium_alerts(a))
    for rec in recs:
        assert rec.message.startswith("Correct the low calcium first") is low
        assert bool({RuleId.CA_LOW, RuleId.CA_LOW_OTHER} & set(rec.rules)) is low
