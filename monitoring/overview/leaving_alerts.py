"""The open alerts a patient takes off the dashboard and the worklist when follow-up ends.

The end-of-follow-up form is the patients app's, which never imports monitoring: it asks through
`patients.signals.open_alerts_requested`, answered here in the words the patient page uses.
"""

from typing import Any

from django.dispatch import receiver
from django.utils import timezone

from monitoring.models.choices import SEVERITY_RANK, Severity
from monitoring.overview.labs import patient_lab_readings
from monitoring.records.selectors import patient_open_alerts
from monitoring.templatetags.monitoring_display import plain_lab_values
from patients.models import Patient
from patients.signals import OpenAlert, open_alerts_requested

# Ending follow-up asks for a confirmation while one of these is open (physician9 F7): a high or
# critical alert asks for action, and a patient no longer followed is on no list that shows it.
CONFIRMED_FROM_RANK = SEVERITY_RANK[Severity.HIGH]


def leaving_open_alerts(*, patient: Patient) -> list[OpenAlert]:
    """The patient's open alerts of every severity, worst first, then the oldest: a warning such
    as DMAB-STOP's (critical only after the follow-on's date) leaves with her too (phys12 F1)."""
    alerts = patient_open_alerts(patient=patient)
    if not alerts:
        return []
    readings = patient_lab_readings(patient)
    return [
        OpenAlert(
            key=str(alert.pk),  # a rise in severity opens a new alert: a new key
            severity=alert.get_severity_display(),
            message=plain_lab_values(alert.message, patient.site.lab_units, readings),
            since=timezone.localdate(alert.raised_at),
            acknowledged=(
                f"acknowledged by {alert.acknowledged_by} on "
                f"{timezone.localdate(alert.acknowledged_at):%Y-%m-%d}"
                if alert.acknowledged_at is not None
                else ""
            ),
            serious=alert.severity_rank >= CONFIRMED_FROM_RANK,
        )
        for alert in alerts
    ]


@receiver(open_alerts_requested)
def monitoring_open_alerts(sender: Any, patient: Patient, **kwargs: Any) -> list[OpenAlert]:
    # Lets the end-of-follow-up form name them and ask for a confirmation of the serious ones.
    return leaving_open_alerts(patient=patient)
