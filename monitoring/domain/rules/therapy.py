"""Sections 2 and 3: therapy triggers (TX-*) and the risk category (RISK-*)."""

from __future__ import annotations

from collections.abc import Sequence

from ..rounding import round_1
from ..thresholds import (
    FRAX_HIP_PCT,
    FRAX_MAJOR_PCT,
    TX_AI_MIN_RISK_FACTORS,
    TX_AI_T_BELOW,
    TX_T_OSTEOPOROSIS,
)
from ..types import (
    AlertCode,
    FraxResult,
    LowestTScore,
    RecommendationCode,
    RiskCategory,
    RiskFactor,
    RuleId,
    Severity,
    Site,
)
from .classification import fragility_fracture
from .context import Context
from .denosumab_stop import follow_on_stands
from .labs import antiresorptive_start_words, bisphosphonate_kidney_words
from .low_calcium import calcium_first
from .therapy_reasons import trigger_reasons
from .vitamin_d_first import vitamin_d_first


def latest_frax(ctx: Context) -> FraxResult | None:
    """Return the latest FRAX result; on the same date one with BMD wins over one without."""
    if not ctx.frax:
        return None
    return max(ctx.frax, key=lambda f: (f.date, f.with_bmd))


def therapy_triggers(
    ctx: Context,
    lowest: LowestTScore | None,
    factors: Sequence[RiskFactor],
    rapid_loss: bool,
) -> tuple[RuleId, ...]:
    """Return the TX rule ids that fire, sorted."""
    fired: list[RuleId] = []
    if lowest is not None and lowest.value <= TX_T_OSTEOPOROSIS:
        fired.append(RuleId.TX_OSTEOPOROSIS)
    if fragility_fracture(ctx):
        fired.append(RuleId.TX_FRACTURE)
    frax = latest_frax(ctx)
    if frax is not None and (
        round_1(frax.major_osteoporotic_pct) >= FRAX_MAJOR_PCT
        or round_1(frax.hip_pct) >= FRAX_HIP_PCT
    ):
        fired.append(RuleId.TX_FRAX)
    if ctx.ai_planned_or_active:
        if lowest is not None and lowest.value < TX_AI_T_BELOW:
            fired.append(RuleId.TX_AI_T)
        if len(factors) >= TX_AI_MIN_RISK_FACTORS:
            fired.append(RuleId.TX_AI_RF)
    if rapid_loss:
        fired.append(RuleId.TX_RAPID)
    return tuple(sorted(fired))


def recommend_therapy(
    ctx: Context,
    triggers: tuple[RuleId, ...],
    *,
    lowest: LowestTScore | None,
    factors: Sequence[RiskFactor],
    rapid_sites: Sequence[Site],
) -> None:
    """Raise BONE_THERAPY_INDICATED and its recommendations when nothing is active or planned;
    their texts give the reasons in words (`therapy_reasons`), their `rules` the trigger ids."""
    if not triggers or ctx.antiresorptive_planned_or_active:
        return
    reasons = trigger_reasons(
        ctx,
        triggers,
        lowest=lowest,
        factors=factors,
        frax=latest_frax(ctx),
        rapid_sites=rapid_sites,
    )
    # After denosumab the antiresorptive to start is DMAB-STOP's bisphosphonate follow-on: its
    # START_FOLLOW_ON_THERAPY is the one start advice and names these triggers (denosumab_stop).
    follow_on = follow_on_stands(ctx)
    start = (
        "start the bisphosphonate follow-on after the stopped denosumab"
        if follow_on
        else antiresorptive_start_words(ctx)  # phys13 F7: as kidney function leaves them
    )
    ctx.alert(
        AlertCode.BONE_THERAPY_INDICATED,
        Severity.HIGH,
        f"Bone-protective therapy is indicated: {reasons}. No antiresorptive is active or "
        f"planned: {start}.",
        triggers,
    )
    ctx.recommend(
        RecommendationCode.DENTAL_REVIEW,
        "Arrange a dental review before starting the antiresorptive (osteonecrosis of the jaw).",
        triggers,
    )
    if follow_on:
        return
    kidney = bisphosphonate_kidney_words(ctx)  # physician8 D8: said with the advice
    # nurse10 F1: a low calcium is corrected before the start (rules/low_calcium.py); its rule
    # joins the triggers, as CA-LOW joins GIVE_DENOSUMAB's, so the pages and letters word it.
    first, calcium_rule = calcium_first(ctx)
    # phys13 #5: a deficient vitamin D likewise (rules/vitamin_d_first.py).
    replete, vitamin_d_rule = vitamin_d_first(ctx)
    ctx.recommend(
        RecommendationCode.START_BONE_THERAPY,
        f"{first}{replete}Start an antiresorptive (bisphosphonate or denosumab): {reasons}."
        + (f" {kidney}" if kidney else ""),
        [*triggers, *(rule for rule in (calcium_rule, vitamin_d_rule) if rule)],
    )


def risk_category(
    *,
    triggers: Sequence[RuleId],
    has_scan: bool,
    factors: Sequence[RiskFactor],
    significant_loss: bool,
) -> RiskCategory:
    """Apply RISK-HIGH, RISK-UNKNOWN, RISK-MODERATE and RISK-LOW, in that order."""
    if triggers:
        return RiskCategory.HIGH
    if not has_scan:
        return RiskCategory.UNKNOWN
    if factors or significant_loss:
        return RiskCategory.MODERATE
    return RiskCategory.LOW
