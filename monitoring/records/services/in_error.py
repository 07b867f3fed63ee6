"""Clinical entries marked entered in error: kept, hidden, and out of the assessment."""

from django.db import transaction
from django.http import HttpRequest

from bonehealth.accounts.models import User
from bonehealth.audit.records import mark_in_error
from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.models import BoneTherapyCourse, BoneTherapyDose, DexaScan, FraxResult, LabResult
from monitoring.records.services.guards import patient_lock
from patients.models import Patient


@transaction.atomic
def entry_mark_in_error(
    *,
    actor: User,
    entry: DexaScan | LabResult | FraxResult | BoneTherapyCourse | BoneTherapyDose,
    patient: Patient,
    reason: str,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> None:
    """Mark a clinical entry entered in error: kept, hidden, and out of the assessment.

    Under the patient's lock, as every writer of her records: refused (PatientInErrorError) when
    she was marked entered in error meanwhile, and a mark of her waiting for this one reads the
    alerts it raised (marking a newer scan in error can bring an older one's osteoporosis back).
    Refused (ConcurrentEditError) when the entry changed since `expected_version`, the version
    its page showed.
    """
    patient_lock(patient.pk)
    if mark_in_error(
        actor=actor,
        instance=entry,
        patient=patient,
        reason=reason,
        expected_version=expected_version,
        request=request,
    ):
        patient_assessment_refresh(patient=patient)
