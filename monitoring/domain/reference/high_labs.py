"""Reference entries of the high calcium and vitamin D results (`rules/high_labs.py`)."""

from __future__ import annotations

from typing import Final

from .. import thresholds as th
from ..types import AlertCode, RecommendationCode, RuleId, Severity
from .model import RuleEntry, alert, num, rec

# The specification has no rule for a high result, and its ALWAYS rule advises calcium and vitamin
# D for every patient: these two are the project's own (the conservative reading), listed after
# the specification's labs and drug safety rules.
ENTRIES: Final = (
    RuleEntry(
        rule=RuleId.CA_HIGH,
        title="High calcium",
        checks="The project's own rule (the specification has no rule for a high result; the "
        "conservative reading). The latest albumin-adjusted calcium above the upper "
        f"reference limit, {num(th.CALCIUM_HIGH_ABOVE)} mmol/L: hypercalcaemia, which in "
        "breast cancer may come from bone metastases; a physician reviews it the same day (high). "
        f"Above {num(th.CALCIUM_SEVERE_ABOVE)} mmol/L it needs urgent correction "
        "(critical). While it is on file the calcium and vitamin D advice says to hold "
        "both supplements until the review, and a vitamin D repletion waits for it.",
        outputs=(
            alert(
                AlertCode.CALCIUM_HIGH,
                Severity.HIGH,
                f"above {num(th.CALCIUM_HIGH_ABOVE)} mmol/L",
            ),
            alert(
                AlertCode.CALCIUM_HIGH,
                Severity.CRITICAL,
                f"above {num(th.CALCIUM_SEVERE_ABOVE)} mmol/L",
            ),
            rec(
                RecommendationCode.CALCIUM_VITAMIN_D,
                "held: no calcium or vitamin D supplement until the review",
            ),
            rec(RecommendationCode.REPLETE_VITAMIN_D, "held until the review"),
        ),
        example="An adjusted calcium of 3.05 mmol/L on 2026-12-04: CALCIUM_HIGH (high), "
        "and the calcium and vitamin D advice holds both supplements.",
    ),
    RuleEntry(
        rule=RuleId.VITD_HIGH,
        title="High vitamin D",
        checks="The project's own rule (the specification has no rule for a high result; the "
        "conservative reading). The latest 25-OH vitamin D above "
        f"{num(th.VITD_HIGH_ABOVE)} ng/mL, the upper end of the range laboratories "
        "report as sufficient: hold vitamin D supplements, ask which vitamin D "
        f"products are taken and check the calcium (warning). Above "
        f"{num(th.VITD_TOXIC_ABOVE)} ng/mL, where the Endocrine Society 2011 guideline "
        "places vitamin D intoxication: a physician reviews it and the calcium is "
        "checked now (high). While it is on file the calcium and vitamin D advice holds "
        "vitamin D supplements and keeps calcium to food, without a supplement. A result "
        "entered in nmol/L is judged, as entered, against the same limits in nmol/L: above "
        f"{num(th.VITD_LIMITS_NMOL_L[th.VITD_HIGH_ABOVE])} and "
        f"{num(th.VITD_LIMITS_NMOL_L[th.VITD_TOXIC_ABOVE])} nmol/L (as VITD).",
        outputs=(
            alert(
                AlertCode.VITAMIN_D_HIGH,
                Severity.WARNING,
                f"above {num(th.VITD_HIGH_ABOVE)} ng/mL "
                f"({num(th.VITD_LIMITS_NMOL_L[th.VITD_HIGH_ABOVE])} nmol/L)",
            ),
            alert(
                AlertCode.VITAMIN_D_HIGH,
                Severity.HIGH,
                f"above {num(th.VITD_TOXIC_ABOVE)} ng/mL "
                f"({num(th.VITD_LIMITS_NMOL_L[th.VITD_TOXIC_ABOVE])} nmol/L)",
            ),
            rec(
                RecommendationCode.CALCIUM_VITAMIN_D,
                "held: no vitamin D supplement, calcium from food only",
            ),
        ),
        example="25-OH vitamin D entered as 420 nmol/L, above 375 nmol/L: VITAMIN_D_HIGH (high).",
    ),
)
