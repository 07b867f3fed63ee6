"""Bone-protective therapy courses, the doses given, and calcium / vitamin D supplements."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from monitoring.models.choices import BoneTherapyDrug, SafetyCheck
from monitoring.models.records import ClinicalEntry
from patients.models import Patient


class SafetyOverride(models.Model):
    """A course start or dose given despite failed pre-treatment checks: which checks, why, who
    and when, kept on the record so that the clinicians reading it see it (the audit event of
    the same save keeps the checks' values too). Blank when every check passed or none ran.

    Written only by the therapy services and the history import, through
    `records.services.safety_gate.override_values`."""

    safety_override_reason = models.TextField(blank=True)
    # The `SafetyCheck` values of the failed checks overridden.
    safety_checks_failed = models.JSONField(default=list, blank=True)
    safety_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    safety_override_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def safety_checks_failed_labels(self) -> list[str]:
        """The overridden checks as users read them (a value no longer known, as stored)."""
        labels = dict(SafetyCheck.choices)
        return [str(labels.get(check, check)) for check in self.safety_checks_failed]


class BoneTherapyCourse(ClinicalEntry, SafetyOverride):
    """One course of a bisphosphonate or denosumab: planned (no start yet), active or stopped."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="bone_therapy")
    drug = models.CharField(max_length=20, choices=BoneTherapyDrug.choices)
    dose = models.CharField(max_length=120, blank=True, help_text="e.g. 60 mg every 6 months")
    start_date = models.DateField(
        null=True, blank=True, help_text="Empty (or in the future) while the course is planned."
    )
    stop_date = models.DateField(null=True, blank=True)
    stop_reason = models.CharField(max_length=300, blank=True)
    dental_review_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["start_date", "id"]
        permissions = [
            ("manage_bone_therapy", "Start, change and stop bone-protective therapy"),
            ("record_dental_review", "Record the dental review before a course"),
        ]

    def __str__(self) -> str:
        # A course with no start date is named as planned, never "from planned" (phys12 F13).
        if self.start_date is None:
            return f"{self.get_drug_display()} (planned, no start date)"
        return f"{self.get_drug_display()} from {self.start_date:%Y-%m-%d}"


class BoneTherapyDose(ClinicalEntry, SafetyOverride):
    """One injection or infusion given."""

    course = models.ForeignKey(BoneTherapyCourse, on_delete=models.PROTECT, related_name="doses")
    given_on = models.DateField()

    class Meta:
        ordering = ["given_on", "id"]
        constraints = [
            # Injections and infusions are months apart: two on one day of a course are one.
            models.UniqueConstraint(
                fields=["course", "given_on"],
                condition=Q(entered_in_error=False),
                name="dose_once_per_course_day",
            )
        ]

    def __str__(self) -> str:
        return f"{self.course.get_drug_display()} dose {self.given_on:%Y-%m-%d}"


class Supplements(models.Model):
    """Whether the patient takes calcium and vitamin D supplements (one row per patient)."""

    patient = models.OneToOneField(Patient, on_delete=models.PROTECT, related_name="supplements")
    calcium = models.BooleanField(default=False)
    vitamin_d = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name_plural = "supplements"

    def __str__(self) -> str:
        return f"calcium {self.calcium}, vitamin D {self.vitamin_d}"
