"""CA-LOW-OTHER: a low adjusted calcium where CA-LOW does not look, and the start-therapy advice
worded with any low calcium.

nurse10 F1: CA-LOW judges calcium only with zoledronic acid or denosumab planned, active or still
acting, so a patient on alendronate with an adjusted calcium of 1.90 mmol/L showed "No open
alerts", and one told to "start a bisphosphonate or denosumab" was never told to correct the
calcium first. The spec is silent on a low calcium outside CA-LOW; CA-LOW itself is kept as the
spec states it (HYPOCALCEMIA, critical). The conservative reading, kept apart from CA-LOW in
this module: the same limit (`CALCIUM_LOW_BELOW`) and the same 12-month window raise
`CALCIUM_LOW` wherever CA-LOW raises nothing, at a severity set by what the low calcium holds up:

- an oral bisphosphonate planned or active: high. Its label lists hypocalcaemia as a
  contraindication (section 4.3) and asks for it to be corrected before the drug is started
  (4.4): whether to hold the drug is a physician's decision, to be made now;
- bone-protective therapy indicated (the TX triggers) with no antiresorptive planned or active,
  so BONE_THERAPY_INDICATED (high) asks for one to be started: high, as the start it gates is
  itself a high alert, and every antiresorptive's label asks for hypocalcaemia to be corrected
  before it is started (contraindicated for the bisphosphonates);
- otherwise: warning (review soon). An abnormal result whose cause is to be found and corrected,
  which no drug waits on; a warning still reaches the worklist and the dashboard.

A stopped zoledronic acid or denosumab course that still acts is CA-LOW's (its critical alert
already says to correct the calcium), so the two never speak of one result twice.
"""

from __future__ import annotations

from ..rounding import round_2
from ..thresholds import CALCIUM_LOW_BELOW
from ..types import (
    ORAL_BISPHOSPHONATES,
    AlertCode,
    Analyte,
    LabResult,
    RuleId,
    Severity,
)
from .context import Context, CourseStatus
from .labs import ca_low_courses, drug_names


def low_calcium(ctx: Context) -> LabResult | None:
    """The latest adjusted calcium of the last 12 months when it is below the CA-LOW limit."""
    lab = ctx.recent_lab(Analyte.CALCIUM)
    if lab is None or round_2(lab.value) >= CALCIUM_LOW_BELOW:
        return None
    return lab


def judged_by_ca_low(ctx: Context) -> bool:
    """Tell whether CA-LOW judges the calcium (`labs.ca_low_courses`)."""
    return bool(ca_low_courses(ctx))


def calcium_first(ctx: Context) -> tuple[str, RuleId | None]:
    """The words that open START_BONE_THERAPY when the calcium is low, and the rule saying so
    (CA-LOW or CA-LOW-OTHER); ("", None) when it is not low. As GIVE_DENOSUMAB is worded beside
    HYPOCALCEMIA (drugs.CALCIUM_FIRST): correct it first, then start."""
    lab = low_calcium(ctx)
    if lab is None:
        return "", None
    ca_low = judged_by_ca_low(ctx)
    code = AlertCode.HYPOCALCEMIA if ca_low else AlertCode.CALCIUM_LOW
    words = (
        f"Correct the low calcium first ({code}: adjusted calcium {round_2(lab.value)} mmol/L on "
        f"{lab.date.isoformat()}, < {CALCIUM_LOW_BELOW}), then start the antiresorptive: every "
        "antiresorptive's label asks for hypocalcaemia to be corrected before it is started. "
    )
    return words, RuleId.CA_LOW if ca_low else RuleId.CA_LOW_OTHER


def calcium_beyond_ca_low(ctx: Context, *, therapy_indicated: bool) -> None:
    """CA-LOW-OTHER: `CALCIUM_LOW` for a low calcium that CA-LOW does not judge (module doc)."""
    if judged_by_ca_low(ctx):
        return
    lab = low_calcium(ctx)
    if lab is None:
        return
    result = (
        f"Adjusted calcium {round_2(lab.value)} mmol/L on {lab.date.isoformat()} "
        f"(< {CALCIUM_LOW_BELOW})"
    )
    oral = [
        t
        for t in ctx.therapies
        if t.drug in ORAL_BISPHOSPHONATES and t.status is not CourseStatus.STOPPED
    ]
    cause = "look for the cause (vitamin D deficiency among others) and check it again"
    if oral:
        drugs = drug_names(oral)
        planned = all(t.status is CourseStatus.PLANNED for t in oral)
        decision = (
            f"do not start {drugs} until it is corrected"
            if planned
            else f"decide whether to hold {drugs} until it is corrected"
        )
        severity = Severity.HIGH
        message = (
            f"{result}: hypocalcaemia is a contraindication of {drugs} (its label); {decision}; "
            f"{cause}."
        )
    elif therapy_indicated:  # and, as CA-LOW is silent, no antiresorptive planned or active
        severity = Severity.HIGH
        message = (
            f"{result}: correct it before starting the bone-protective therapy that is indicated "
            f"(every antiresorptive's label asks for that); {cause}."
        )
    else:
        severity = Severity.WARNING
        message = f"{result}: {cause}, and correct it."
    ctx.alert(AlertCode.CALCIUM_LOW, severity, message, [RuleId.CA_LOW_OTHER])
