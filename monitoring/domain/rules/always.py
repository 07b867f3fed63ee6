"""Section 9: what every patient is told (ALWAYS)."""

from __future__ import annotations

from typing import Final

from ..catalogue import sources_of
from ..thresholds import CALCIUM_MG_PER_DAY, VITAMIN_D_IU_PER_DAY
from ..types import Recommendation, RecommendationCode, RuleId
from .context import Context


def _recommendation(code: RecommendationCode, message: str) -> Recommendation:
    rules = (RuleId.ALWAYS,)
    return Recommendation(code=code, message=message, rules=rules, sources=sources_of(rules))


# The same for every patient, and frozen: built once and shared by every assessment.
_CALCIUM_LOW, _CALCIUM_HIGH = CALCIUM_MG_PER_DAY
_VIT_D_LOW, _VIT_D_HIGH = VITAMIN_D_IU_PER_DAY
_CALCIUM_VITAMIN_D: Final = _recommendation(
    RecommendationCode.CALCIUM_VITAMIN_D,
    f"Calcium {_CALCIUM_LOW}-{_CALCIUM_HIGH} mg/day (diet first) and vitamin D "
    f"{_VIT_D_LOW}-{_VIT_D_HIGH} IU/day.",
)
_LIFESTYLE: Final = _recommendation(
    RecommendationCode.LIFESTYLE,
    "Weight-bearing and balance exercise; stop smoking; limit alcohol to under 3 units a day.",
)
_RECORD_FRAX: Final = _recommendation(
    RecommendationCode.RECORD_FRAX,
    "Record a FRAX score. Caveat: FRAX is not validated in cancer and does not model "
    "aromatase-inhibitor bone loss once BMD is entered.",
)


def always(ctx: Context) -> None:
    """Recommend calcium and vitamin D, lifestyle, and a FRAX score when none is on file."""
    ctx.recommendations.append(_CALCIUM_VITAMIN_D)
    ctx.recommendations.append(_LIFESTYLE)
    if not ctx.frax:
        ctx.recommendations.append(_RECORD_FRAX)
