"""Why bone-protective therapy is indicated, in plain words: one reason per TX trigger that fired.

The alert and the recommendation of section 2 said only the trigger ids ("Start an antiresorptive
(bisphosphonate or denosumab): TX-AI-T."), which a nurse cannot explain to a patient and which
reached the letter sent to the family doctor (nurse12 F8, F9). The ids stay in their `rules`, which
the pages link to the Rules page; the texts say what was found and the limit it passed.
"""

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
from ..types import SITE_NAMES, FraxResult, LowestTScore, RiskFactor, RuleId, Site
from .classification import recorded_fracture, vfa_fracture_scan
from .context import Context


def _on_ai(ctx: Context) -> str:
    return "on an aromatase inhibitor" if ctx.ai_active else "with an aromatase inhibitor planned"


def _site(site: Site) -> str:
    return SITE_NAMES[site].lower()


def _t_score(ctx: Context, lowest: LowestTScore, triggers: Sequence[RuleId]) -> str:
    """The lowest T-score and each limit it passed (TX-OSTEOPOROSIS, TX-AI-T), said once."""
    limits = []
    if RuleId.TX_OSTEOPOROSIS in triggers:
        limits.append(f"at or below {TX_T_OSTEOPOROSIS}")
    if RuleId.TX_AI_T in triggers:
        limits.append(f"below {TX_AI_T_BELOW}, {_on_ai(ctx)}")
    return f"lowest T-score {lowest.value} at the {_site(lowest.site)}, {' and '.join(limits)}"


def _fracture(ctx: Context) -> str:
    if recorded_fracture(ctx):
        day = ctx.history.patient.risk_factors.prior_fracture_date
        return "a prior fragility fracture" + (f" on {day.isoformat()}" if day else "")
    vfa = vfa_fracture_scan(ctx)
    if vfa is None:  # not reached: TX-FRACTURE fires on one or the other
        return "a prior fragility fracture"
    # Say where a fracture nobody ticked on the patient record comes from: a scan's VFA.
    return f"a vertebral fracture seen on the scan of {vfa.isoformat()}"


def _frax(frax: FraxResult) -> str:
    major, hip = round_1(frax.major_osteoporotic_pct), round_1(frax.hip_pct)
    parts = []
    if major >= FRAX_MAJOR_PCT:
        parts.append(f"major osteoporotic fracture {major} % (at least {FRAX_MAJOR_PCT} %)")
    if hip >= FRAX_HIP_PCT:
        parts.append(f"hip fracture {hip} % (at least {FRAX_HIP_PCT} %)")
    return f"FRAX of {frax.date.isoformat()}: 10-year risk of {' and '.join(parts)}"


def trigger_reasons(
    ctx: Context,
    triggers: Sequence[RuleId],
    *,
    lowest: LowestTScore | None,
    factors: Sequence[RiskFactor],
    frax: FraxResult | None,
    rapid_sites: Sequence[Site],
) -> str:
    """The reasons of the `triggers` that fired, in words, joined by "; "."""
    reasons: list[str] = []
    t_triggers = [t for t in triggers if t in (RuleId.TX_OSTEOPOROSIS, RuleId.TX_AI_T)]
    if t_triggers and lowest is not None:
        reasons.append(_t_score(ctx, lowest, t_triggers))
    if RuleId.TX_FRACTURE in triggers:
        reasons.append(_fracture(ctx))
    if RuleId.TX_FRAX in triggers and frax is not None:
        reasons.append(_frax(frax))
    if RuleId.TX_AI_RF in triggers:
        reasons.append(
            f"{len(factors)} risk factors (at least {TX_AI_MIN_RISK_FACTORS}), {_on_ai(ctx)}"
        )
    if RuleId.TX_RAPID in triggers:
        sites = ", ".join(_site(site) for site in rapid_sites)
        reasons.append(f"rapid bone loss at the {sites}" if sites else "rapid bone loss")
    return "; ".join(reasons)
