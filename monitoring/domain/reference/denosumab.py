"""Reference entries of the project's own denosumab rules (phys14 #5, #6, #8): a late injection,
the follow-on infusion's turnover check and the end of the aromatase inhibitor. The specification
is silent on all three; each is the conservative reading, listed after DMAB-STOP."""

from __future__ import annotations

from typing import Final

from .. import thresholds as th
from ..types import AlertCode, RecommendationCode, RuleId, Severity
from .model import RuleEntry, alert, rec

_LONG_YEARS = f"{th.DENOSUMAB_LONG_COURSE_MONTHS / 12:g}"
_FIRST_CTX, _SECOND_CTX = th.FOLLOW_ON_CTX_MONTHS

ENTRIES: Final = (
    RuleEntry(
        rule=RuleId.DMAB_LATE_VFA,
        title="Vertebral fracture assessment after a late denosumab injection",
        checks="The project's own rule (the specification is silent; the conservative "
        "reading). A denosumab injection given more than "
        f"{th.DENOSUMAB_OVERDUE_MAX_DAYS_LATE} days after it was due (the injection before it "
        f"+ {th.DENOSUMAB_INTERVAL_MONTHS} months; a restart after a lapse counts from its "
        "start) leaves a window in which the rebound may already have caused vertebral "
        "fractures, often silent; DENOSUMAB_REBOUND_RISK clears the day it is given. Recommend "
        "a vertebral fracture assessment (a VFA with the DEXA, or a spine X-ray) until a scan "
        "dated on or after that injection records a VFA reading (an indeterminate one asks for "
        "the X-ray) or a fragility fracture dated on or after it is on file, which the therapy "
        "rules then act on. A bisphosphonate given within the gap (a follow-on, then denosumab "
        "again) means no rebound window. The DEXA request asks for a VFA while it stands.",
        outputs=(
            rec(
                RecommendationCode.VERTEBRAL_FRACTURE_ASSESSMENT,
                "an injection more than "
                f"{th.DENOSUMAB_OVERDUE_MAX_DAYS_LATE} days late, no VFA read since",
            ),
        ),
        example="Injections 2025-01-10 and 2025-12-01 (due 2025-07-10, 144 days late), no VFA "
        "since: a vertebral fracture assessment is recommended.",
    ),
    RuleEntry(
        rule=RuleId.DMAB_FOLLOW_ON_CTX,
        title="Bone turnover after the zoledronic acid follow-on",
        checks="The project's own rule (the specification is silent; the conservative "
        f"reading). After {_LONG_YEARS} years or more of denosumab (from the first injection to "
        f"{th.DENOSUMAB_INTERVAL_MONTHS} months after the last, back to an earlier stop with its "
        "follow-on), zoledronic acid given as the follow-on (DMAB-STOP), and no antiresorptive "
        "active or planned since: ECTS 2021 advises a fasting CTX "
        f"{_FIRST_CTX} and {_SECOND_CTX} months after the last infusion, and a repeat infusion "
        "if turnover rises, as one infusion may not hold the rebound. A CTX from "
        f"{th.FOLLOW_ON_CTX_FIRST_FROM_DAYS} days after the infusion counts as the first check "
        f"(a design choice), one from {_SECOND_CTX} months as the second; the advice is due on "
        "the check still to do, and the worklist shows it as a marker check, until the second "
        "is on file. The physician judges the result (no threshold is applied). A zoledronic "
        "acid course still running has its next infusion on the schedule "
        f"{th.ZOLEDRONIC_INTERVAL_MONTHS} months after the last, the repeat the check would "
        "decide on, so it asks for no check (as the worked vignette of a denosumab stop "
        "followed by zoledronic acid continued).",
        outputs=(
            rec(
                RecommendationCode.CHECK_TURNOVER_AFTER_FOLLOW_ON,
                f"the follow-on stopped after its infusion, {_LONG_YEARS} years or more of "
                "denosumab before it",
            ),
        ),
        example="Denosumab from 2023-02-01 to its last injection 2025-02-01, then one "
        "zoledronic acid infusion on 2025-08-01 and the course stopped: CTX due 2025-11-01 and "
        "2026-02-01.",
    ),
    RuleEntry(
        rule=RuleId.DMAB_AI_END,
        title="Aromatase inhibitor ended on denosumab",
        checks="The project's own rule (the specification is silent; the conservative "
        "reading). Every aromatase inhibitor course has stopped while denosumab is active and "
        "was started by the day the last one ended: adjuvant denosumab is given while the "
        "inhibitor is taken, so its end is when the physician decides whether denosumab "
        "continues; if it is to stop, a bisphosphonate follow-on must be planned, started "
        f"within {th.DENOSUMAB_INTERVAL_MONTHS} months of the last injection (ECTS 2021). It "
        "clears once a bisphosphonate is planned, denosumab stops (DMAB-STOP then applies) or "
        "an aromatase inhibitor starts again; a physician's acknowledgement records the "
        "decision. A zoledronic acid or oral bisphosphonate patient gets BP-DURATION's review.",
        outputs=(
            alert(
                AlertCode.DENOSUMAB_REVIEW_AI_ENDED,
                Severity.WARNING,
                "the aromatase inhibitor ended, denosumab continues, no follow-on planned",
            ),
        ),
    ),
)
