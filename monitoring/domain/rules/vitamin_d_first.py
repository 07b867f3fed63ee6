"""The start-therapy advice worded with a deficient vitamin D, as it is with a low calcium
(`low_calcium.calcium_first`).

phys13 #5: with therapy indicated (T -2.6) and a 25-OH vitamin D of 8 ng/mL (20 nmol/L), the
advice read "Start an antiresorptive (bisphosphonate or denosumab)", while a low calcium opened it
with "correct the calcium first". VITD makes a deficiency high once zoledronic acid or denosumab
is planned (hypocalcaemia risk: their labels ask for calcium and vitamin D to be made adequate
before the start); before anything is planned it is a warning, and the spec is silent on the start
advice beside it. The conservative reading: the advice to start an antiresorptive opens with
repleting vitamin D and checking the calcium before zoledronic acid or denosumab is started, its
rule (VITD) joining the advice's as CA-LOW's does, so the pages and letters word it.

The spec names no loading dose and no severe-deficiency level (VITD has one limit, < 20 ng/mL):
the words say "a repletion course" and name no dose; the maintenance dose stays ALWAYS's.

After denosumab (DMAB-STOP's follow-on) the start has a deadline of its own (rebound vertebral
fractures): the repletion is started now and the calcium checked before the infusion, as
GIVE_DENOSUMAB is worded beside a deficiency (`drugs.give_denosumab`), not put first.
"""

from __future__ import annotations

from ..lab_limits import below, quoted, quoted_limit
from ..thresholds import VITD_DEFICIENT_BELOW
from ..types import AlertCode, Analyte, LabResult, RuleId
from .context import Context
from .labs import BEFORE_PARENTERAL_START


def deficient_vitamin_d(ctx: Context) -> LabResult | None:
    """The latest 25-OH vitamin D of the last 12 months when VITD calls it deficient."""
    lab = ctx.recent_lab(Analyte.VITAMIN_D_25OH)
    if lab is None or not below(lab, VITD_DEFICIENT_BELOW):
        return None
    return lab


def vitamin_d_first(ctx: Context, *, follow_on: bool = False) -> tuple[str, RuleId | None]:
    """The words that open the advice to start an antiresorptive when vitamin D is deficient,
    and the rule saying so (VITD); ("", None) when it is not. `follow_on`: the advice is
    DMAB-STOP's follow-on after denosumab (module doc)."""
    lab = deficient_vitamin_d(ctx)
    if lab is None:
        return "", None
    result = (
        f"({AlertCode.VITAMIN_D_DEFICIENT}: 25-OH vitamin D {' '.join(quoted(lab))} on "
        f"{lab.date.isoformat()}, < {quoted_limit(lab, VITD_DEFICIENT_BELOW)})"
    )
    if follow_on:
        words = (
            f"Start repleting the deficient vitamin D now {result} and check the calcium before "
            "a zoledronic acid infusion (hypocalcaemia risk), so the follow-on is not delayed. "
        )
    else:
        words = (
            f"Replete the deficient vitamin D first {result} and check the calcium "
            f"{BEFORE_PARENTERAL_START} (hypocalcaemia risk). "
        )
    return words, RuleId.VITD
