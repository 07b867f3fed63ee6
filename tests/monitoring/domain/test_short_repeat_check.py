"""The entry check of a BMD change within days (nurse13 #2): two scans on one scanner fewer than
`SHORT_REPEAT_DAYS` apart whose BMD differs by at least the LSC are asked about; a change below
the LSC, or scans further apart (a follow-up), never."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitoring.domain.score_checks import ScoredBmd, short_repeat_change_problem
from monitoring.domain.thresholds import LSC_RANGE, SHORT_REPEAT_DAYS

FIRST = date(2026, 12, 1)
T = Decimal("-1.0")  # not read by this check
LSC = Decimal("0.030")


def _pair(days: int, bmd: Decimal, change: Decimal) -> tuple[ScoredBmd, ScoredBmd]:
    return ScoredBmd(FIRST, bmd, T), ScoredBmd(FIRST + timedelta(days=days), bmd + change, T)


bmds = st.decimals(min_value=Decimal("0.400"), max_value=Decimal("1.500"), places=3)
changes = st.decimals(min_value=Decimal("-0.300"), max_value=Decimal("0.300"), places=3)
lscs = st.decimals(min_value=LSC_RANGE[0], max_value=LSC_RANGE[1], places=3)


@given(st.integers(SHORT_REPEAT_DAYS, 3650), bmds, changes, lscs)
def test_scans_at_least_the_limit_apart_are_never_asked_about(
    days: int, bmd: Decimal, change: Decimal, lsc: Decimal
) -> None:
    """A follow-up scan, however large its change: the rules judge it (CHG-LSC, CHG-RAPID)."""
    assert short_repeat_change_problem(*_pair(days, bmd, change), lsc) is None


@given(st.integers(0, SHORT_REPEAT_DAYS - 1), bmds, changes, lscs)
def test_a_change_below_the_lsc_is_never_asked_about(
    days: int, bmd: Decimal, change: Decimal, lsc: Decimal
) -> None:
    if abs(change) >= lsc:
        change = (lsc - Decimal("0.001")) * (1 if change >= 0 else -1)
    assert short_repeat_change_problem(*_pair(days, bmd, change), lsc) is None


@given(st.integers(1, SHORT_REPEAT_DAYS - 1), bmds, changes, lscs)
def test_a_change_of_at_least_the_lsc_within_the_limit_is_asked_about_naming_both_scans(
    days: int, bmd: Decimal, change: Decimal, lsc: Decimal
) -> None:
    if abs(change) < lsc:
        change = lsc if change >= 0 else -lsc
    earlier, later = _pair(days, bmd, change)
    words = short_repeat_change_problem(earlier, later, lsc)
    assert words is not None
    assert f"From the scan of {FIRST:%Y-%m-%d} to that of {later.day:%Y-%m-%d}" in words
    assert f"BMD went {earlier.bmd} → {later.bmd} g/cm²" in words
    assert f"({change:+} g/cm², " in words
    assert f"least significant change (LSC) of {lsc} g/cm²" in words


def test_the_reported_repeat_five_days_later_names_the_earlier_scan_and_the_change() -> None:
    earlier = ScoredBmd(date(2026, 12, 1), Decimal("0.912"), Decimal("-2.0"))
    later = ScoredBmd(date(2026, 12, 6), Decimal("0.850"), Decimal("-2.5"))
    assert short_repeat_change_problem(earlier, later, LSC) == (
        "From the scan of 2026-12-01 to that of 2026-12-06 on this scanner, 5 days apart, BMD "
        "went 0.912 → 0.850 g/cm² (-0.062 g/cm², -6.8 %), at or beyond the site's least "
        "significant change (LSC) of 0.030 g/cm². Bone does not change that much in less than "
        "90 days: this is usually a repeated scan, a positioning or analysis difference or a "
        "typing slip. Check both scans' values."
    )


@pytest.mark.parametrize(
    ("days", "change", "asked"),
    [
        (SHORT_REPEAT_DAYS - 1, "-0.030", True),  # at the LSC, a day inside the limit
        (SHORT_REPEAT_DAYS, "-0.030", False),  # at the limit: a follow-up
        (1, "-0.029", False),  # below the LSC: a repeat agreeing within precision
        (1, "0.030", True),  # a gain as much as a loss
        (365, "-0.062", False),  # the one-year follow-up
    ],
)
def test_the_bounds(days: int, change: str, asked: bool) -> None:
    pair = _pair(days, Decimal("0.912"), Decimal(change))
    assert (short_repeat_change_problem(*pair, LSC) is not None) is asked


def test_one_day_is_one_day() -> None:
    words = short_repeat_change_problem(*_pair(1, Decimal("0.912"), Decimal("0.040")), LSC)
    assert words is not None
    assert "on this scanner, 1 day apart," in words
