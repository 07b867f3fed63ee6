"""After denosumab is stopped, the bisphosphonate follow-on (START_FOLLOW_ON_THERAPY) is the one
advice to start an antiresorptive: no START_BONE_THERAPY beside it ("start a bisphosphonate or
denosumab" contradicted it), and the advice to correct a low calcium first comes with it exactly
when the latest adjusted calcium of the last 12 months is low."""

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
    BoneTherapyCourse,
    BoneTherapyDrug,
    History,
    LabResult,
    RecommendationCode,
    RuleId,
    assess,
)
from monitoring.domain.dates import window_start
from monitoring.domain.thresholds import CALCIUM_LOW_BELOW, LAB_VALID_MONTHS

from .builders import ai, history, lab, scan, therapy
from .strategies import histories

AS_OF = dt.date(2025, 6, 1)
DMAB = BoneTherapyDrug.DENOSUMAB
STARTS = (RecommendationCode.START_BONE_THERAPY, RecommendationCode.START_FOLLOW_ON_THERAPY)
CALCIUM_FIRST = "Correct the low calcium first"


def _starts(a: Assessment) -> list[tuple[RecommendationCode, str, tuple[RuleId, ...]]]:
    return [(r.code, r.message, r.rules) for r in a.recommendations if r.code in STARTS]


def _stopped_denosumab(calcium: str) -> History:
    """Osteoporotic on an AI (TX-AI-T, TX-OSTEOPOROSIS), denosumab stopped with no follow-on."""
    return history(
        aromatase_inhibitors=(ai("2024-01-01"),),
        dexa_scans=(scan("2025-01-01", lumbar_spine=("0.800", "-2.7")),),
        bone_therapy=(
            therapy(DMAB, "2024-02-01", stop="2025-03-01", doses=("2024-02-01", "2024-08-01")),
        ),
        labs=(lab("2025-05-01", Analyte.CALCIUM, calcium),),
    )


@pytest.mark.parametrize(("calcium", "low"), [("2.30", False), ("1.90", True)])
def test_the_follow_on_is_the_one_start_advice_when_therapy_is_indicated(
    calcium: str, low: bool
) -> None:
    a = assess(_stopped_denosumab(calcium), as_of=AS_OF)
    [(code, message, rules)] = _starts(a)
    assert code is RecommendationCode.START_FOLLOW_ON_THERAPY
    assert message.startswith(CALCIUM_FIRST) is low
    assert "also indicated: this follow-on is the antiresorptive to start" in message
    assert {RuleId.DMAB_STOP, RuleId.TX_AI_T, RuleId.TX_OSTEOPOROSIS} <= set(rules)
    (indicated,) = [x for x in a.alerts if x.code is AlertCode.BONE_THERAPY_INDICATED]
    assert indicated.message.endswith(
        "start the bisphosphonate follow-on after the stopped denosumab."
    )
    assert "bisphosphonate or denosumab" not in indicated.message
    assert RecommendationCode.DENTAL_REVIEW in {r.code for r in a.recommendations}


@st.composite
def with_a_denosumab_stop(draw: st.DrawFn) -> tuple[History, dt.date]:
    """Any history with a denosumab course stopped before `as_of` (doses or none, maybe a
    bisphosphonate after it) and, most often, an adjusted calcium within 12 months."""
    h = draw(histories())
    as_of = draw(st.dates(min_value=dt.date(2019, 1, 1), max_value=dt.date(2026, 12, 31)))
    start = draw(st.dates(min_value=as_of - dt.timedelta(days=3000), max_value=as_of))
    stop = draw(st.dates(min_value=start, max_value=as_of))
    offsets = draw(st.lists(st.integers(0, (stop - start).days), max_size=4, unique=True))
    doses = tuple(sorted(start + dt.timedelta(days=o) for o in offsets))
    stopped = BoneTherapyCourse(
        drug=DMAB, start_date=start, stop_date=stop, doses=doses, dental_review_date=start
    )
    labs = h.labs
    if draw(st.booleans() | st.just(True)):
        first = window_start(LAB_VALID_MONTHS, as_of)
        day = draw(st.dates(min_value=first, max_value=as_of))
        value = draw(st.decimals(Decimal("1.80"), Decimal("2.40"), places=2))
        labs = (*labs, LabResult(date=day, analyte=Analyte.CALCIUM, value=value))
    return dataclasses.replace(h, bone_therapy=(stopped, *h.bone_therapy), labs=labs), as_of


def _calcium_low(h: History, as_of: dt.date) -> bool:
    """The latest adjusted calcium of the 12 months before `as_of` (the lower on one day) is
    below the CA-LOW limit."""
    first = window_start(LAB_VALID_MONTHS, as_of)
    labs = [x for x in h.labs if x.analyte is Analyte.CALCIUM and first <= x.date <= as_of]
    if not labs:
        return False
    latest = max(labs, key=lambda x: (x.date, -x.value)).value
    return latest.quantize(Decimal("0.01")) < CALCIUM_LOW_BELOW


@given(with_a_denosumab_stop())
def test_at_most_one_start_advice_and_calcium_first_exactly_when_low(
    case: tuple[History, dt.date],
) -> None:
    h, as_of = case
    a = assess(h, as_of=as_of)
    starts = _starts(a)
    assert len(starts) <= 1
    low = _calcium_low(h, as_of)
    for _code, message, rules in starts:
        assert message.startswith(CALCIUM_FIRST) is low
        assert message.count(CALCIUM_FIRST) == (1 if low else 0)
        assert bool({RuleId.CA_LOW, RuleId.CA_LOW_OTHER} & set(rules)) is low
    codes = {x.code for x in a.alerts}
    if AlertCode.DENOSUMAB_STOPPED_NO_FOLLOW_ON in codes:
        assert [code for code, _m, _r in starts] == [RecommendationCode.START_FOLLOW_ON_THERAPY]
