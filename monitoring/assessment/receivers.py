"""Reassess a patient when the patients app changes their record (see patients.signals)."""

from typing import Any

from django.dispatch import receiver

from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.records.follow_on_pending import follow_on_pending
from monitoring.records.selectors import active_bone_therapy, care_hidden_with_patient, entry_dates
from patients.models import Patient
from patients.signals import (
    ActiveTreatment,
    active_treatments_requested,
    entry_dates_requested,
    hidden_care_requested,
    patient_changed,
)


@receiver(patient_changed)
def reassess_changed_patient(sender: Any, patient: Patient, **kwargs: Any) -> None:
    # Runs inside the sender's transaction: the record and its assessment change together.
    patient_assessment_refresh(patient=patient)


@receiver(entry_dates_requested)
def monitoring_entry_dates(sender: Any, patient: Patient, **kwargs: Any) -> list[tuple[Any, str]]:
    # Lets patients bound a birth or end-of-follow-up date by scans, labs, FRAX and doses.
    return entry_dates(patient=patient)


@receiver(active_treatments_requested)
def monitoring_active_treatments(
    sender: Any, patient: Patient, **kwargs: Any
) -> list[ActiveTreatment]:
    # Lets the end-of-follow-up form warn of a bone therapy whose next dose it would drop, and of
    # a denosumab follow-on still pending (phys12 F1), and ask to confirm them.
    return [*active_bone_therapy(patient=patient), *follow_on_pending(patient=patient)]


@receiver(hidden_care_requested)
def monitoring_hidden_care(sender: Any, patient: Patient, **kwargs: Any) -> list[str]:
    # Lets marking a patient entered in error name the therapy and serious alerts it would hide.
    return care_hidden_with_patient(patient=patient)
