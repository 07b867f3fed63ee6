"""Who may acknowledge which alert: read by the pages that offer it and by the service that does it.

A read (no writes, no imports of the write side), so the overview pages may ask it without
importing the acknowledgement service (`monitoring.assessment.alerts`); see docs/architecture.md.
"""

from bonehealth.accounts.models import User
from monitoring.models import Alert
from monitoring.models.choices import SEVERITY_RANK, Severity


def alert_acknowledge_permission(severity: str) -> str:
    """The permission needed to acknowledge an alert of this severity.

    README: nurses acknowledge info and warning alerts, physicians any.
    """
    if SEVERITY_RANK[Severity(severity)] >= SEVERITY_RANK[Severity.HIGH]:
        return "monitoring.acknowledge_high_alert"
    return "monitoring.acknowledge_alert"


def user_may_acknowledge(user: User, alert: Alert) -> bool:
    return user.has_perm(alert_acknowledge_permission(alert.severity))
