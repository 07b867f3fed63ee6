"""Section 9: what every patient is told (ALWAYS)."""

from __future__ import annotations

from ..thresholds import CALCIUM_MG_PER_DAY, VITAMIN_D_IU_PER_DAY
from ..types import RecommendationCode, RuleId
from .context import Context


def always(ctx: Context) -> None:
    """Recommend calcium and vitamin D, lifestyle, and a FRAX score when none is on file."""
    rules = [RuleId.ALWAYS]
    calcium_low, calcium_high = CALCIUM_MG_PER_DAY
    vit_d_low, vit_d_high = VITAMIN_D_IU_PER_DAY
    ctx.recommend(
        RecommendationCode.CALCIUM_VITAMIN_D,
        f"Calcium {calcium_low}-{calcium_high} mg/day (diet first) and vitamin D "
        f"{vit_d_low}-{vit_d_high} IU/day.",
        rules,
    )
    ctx.recommend(
        RecommendationCode.LIFESTYLE,
        "Weight-bearing and balance exercise; stop smoking; limit alcohol to under 3 units a day.",
        rules,
    )
    if not ctx.frax:
        ctx.recommend(
            RecommendationCode.RECORD_FRAX,
            "Record a FRAX score. Caveat: FRAX is not validated in cancer and does not model "
            "aromatase-inhibitor bone loss once BMD is entered.",
            rules,
        )
