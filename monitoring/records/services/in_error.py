"""Clinical entries marked entered in error: kept, hidden, and out of the assessment."""

from django.db import transaction
from django.http import HttpRequest

from bonehealth.accounts.models import User
from bonehealth.audit.records import mark_in_error
from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.models import BoneTherapyCourse, BoneTherapyDose, DexaScan, FraxResult, LabResult
from patients.models import Patient


@transaction.atomic
def entry_mark_in_error(
    *,
    actor: User,
    entry: DexaScan | LabResult | FraxResult | BoneTherapyCourse | BoneTherapyDose,
    patient: Patient,
    reason: str,
    request: HttpRequest | None = None,
) -> None:
    """Mark a clinical entry entered in error: kept, hidden, and out of the assessment."""
    if mark_in_error(actor=actor, instance=entry, patient=patient, reason=reason, request=request):
        patient_assessment_refresh(patient=patient)
