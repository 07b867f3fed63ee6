"""The T-score entry checks (nurse12 F1): a sign slip is asked about, a correct T-score never."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitoring.domain import Site
from monitoring.domain.score_checks import (
    ScoredBmd,
    t_score_change_problem,
    t_score_sign_problem,
)

CENTRAL = [Site.LUMBAR_SPINE, Site.TOTAL_HIP, Site.FEMORAL_NECK]
# Realistic female young-adult reference means per site, g/cm², the lowest published (Asian
# references, e.g. Ho-Pham 2011) to the highest (GE Lunar), and SDs.
MEANS = {
    Site.LUMBAR_SPINE: ("0.95", "1.20"),
    Site.TOTAL_HIP: ("0.88", "1.05"),
    Site.FEMORAL_NECK: ("0.78", "1.00"),
    Site.RADIUS_33: ("0.60", "0.75"),
}
EARLIER, LATER = date(2025, 12, 5), date(2026, 12, 5)


def _decimals(low: str, high: str, places: int) -> st.SearchStrategy[Decimal]:
    return st.decimals(min_value=Decimal(low), max_value=Decimal(high), places=places)


def _t(bmd: Decimal, mean: Decimal, sd: Decimal) -> Decimal:
    """The T-score a scanner shows: to one decimal."""
    return ((bmd - mean) / sd).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@st.composite
def _reference(
    draw: st.DrawFn, sites: list[Site], sd_low: str = "0.10", sd_high: str = "0.13"
) -> tuple[Site, Decimal, Decimal]:
    site = draw(st.sampled_from(sites))
    return site, draw(_decimals(*MEANS[site], 3)), draw(_decimals(sd_low, sd_high, 3))


@given(_reference(CENTRAL), _decimals("0.200", "2.000", 3))
def test_a_correctly_computed_t_score_is_never_asked_about(
    reference: tuple[Site, Decimal, Decimal], bmd: Decimal
) -> None:
    site, mean, sd = reference
    assert t_score_sign_problem(site, bmd, _t(bmd, mean, sd)) is None


@given(st.sampled_from(CENTRAL), _decimals("0.200", "0.799", 3), _decimals("-7.0", "-1.0", 1))
def test_a_sign_slip_of_one_or_more_below_0_80_is_always_asked_about(
    site: Site, bmd: Decimal, t: Decimal
) -> None:
    assert t_score_sign_problem(site, bmd, -t) is not None


@pytest.mark.parametrize(
    ("site", "bmd", "t"),
    [
        (Site.LUMBAR_SPINE, "0.700", "3.1"),
        (Site.TOTAL_HIP, "0.620", "2.6"),
        (Site.FEMORAL_NECK, "0.550", "2.9"),
    ],
)
def test_the_reported_sign_slips_are_asked_about_naming_the_sign(
    site: Site, bmd: str, t: str
) -> None:
    words = t_score_sign_problem(site, Decimal(bmd), Decimal(t))
    assert words == (
        f"BMD {bmd} g/cm² at the {site.name.lower().replace('_', ' ')} gives a T-score below "
        f"zero on every scanner's reference: check the sign of +{t}."
    )


@pytest.mark.parametrize(
    ("site", "bmd", "t", "asked"),
    [
        (Site.TOTAL_HIP, "0.620", "-2.6", False),  # the right sign
        (Site.TOTAL_HIP, "0.620", "0.0", False),  # not positive
        (Site.FEMORAL_NECK, "0.780", "0.4", False),  # (0.78 - 0.75) / 0.09 + 0.1 = 0.43
        (Site.FEMORAL_NECK, "0.780", "0.5", True),
        (Site.LUMBAR_SPINE, "1.300", "2.0", False),  # a high BMD, a high T-score
        (Site.LUMBAR_SPINE, "1.000", "2.5", True),  # at most (1.00 - 0.90) / 0.09 + 0.1 = 1.2
        (Site.RADIUS_33, "0.550", "2.9", False),  # not checked: no cited floor
    ],
)
def test_the_bound(site: Site, bmd: str, t: str, asked: bool) -> None:
    assert (t_score_sign_problem(site, Decimal(bmd), Decimal(t)) is not None) is asked


def test_a_high_t_score_above_the_floor_says_how_high_it_can_be() -> None:
    words = t_score_sign_problem(Site.LUMBAR_SPINE, Decimal("1.000"), Decimal("2.5"))
    assert words is not None
    assert "a T-score of at most +1.2 on any scanner's reference: check the sign of +2.5" in words


@given(
    _reference(list(MEANS), sd_low="0.08", sd_high="0.16"),
    _decimals("0.300", "1.600", 3),
    _decimals("-0.150", "0.150", 3),
)
def test_t_scores_computed_on_one_reference_always_agree_with_the_bmd_change(
    reference: tuple[Site, Decimal, Decimal], bmd: Decimal, change: Decimal
) -> None:
    site, mean, sd = reference
    if site == Site.RADIUS_33:
        sd = max(sd, Decimal("0.05"))
    later_bmd = max(bmd + change, Decimal("0.200"))
    earlier = ScoredBmd(EARLIER, bmd, _t(bmd, mean, sd))
    later = ScoredBmd(LATER, later_bmd, _t(later_bmd, mean, sd))
    assert t_score_change_problem(site, earlier, later) is None


@given(
    _reference(list(MEANS), sd_low="0.08", sd_high="0.16"),
    _decimals("0.300", "1.600", 3),
    _decimals("-0.005", "0.005", 3),
)
def test_a_t_score_whose_sign_flipped_at_about_the_same_bmd_is_asked_about(
    reference: tuple[Site, Decimal, Decimal], bmd: Decimal, change: Decimal
) -> None:
    site, mean, sd = reference
    t = _t(bmd, mean, sd)
    if abs(t) < Decimal("0.5"):
        t = Decimal("-0.5") if t <= 0 else Decimal("0.5")
    earlier = ScoredBmd(EARLIER, bmd, t)
    later = ScoredBmd(LATER, bmd + change, -t)
    assert t_score_change_problem(site, earlier, later) is not None


def test_the_reported_jump_names_both_scans() -> None:
    earlier = ScoredBmd(date(2026, 12, 5), Decimal("0.620"), Decimal("2.6"))
    later = ScoredBmd(date(2026, 12, 6), Decimal("0.620"), Decimal("-2.6"))
    assert t_score_change_problem(Site.TOTAL_HIP, earlier, later) == (
        "From the scan of 2026-12-05 to that of 2026-12-06 on this scanner, BMD went 0.620 → "
        "0.620 but the T-score +2.6 → -2.6: on one scanner an unchanged BMD leaves the T-score "
        "unchanged. Check both scans' values."
    )


@pytest.mark.parametrize(
    ("bmd", "t", "asked"),
    [
        ("0.950", "-1.5", True),  # opposite directions
        ("0.950", "-0.9", False),  # +0.038 g/cm²: +0.2 to +0.5, moved +0.3
        ("0.950", "-1.2", False),  # unmoved: 0.24 short of the range, within the allowance
        ("0.912", "-0.6", True),  # BMD unchanged, T-score +0.6
        ("0.912", "-0.7", False),  # +0.5: within the allowance
        ("1.012", "0.6", True),  # +0.100 g/cm² allows at most +1.25, and 0.5 more: +1.8
        ("1.012", "0.5", False),  # +1.7
    ],
)
def test_the_change_bound(bmd: str, t: str, asked: bool) -> None:
    earlier = ScoredBmd(EARLIER, Decimal("0.912"), Decimal("-1.2"))
    later = ScoredBmd(LATER, Decimal(bmd), Decimal(t))
    assert (t_score_change_problem(Site.LUMBAR_SPINE, earlier, later) is not None) is asked


def test_the_change_words_give_the_range_the_bmd_change_allows() -> None:
    earlier = ScoredBmd(EARLIER, Decimal("0.912"), Decimal("-1.2"))
    later = ScoredBmd(LATER, Decimal("0.950"), Decimal("-1.5"))
    words = t_score_change_problem(Site.LUMBAR_SPINE, earlier, later)
    assert words is not None
    assert "BMD went 0.912 → 0.950 but the T-score -1.2 → -1.5" in words
    assert "a BMD change of +0.038 g/cm² moves the T-score by +0.2 to +0.5" in words
