"""Reassess a patient when the patients app changes their record (see patients.signals)."""

from typing import Any

from django.dispatch import receiver

from monitoring.services.assessment import patient_assessment_refresh
from patients.models import Patient
from patients.signals import patient_changed


@receiver(patient_changed)
def reassess_changed_patient(sender: Any, patient: Patient, **kwargs: Any) -> None:
    # Runs inside the sender's transaction: the record and its assessment change together.
    patient_assessment_refresh(patient=patient)
