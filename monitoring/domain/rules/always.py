"""Section 9: what every patient is told (ALWAYS)."""

from __future__ import annotations

from typing import Final

from ..catalogue import sources_of
from ..frax_scope import frax_not_applicable
from ..rounding import round_2
from ..thresholds import CALCIUM_LOW_BELOW, CALCIUM_MG_PER_DAY, VITAMIN_D_IU_PER_DAY
from ..types import (
    AlertCode,
    Analyte,
    Recommendation,
    RecommendationCode,
    RiskFactors,
    RuleId,
    Smoking,
)
from .context import Context


def _recommendation(
    code: RecommendationCode, message: str, rules: tuple[RuleId, ...] = (RuleId.ALWAYS,)
) -> Recommendation:
    return Recommendation(code=code, message=message, rules=rules, sources=sources_of(rules))


# The same for every patient, and frozen: built once and shared by every assessment.
_CALCIUM_LOW, _CALCIUM_HIGH = CALCIUM_MG_PER_DAY
_VIT_D_LOW, _VIT_D_HIGH = VITAMIN_D_IU_PER_DAY
_CALCIUM_INTAKE: Final = f"Calcium {_CALCIUM_LOW}-{_CALCIUM_HIGH} mg/day (diet first)"
_VITAMIN_D_INTAKE: Final = f"vitamin D {_VIT_D_LOW}-{_VIT_D_HIGH} IU/day"
_CALCIUM_VITAMIN_D: Final = _recommendation(
    RecommendationCode.CALCIUM_VITAMIN_D, f"{_CALCIUM_INTAKE} and {_VITAMIN_D_INTAKE}."
)
# LIFESTYLE's words by the smoking and alcohol recorded (`lifestyle_words`).
_EXERCISE: Final = "Weight-bearing and balance exercise"
_SMOKING_WORDS: Final = {Smoking.CURRENT: "stop smoking", Smoking.FORMER: "stay off smoking"}
_ALCOHOL_WORDS: Final = (
    "keep alcohol under 3 units a day",
    "cut alcohol to under 3 units a day (3 or more recorded)",
)
_RECORD_FRAX: Final = _recommendation(
    RecommendationCode.RECORD_FRAX,
    "Record a FRAX score. Caveat: FRAX is not validated in cancer and does not model "
    "aromatase-inhibitor bone loss once BMD is entered.",
)


def _record_frax(ctx: Context) -> Recommendation:
    """RECORD_FRAX: ask for a score, or, for a patient FRAX is not made for (under 40, or a
    premenopausal woman: `frax_scope`), say why it does not apply, with the same code and rule."""
    patient = ctx.history.patient
    withheld = frax_not_applicable(
        sex=patient.sex, menopausal_status=patient.menopausal_status, age=ctx.age
    )
    if withheld is None:
        return _RECORD_FRAX
    return _recommendation(RecommendationCode.RECORD_FRAX, withheld)


# The calcium alerts and the rule of each (CA-LOW's for zoledronic acid or denosumab, CA-LOW-OTHER's
# elsewhere: the two never both speak of one result).
_LOW_CALCIUM_RULES: Final = (
    (AlertCode.HYPOCALCEMIA, RuleId.CA_LOW),
    (AlertCode.CALCIUM_LOW, RuleId.CA_LOW_OTHER),
)


def _calcium_vitamin_d(ctx: Context) -> Recommendation:
    """CALCIUM_VITAMIN_D, worded with this patient's calcium and vitamin D results.

    The spec gives the daily doses for every patient and is silent on the line beside a low
    result. The conservative readings (phys13):
    - #5: beside REPLETE_VITAMIN_D (VITD, below 30 ng/mL) the line named only the maintenance
      dose (800-1000 IU/day) for a patient to be repleted. It now says that repletion comes
      first, then that dose; the spec and its sources fix no loading dose, so none is named.
    - #10: a low adjusted calcium (HYPOCALCEMIA, critical, or CALCIUM_LOW) raised no advice to
      correct it on the patient page, while the worklist asks to "correct it and check it
      again". The line opens with that, quoting the result; no recheck date, as the spec gives
      no interval for a calcium.
    The rules of those alerts join ALWAYS's, so the pages rank the line with them and link them.
    """
    rules = [RuleId.ALWAYS]
    parts = []
    low = [(code, rule) for code, rule in _LOW_CALCIUM_RULES if ctx.raised(code)]
    calcium = ctx.recent_lab(Analyte.CALCIUM)
    if low and calcium is not None:
        code, rule = low[0]
        rules.append(rule)
        parts.append(
            f"Correct the low calcium and check it again ({code}: adjusted calcium "
            f"{round_2(calcium.value)} mmol/L on {calcium.date.isoformat()}, < "
            f"{CALCIUM_LOW_BELOW})."
        )
    repleting = any(r.code is RecommendationCode.REPLETE_VITAMIN_D for r in ctx.recommendations)
    if repleting:
        rules.append(RuleId.VITD)
        parts.append(
            f"{_CALCIUM_INTAKE}; vitamin D: a repletion course first, then "
            f"{_VIT_D_LOW}-{_VIT_D_HIGH} IU/day to maintain."
        )
    else:
        parts.append(_CALCIUM_VITAMIN_D.message)
    if len(rules) == 1:
        return _CALCIUM_VITAMIN_D
    return _recommendation(RecommendationCode.CALCIUM_VITAMIN_D, " ".join(parts), tuple(rules))


def lifestyle_words(factors: RiskFactors) -> str:
    """LIFESTYLE's text, worded with the smoking and alcohol recorded (nurse13 #17: "stop
    smoking" was told to women who never smoked). The spec gives the advice for every patient
    (weight-bearing exercise; stop smoking; limit alcohol) and leaves its wording open: "stop
    smoking" only to a current smoker, "stay off smoking" to a former one, nothing of smoking to
    one who never smoked; alcohol always, as a limit kept or to be reached."""
    parts = [_EXERCISE]
    if factors.smoking in _SMOKING_WORDS:
        parts.append(_SMOKING_WORDS[factors.smoking])
    parts.append(_ALCOHOL_WORDS[factors.alcohol_3_or_more_units_daily])
    return "; ".join(parts) + "."


def always(ctx: Context) -> None:
    """Recommend calcium and vitamin D, lifestyle, and a FRAX score when none is on file (or say
    why FRAX does not apply, `_record_frax`)."""
    ctx.recommendations.append(_calcium_vitamin_d(ctx))
    ctx.recommendations.append(
        _recommendation(
            RecommendationCode.LIFESTYLE, lifestyle_words(ctx.history.patient.risk_factors)
        )
    )
    if not ctx.frax:
        ctx.recommendations.append(_record_frax(ctx))
