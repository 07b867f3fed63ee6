"""Whether a T-score can be right for its BMD: the one statement of the entry checks (nurse12 F1).

A T-score typed without its minus sign made an osteoporotic patient "Normal" and removed her
therapy alert. Two checks catch it, each from T = (BMD - young-adult mean) / young-adult SD:

- `t_score_sign_problem`: a positive T-score higher than any scanner's reference gives for the
  BMD (`thresholds.T_REFERENCE_MEAN_FLOOR`, `T_REFERENCE_SD_FLOOR`);
- `t_score_change_problem`: between two scans of one site on one scanner (one reference), a
  T-score that moved against the BMD, or by more than `T_CHANGE_ALLOWANCE` beyond what the BMD
  change allows (`T_CHANGE_SD_RANGE`).

A third asks about the BMD itself (nurse13 #2: two scans 5 days apart read as "rapid loss,
therapy indicated"): `short_repeat_change_problem`, a change of at least the site's LSC (what
CHG-LSC calls significant) between two scans on one scanner fewer than `SHORT_REPEAT_DAYS` apart.
Bone does not change that fast; a repeat acquisition, a positioning or analysis difference or a
typing slip does. CHG-RAPID is left as the specification states it: a confirmed value is judged.

Each returns the words for the person entering the values, or None. They ask for a confirmation,
never refuse: a genuinely unusual value is saved once its entry is confirmed. Z-scores are not
checked: they compare with the patient's age group, whose mean BMD falls with age (an elderly
woman's hip BMD of 0.62 g/cm² can have a Z-score above zero) and moves between two scans as
she ages, so neither bound holds for them.
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from . import thresholds as th
from .types import SITE_NAMES, Site

TENTH = Decimal("0.1")
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class ScoredBmd:
    """One site's BMD (g/cm²) and T-score on one scan's day."""

    day: date
    bmd: Decimal
    t_score: Decimal


def signed(value: Decimal) -> str:
    """A score with its sign, as a clinician reads it: +2.6, -2.6, 0.0 (never "-0.0", which a
    negative change rounded to tenths gives: nurse14 #11)."""
    return f"{value:+}" if value else f"{abs(value)}"


def highest_t_score(site: Site, bmd: Decimal) -> Decimal | None:
    """The highest T-score any scanner's reference gives for `bmd` at `site` (rounding
    allowed); None for a site not checked (the 1/3 radius)."""
    floor = th.T_REFERENCE_MEAN_FLOOR.get(site)
    if floor is None:
        return None
    return (bmd - floor) / th.T_REFERENCE_SD_FLOOR + th.T_SCORE_ROUNDING


def t_score_sign_problem(site: Site, bmd: Decimal, t_score: Decimal) -> str | None:
    """Why a positive `t_score` cannot be right for `bmd` at `site`, if it cannot."""
    highest = highest_t_score(site, bmd)
    if highest is None or t_score <= 0 or t_score <= highest:
        return None
    if highest < TENTH:
        gives = "a T-score below zero on every scanner's reference"
    else:
        at_most = highest.quantize(TENTH, rounding=ROUND_FLOOR)
        gives = f"a T-score of at most {signed(at_most)} on any scanner's reference"
    return (
        f"BMD {bmd} g/cm² at the {SITE_NAMES[site].lower()} gives {gives}: check the sign of "
        f"{signed(t_score)}."
    )


def expected_t_change(site: Site, bmd_change: Decimal) -> tuple[Decimal, Decimal]:
    """The T-score change a BMD change gives on one reference, lowest and highest."""
    low_sd, high_sd = th.T_CHANGE_SD_RANGE[site]
    ends = (bmd_change / high_sd, bmd_change / low_sd)
    return min(ends), max(ends)


def t_score_change_problem(site: Site, earlier: ScoredBmd, later: ScoredBmd) -> str | None:
    """Why the T-scores of two scans of `site` on one scanner disagree with their BMDs, if they
    do: moved in opposite directions, or by more than the allowance beyond what the BMD change
    gives. The words name both scans' values."""
    bmd_change = later.bmd - earlier.bmd
    t_change = later.t_score - earlier.t_score
    low, high = expected_t_change(site, bmd_change)
    opposite = bmd_change * t_change < 0
    beyond = not (low - th.T_CHANGE_ALLOWANCE <= t_change <= high + th.T_CHANGE_ALLOWANCE)
    if not (opposite or beyond):
        return None
    if bmd_change:
        allows = (
            f"a BMD change of {signed(bmd_change)} g/cm² moves the T-score by "
            f"{signed(low.quantize(TENTH))} to {signed(high.quantize(TENTH))}"
        )
    else:
        allows = "an unchanged BMD leaves the T-score unchanged"
    return (
        f"From the scan of {earlier.day:%Y-%m-%d} to that of {later.day:%Y-%m-%d} on this "
        f"scanner, BMD went {earlier.bmd} → {later.bmd} but the T-score "
        f"{signed(earlier.t_score)} → {signed(later.t_score)}: on one scanner {allows}. "
        "Check both scans' values."
    )


def days_words(days: int) -> str:
    """ "1 day", "5 days"."""
    return f"{days} day" if days == 1 else f"{days} days"


def short_repeat_change_problem(earlier: ScoredBmd, later: ScoredBmd, lsc: Decimal) -> str | None:
    """Why the BMD change of one site between two scans on one scanner is asked about, if it is:
    at least `lsc` (the site's LSC on that scanner: significant, as CHG-LSC judges it) while
    the scans are fewer than `SHORT_REPEAT_DAYS` apart. The words name the earlier scan's date
    and value, the later one's and the change, in g/cm² and in per cent as CHG-ANNUAL gives it."""
    days = (later.day - earlier.day).days
    change = later.bmd - earlier.bmd
    if abs(days) >= th.SHORT_REPEAT_DAYS or abs(change) < lsc:
        return None
    pct = (change / earlier.bmd * HUNDRED).quantize(TENTH, ROUND_HALF_UP)
    return (
        f"From the scan of {earlier.day:%Y-%m-%d} to that of {later.day:%Y-%m-%d} on this "
        f"scanner, {days_words(abs(days))} apart, BMD went {earlier.bmd} → {later.bmd} g/cm² "
        f"({signed(change)} g/cm², {signed(pct)} %), at or beyond the site's least significant "
        f"change (LSC) of {lsc} g/cm². Bone does not change that much in less than "
        f"{th.SHORT_REPEAT_DAYS} days: this is usually a repeated scan, a positioning or "
        "analysis difference or a typing slip. Check both scans' values."
    )
