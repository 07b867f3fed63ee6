"""CA-HIGH and VITD-HIGH: a high adjusted calcium or 25-OH vitamin D, and the calcium and vitamin D
advice held while one is on file.

nurse13 #1: an adjusted calcium of 3.05 mmol/L and a 25-OH vitamin D of 420 nmol/L (168 ng/mL)
were accepted, flagged nothing and raised no alert, while ALWAYS's CALCIUM_VITAMIN_D, both letters
and the summary went on advising calcium and vitamin D. The specification has no rule for a high
value (ALWAYS gives CALCIUM_VITAMIN_D to every patient). The conservative reading, kept apart from
the specification's rules in this module (thresholds and sources in `thresholds.py`):

- CA-HIGH: the latest adjusted calcium of the last 12 months above the upper reference limit
  raises `CALCIUM_HIGH`, high (a physician reviews it today: in breast cancer bone metastases are
  among the causes), critical above the level that needs urgent correction;
- VITD-HIGH: the latest 25-OH vitamin D of the last 12 months above the upper end of the usual
  range raises `VITAMIN_D_HIGH`, warning, high in the toxic range;
- while either is raised, CALCIUM_VITAMIN_D (still given to every patient, as ALWAYS says) holds
  the supplements instead of advising them: both with a high calcium, vitamin D (and a calcium
  supplement) with a high vitamin D; and with a high calcium a REPLETE_VITAMIN_D (VITD) waits for
  the physician's review. Each held recommendation carries the rule that holds it beside its own,
  so the pages and letters read the hold from the recommendation.

A low and a high calcium, or a low and a high vitamin D, never meet: one result is one or the
other, so CA-LOW, CA-LOW-OTHER and VITD keep their words.
"""

from __future__ import annotations

from dataclasses import replace

from ..catalogue import sources_of
from ..lab_limits import above, quoted, quoted_limit
from ..rounding import round_2
from ..thresholds import (
    CALCIUM_HIGH_ABOVE,
    CALCIUM_MG_PER_DAY,
    CALCIUM_SEVERE_ABOVE,
    VITD_HIGH_ABOVE,
    VITD_TOXIC_ABOVE,
)
from ..types import (
    AlertCode,
    Analyte,
    LabResult,
    Recommendation,
    RecommendationCode,
    RuleId,
    Severity,
)
from .context import Context


def high_calcium(ctx: Context) -> LabResult | None:
    """The latest adjusted calcium of the last 12 months when it is above `CALCIUM_HIGH_ABOVE`."""
    lab = ctx.recent_lab(Analyte.CALCIUM)
    if lab is None or round_2(lab.value) <= CALCIUM_HIGH_ABOVE:
        return None
    return lab


def high_vitamin_d(ctx: Context) -> LabResult | None:
    """The latest 25-OH vitamin D of the last 12 months when it is above `VITD_HIGH_ABOVE`."""
    lab = ctx.recent_lab(Analyte.VITAMIN_D_25OH)
    if lab is None or not above(lab, VITD_HIGH_ABOVE):
        return None
    return lab


def _calcium_quoted(lab: LabResult, *, opening: bool = False) -> str:
    adjusted = "Adjusted" if opening else "adjusted"
    return f"{adjusted} calcium {round_2(lab.value)} mmol/L on {lab.date.isoformat()}"


def _vitamin_d_quoted(lab: LabResult) -> str:
    """As entered, its limits then written in the same unit (`lab_limits`)."""
    return f"25-OH vitamin D {' '.join(quoted(lab))} on {lab.date.isoformat()}"


def calcium_high(ctx: Context) -> None:
    """CA-HIGH: `CALCIUM_HIGH` for a high adjusted calcium (module doc)."""
    lab = high_calcium(ctx)
    if lab is None:
        return
    if round_2(lab.value) > CALCIUM_SEVERE_ABOVE:
        severity = Severity.CRITICAL
        message = (
            f"{_calcium_quoted(lab, opening=True)} (> {CALCIUM_SEVERE_ABOVE}): severe "
            "hypercalcaemia (risk of dysrhythmia and coma): needs urgent assessment and "
            "correction today; hold calcium and vitamin D supplements."
        )
    else:
        severity = Severity.HIGH
        message = (
            f"{_calcium_quoted(lab, opening=True)} (> {CALCIUM_HIGH_ABOVE}): hypercalcaemia; a "
            "physician reviews it today (in breast cancer, bone metastases are among the "
            "causes); hold calcium and vitamin D supplements meanwhile."
        )
    ctx.alert(AlertCode.CALCIUM_HIGH, severity, message, [RuleId.CA_HIGH])


def vitamin_d_high(ctx: Context) -> None:
    """VITD-HIGH: `VITAMIN_D_HIGH` for a high 25-OH vitamin D (module doc)."""
    lab = high_vitamin_d(ctx)
    if lab is None:
        return
    if above(lab, VITD_TOXIC_ABOVE):
        severity = Severity.HIGH
        message = (
            f"{_vitamin_d_quoted(lab)} (> {quoted_limit(lab, VITD_TOXIC_ABOVE)}): in the toxic "
            "range; hold vitamin D "
            "and calcium supplements, check the calcium now; a physician reviews it."
        )
    else:
        severity = Severity.WARNING
        message = (
            f"{_vitamin_d_quoted(lab)} (> {quoted_limit(lab, VITD_HIGH_ABOVE)}): above the usual "
            "range; hold "
            "vitamin D supplements, ask which vitamin D products are taken and check the calcium."
        )
    ctx.alert(AlertCode.VITAMIN_D_HIGH, severity, message, [RuleId.VITD_HIGH])


def _held(rec: Recommendation, message: str, rule: RuleId) -> Recommendation:
    rules = (*rec.rules, rule)
    return replace(rec, message=message, rules=rules, sources=sources_of(rules))


_CALCIUM_LOW, _CALCIUM_HIGH = CALCIUM_MG_PER_DAY


def hold_supplements(ctx: Context) -> None:
    """Hold the calcium and vitamin D advice while a high result is on file (module doc): run
    after ALWAYS and VITD have recommended."""
    calcium = high_calcium(ctx)
    vitamin_d = high_vitamin_d(ctx)
    if calcium is None and vitamin_d is None:
        return
    recs = ctx.recommendations
    for index, rec in enumerate(recs):
        if rec.code is RecommendationCode.CALCIUM_VITAMIN_D and calcium is not None:
            recs[index] = _held(
                rec,
                "Hold calcium and vitamin D supplements until a physician has reviewed the high "
                f"calcium ({AlertCode.CALCIUM_HIGH}: {_calcium_quoted(calcium)}, > "
                f"{CALCIUM_HIGH_ABOVE}); no supplement of either until then.",
                RuleId.CA_HIGH,
            )
        elif rec.code is RecommendationCode.CALCIUM_VITAMIN_D and vitamin_d is not None:
            recs[index] = _held(
                rec,
                "Hold vitamin D supplements until the high vitamin D is reviewed "
                f"({AlertCode.VITAMIN_D_HIGH}: {_vitamin_d_quoted(vitamin_d)}, > "
                f"{quoted_limit(vitamin_d, VITD_HIGH_ABOVE)}); "
                f"calcium {_CALCIUM_LOW}-{_CALCIUM_HIGH} mg/day from food only, no calcium "
                "supplement until then.",
                RuleId.VITD_HIGH,
            )
        elif rec.code is RecommendationCode.REPLETE_VITAMIN_D and calcium is not None:
            recs[index] = _held(
                rec,
                f"Vitamin D is low, but hold its repletion until a physician has reviewed the high "
                f"calcium ({AlertCode.CALCIUM_HIGH}: {_calcium_quoted(calcium)}, > "
                f"{CALCIUM_HIGH_ABOVE}).",
                RuleId.CA_HIGH,
            )
