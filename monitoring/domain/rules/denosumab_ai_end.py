"""DMAB-AI-END: the aromatase inhibitor has ended while the patient is on denosumab.

phys14 #6: a patient finishing her aromatase inhibitor on zoledronic acid gets BP-DURATION's review
("the aromatase inhibitor has stopped: a drug holiday may be considered"), one on denosumab got
nothing, though denosumab is the drug whose unplanned stop is the most dangerous. Adjuvant
denosumab for aromatase-inhibitor bone loss is given while the inhibitor is taken (ABCSG-18, as
ESMO 2020 cites it), so its end is when the physician decides whether denosumab goes on and, if
it is to stop, plans the bisphosphonate that must follow it within 6 months of the last injection
(ECTS 2021; DMAB-STOP).
The spec is silent. The conservative reading: a warning (review soon) that asks for that decision
once every aromatase inhibitor course has stopped, while denosumab is active and was started by
the day the inhibitor ended (one started later was prescribed knowing it had ended), until a
bisphosphonate is planned (the exit planned), denosumab stops (DMAB-STOP takes over) or an
aromatase inhibitor starts again. A physician's acknowledgement records the decision.
"""

from __future__ import annotations

from ..thresholds import DENOSUMAB_INTERVAL_MONTHS
from ..types import BISPHOSPHONATES, AlertCode, BoneTherapyDrug, RuleId, Severity
from .context import AiState, Context, CourseStatus, started

DENOSUMAB = BoneTherapyDrug.DENOSUMAB


def denosumab_after_ai(ctx: Context) -> None:
    """DMAB-AI-END: ask for the decision on denosumab once the aromatase inhibitor has ended."""
    if ctx.ai_state is not AiState.STOPPED:
        return
    ends = [
        course.stop_date
        for course, _ in ctx.ai_courses
        if course.start_date is not None and course.stop_date is not None
    ]
    if not ends:
        return  # only courses never started: no treatment has ended
    ended = max(ends)
    courses = [t for t in started(ctx.therapies) if t.drug is DENOSUMAB and not t.never_given]
    if not any(t.status is CourseStatus.ACTIVE for t in courses):
        return
    on_it = [t.start for t in courses if t.start is not None and t.start <= ended]
    if not on_it:
        return
    if any(t.drug in BISPHOSPHONATES and t.status is CourseStatus.PLANNED for t in ctx.therapies):
        return  # the follow-on is planned: the exit is decided
    ctx.alert(
        AlertCode.DENOSUMAB_REVIEW_AI_ENDED,
        Severity.WARNING,
        f"The aromatase inhibitor ended on {ended.isoformat()} while on denosumab (since "
        f"{min(on_it).isoformat()}): decide whether denosumab continues. It must not stop "
        "without a planned bisphosphonate follow-on, started within "
        f"{DENOSUMAB_INTERVAL_MONTHS} months of the last injection, to prevent rebound vertebral "
        "fractures (ECTS 2021).",
        [RuleId.DMAB_AI_END],
    )
