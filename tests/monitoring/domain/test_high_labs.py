"""A high adjusted calcium or 25-OH vitamin D (nurse13 #1): CALCIUM_HIGH (CA-HIGH) and
VITAMIN_D_HIGH (VITD-HIGH), and the calcium and vitamin D advice held, never "take calcium and
vitamin D", while either is on file (the specification is silent: the conservative reading)."""

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
    History,
    LabResult,
    RecommendationCode,
    RuleId,
    Severity,
    assess,
)
from monitoring.domain.dates import window_start
from monitoring.domain.rules.context import build_context
from monitoring.domain.thresholds import (
    CALCIUM_HIGH_ABOVE,
    LAB_VALID_MONTHS,
    VITD_HIGH_ABOVE,
)

from .builders import ai, history, lab
from .strategies import as_of_dates, histories

AS_OF = dt.date(2026, 12, 7)
CA = Analyte.CALCIUM
VITD = Analyte.VITAMIN_D_25OH
# The advice every patient gets, as ALWAYS words it: never beside a high result.
TAKE_THEM = "Calcium 1000-1200 mg/day (diet first) and vitamin D 800-1000 IU/day."


def _with(*labs: LabResult) -> Assessment:
    return assess(history(aromatase_inhibitors=[ai("2026-01-01")], labs=list(labs)), as_of=AS_OF)


def _raised(a: Assessment, code: AlertCode) -> list[Severity]:
    return [x.severity for x in a.alerts if x.code is code]


def _rec(a: Assessment, code: RecommendationCode) -> tuple[str, tuple[RuleId, ...]]:
    (rec,) = [r for r in a.recommendations if r.code is code]
    return rec.message, rec.rules


def test_the_testers_results_raise_both_alerts_and_hold_both_supplements() -> None:
    a = _with(lab("2026-12-04", CA, "3.05"), lab("2026-12-04", VITD, "420", unit="nmol/L"))
    assert _raised(a, AlertCode.CALCIUM_HIGH) == [Severity.HIGH]
    assert _raised(a, AlertCode.VITAMIN_D_HIGH) == [Severity.HIGH]
    (calcium,) = [x for x in a.alerts if x.code is AlertCode.CALCIUM_HIGH]
    assert calcium.message.startswith("Adjusted calcium 3.05 mmol/L on 2026-12-04 (> 2.60)")
    assert calcium.rules == (RuleId.CA_HIGH,)
    assert "Society for Endocrinology 2016" in calcium.sources
    (vit_d,) = [x for x in a.alerts if x.code is AlertCode.VITAMIN_D_HIGH]
    # Quoted as entered, against the limit in its unit (nurse14 #3: 375 nmol/L, 150 ng/mL).
    assert vit_d.message.startswith("25-OH vitamin D 420 nmol/L on 2026-12-04 (> 375)")
    assert "Endocrine Society 2011" in vit_d.sources
    message, rules = _rec(a, RecommendationCode.CALCIUM_VITAMIN_D)
    assert message.startswith("Hold calcium and vitamin D supplements")
    assert rules == (RuleId.ALWAYS, RuleId.CA_HIGH)


@pytest.mark.parametrize(
    ("value", "want"),
    [
        ("2.60", []),  # the upper reference limit itself is normal
        ("2.604", []),  # rounds to 2.60
        ("2.605", [Severity.HIGH]),  # rounds to 2.61
        ("3.50", [Severity.HIGH]),
        ("3.51", [Severity.CRITICAL]),
    ],
)
def test_calcium_high_at_its_limits(value: str, want: list[Severity]) -> None:
    assert _raised(_with(lab("2026-12-01", CA, value)), AlertCode.CALCIUM_HIGH) == want


@pytest.mark.parametrize(
    ("value", "want"),
    [
        ("100", []),
        ("100.01", [Severity.WARNING]),
        ("150", [Severity.WARNING]),
        ("150.01", [Severity.HIGH]),
    ],
)
def test_vitamin_d_high_at_its_limits(value: str, want: list[Severity]) -> None:
    assert _raised(_with(lab("2026-12-01", VITD, value)), AlertCode.VITAMIN_D_HIGH) == want


@pytest.mark.parametrize(
    ("value", "want"),
    [
        # 249.9 nmol/L is 100.12 ng/mL, but it reads below "250 nmol/L" (nurse14 #3): judged in
        # the unit entered, against the limit as laboratories write it there.
        ("249.9", []),
        ("250", []),
        ("250.01", [Severity.WARNING]),
        ("375", [Severity.WARNING]),
        ("375.01", [Severity.HIGH]),
    ],
)
def test_vitamin_d_high_in_nmol_at_its_limits(value: str, want: list[Severity]) -> None:
    entered = lab("2026-12-01", VITD, value, unit="nmol/L")
    assert _raised(_with(entered), AlertCode.VITAMIN_D_HIGH) == want


def test_a_high_vitamin_d_holds_vitamin_d_and_keeps_calcium_to_food() -> None:
    a = _with(lab("2026-12-01", VITD, "120"), lab("2026-12-01", CA, "2.40"))
    message, rules = _rec(a, RecommendationCode.CALCIUM_VITAMIN_D)
    assert message.startswith("Hold vitamin D supplements until the high vitamin D is reviewed")
    assert "from food only, no calcium supplement" in message
    assert rules == (RuleId.ALWAYS, RuleId.VITD_HIGH)
    assert not _raised(a, AlertCode.CALCIUM_HIGH)


def test_a_high_calcium_holds_a_vitamin_d_repletion() -> None:
    a = _with(lab("2026-12-01", VITD, "15"), lab("2026-12-01", CA, "2.80"))
    message, rules = _rec(a, RecommendationCode.REPLETE_VITAMIN_D)
    assert message.startswith("Vitamin D is low, but hold its repletion")
    assert RuleId.VITD in rules
    assert RuleId.CA_HIGH in rules
    assert _raised(a, AlertCode.VITAMIN_D_DEFICIENT)  # VITD itself unchanged


def test_an_old_high_result_is_not_on_file() -> None:
    a = _with(lab("2025-11-01", CA, "3.05"), lab("2025-11-01", VITD, "200"))
    assert not _raised(a, AlertCode.CALCIUM_HIGH)
    assert not _raised(a, AlertCode.VITAMIN_D_HIGH)
    assert _rec(a, RecommendationCode.CALCIUM_VITAMIN_D) == (TAKE_THEM, (RuleId.ALWAYS,))


def test_a_normal_result_keeps_the_advice_every_patient_gets() -> None:
    a = _with(lab("2026-12-01", CA, "2.40"), lab("2026-12-01", VITD, "45"))
    assert _rec(a, RecommendationCode.CALCIUM_VITAMIN_D) == (TAKE_THEM, (RuleId.ALWAYS,))


# --- Properties -------------------------------------------------------------------------------


@st.composite
def with_recent_results(draw: st.DrawFn) -> tuple[History, dt.date]:
    """Any history, with a calcium and a vitamin D dated within the 12 months before `as_of`,
    normal or high."""
    h = draw(histories())
    as_of = draw(as_of_dates)
    first = window_start(LAB_VALID_MONTHS, as_of)
    extra = [
        LabResult(
            date=draw(st.dates(min_value=first, max_value=as_of)),
            analyte=analyte,
            value=draw(st.decimals(Decimal(low), Decimal(high), places=2)),
        )
        for analyte, low, high in ((CA, "2.20", "3.80"), (VITD, "30", "200"))
    ]
    return dataclasses.replace(h, labs=(*h.labs, *extra)), as_of


@given(with_recent_results())
def test_a_high_result_never_yields_the_take_calcium_and_vitamin_d_advice(
    case: tuple[History, dt.date],
) -> None:
    h, as_of = case
    a = assess(h, as_of=as_of)
    ctx = build_context(h, as_of)
    calcium, vitamin_d = ctx.recent_lab(CA), ctx.recent_lab(VITD)
    assert calcium is not None
    assert vitamin_d is not None
    high_calcium = calcium.value.quantize(Decimal("0.01")) > CALCIUM_HIGH_ABOVE
    high_vitamin_d = vitamin_d.value.quantize(Decimal("0.01")) > VITD_HIGH_ABOVE
    assert bool(_raised(a, AlertCode.CALCIUM_HIGH)) is high_calcium
    assert bool(_raised(a, AlertCode.VITAMIN_D_HIGH)) is high_vitamin_d
    message, rules = _rec(a, RecommendationCode.CALCIUM_VITAMIN_D)
    if high_calcium or high_vitamin_d:
        assert message.startswith("Hold ")
        assert "vitamin D 800-1000 IU/day" not in message
        assert "Calcium 1000-1200" not in message
        assert bool({RuleId.CA_HIGH, RuleId.VITD_HIGH} & set(rules))
    else:
        assert not {RuleId.CA_HIGH, RuleId.VITD_HIGH} & set(rules)
    if high_calcium:
        assert "Hold calcium and vitamin D supplements" in message
        for rec in a.recommendations:
            if rec.code is RecommendationCode.REPLETE_VITAMIN_D:
                assert "hold its repletion" in rec.message
