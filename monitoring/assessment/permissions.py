"""Who may acknowledge which alert: read by the pages that offer it and by the service that does it.

A read (no writes, no imports of the write side), so the overview pages may ask it without
importing the acknowledgement service (`monitoring.assessment.alerts`); see docs/architecture.md.
"""

from bonehealth.accounts.models import User
from monitoring.models import Alert
from monitoring.models.choices import SEVERITY_RANK, Severity

# The alerts that ask a physician for a therapy decision (start, continue, hold, switch or stop a
# bone-protective therapy): the decision is made when one who may decide therapy acknowledges
# the alert. The worklist lists them until then (monitoring/overview/alert_work.py).
# RENAL_CONTRAINDICATION (the planned or active drug is contraindicated: cancel it or switch) and
# HYPOCALCEMIA ("do not give zoledronic acid or denosumab until it is corrected": hold the dose,
# correct the calcium) ask for one too (physician10 F9). Not HYPOCALCEMIA_RISK_RENAL: denosumab
# is not contraindicated, the alert asks for calcium to be watched, also after a stop; the start
# or dose it concerns fails the pre-treatment check, which a physician overrides with a reason.
# Not RENAL_DOSE_CHECK (a warning: check the zoledronic acid dose at the infusion, which fails its
# check the same way). Not DENOSUMAB_FOLLOW_ON_INFUSION_AWAITED: the follow-on is decided
# (zoledronic acid started), the work left is its infusion, a row of the schedule (phys10 F2).
# DENOSUMAB_REVIEW_AI_ENDED asks whether denosumab goes on now that the aromatase inhibitor has
# ended, and for the follow-on if it is to stop (phys14 #6): a decision, as BP-DURATION's review.
THERAPY_DECISION_CODES = frozenset(
    {
        "BONE_THERAPY_INDICATED",
        "DENOSUMAB_STOPPED_NO_FOLLOW_ON",
        "DENOSUMAB_REVIEW_AI_ENDED",
        "BISPHOSPHONATE_DURATION_REVIEW",
        "BTM_RESPONSE_INADEQUATE",
        "FRACTURE_ON_THERAPY",
        "RENAL_CONTRAINDICATION",
        "HYPOCALCEMIA",
    }
)
# The permission to start, change and stop bone-protective therapy: the one who holds it decides.
DECIDE_THERAPY_PERMISSION = "monitoring.manage_bone_therapy"


def alert_acknowledge_permission(severity: str) -> str:
    """The permission needed to acknowledge an alert of this severity.

    README: nurses acknowledge info and warning alerts, physicians any.
    """
    if SEVERITY_RANK[Severity(severity)] >= SEVERITY_RANK[Severity.HIGH]:
        return "monitoring.acknowledge_high_alert"
    return "monitoring.acknowledge_alert"


def user_may_acknowledge(user: User, alert: Alert) -> bool:
    """Whether `user` may write a note on `alert`: an acknowledgement, or only that they have
    seen it (`acknowledgement_closes`)."""
    return user.has_perm(alert_acknowledge_permission(alert.severity))


def acknowledgement_closes(user: User, alert: Alert) -> bool:
    """Whether `user`'s acknowledgement of `alert` acknowledges it. A therapy decision alert is
    acknowledged only by one who may decide therapy; anyone else (a nurse) records that they
    have seen it, with their note, and the decision stays open for a physician (phys9 F15)."""
    return alert.code not in THERAPY_DECISION_CODES or user.has_perm(DECIDE_THERAPY_PERMISSION)


def user_may_note(user: User, alert: Alert) -> bool:
    """Whether `user` has anything left to write on the open `alert`: an acknowledgement, or a
    first note that it was seen."""
    if alert.acknowledged_at is not None or not user_may_acknowledge(user, alert):
        return False
    return acknowledgement_closes(user, alert) or alert.seen_at is None
