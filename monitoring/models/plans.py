"""The monitoring plan: a physician's next-DEXA date and reason, kept with its history."""

from django.conf import settings
from django.db import models

from patients.models import Patient


class MonitoringPlan(models.Model):
    """One decision about the next DEXA date. The latest row of a patient is the plan in force.

    An empty `next_dexa_due` means "follow the date the rules compute".
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="plans")
    next_dexa_due = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=300)
    set_at = models.DateTimeField(auto_now_add=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-set_at", "-id"]
        get_latest_by = ["set_at", "id"]
        permissions = [("set_monitoring_plan", "Set the monitoring plan")]

    def __str__(self) -> str:
        return f"next DEXA {self.next_dexa_due or 'as computed'}: {self.reason}"
