"""Reassess a patient when the patients app changes their record (see patients.signals), and
raise the cache versions on every audited change to a patient's records
(monitoring.assessment.versions)."""

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from bonehealth.accounts.models import Site
from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.assessment.versions import patient_records_changed
from monitoring.models import SiteDataVersion
from monitoring.records.selectors import entry_dates
from patients.models import Patient
from patients.signals import entry_dates_requested, patient_changed


@receiver(patient_changed)
def reassess_changed_patient(sender: Any, patient: Patient, **kwargs: Any) -> None:
    # Runs inside the sender's transaction: the record and its assessment change together.
    patient_assessment_refresh(patient=patient)


@receiver(entry_dates_requested)
def monitoring_entry_dates(sender: Any, patient: Patient, **kwargs: Any) -> list[tuple[Any, str]]:
    # Lets patients bound a birth or end-of-follow-up date by scans, labs, FRAX and doses.
    return entry_dates(patient=patient)


# Every create, change and error-mark of a patient's records is audited with the patient, inside
# the writer's transaction: the one place that sees them all.
_CHANGES = {AuditAction.CREATE, AuditAction.CHANGE, AuditAction.MARK_ERROR}


@receiver(post_save, sender=AuditEvent)
def records_changed_on_audit(
    sender: Any, instance: AuditEvent, created: bool, **kwargs: Any
) -> None:
    if created and instance.patient_id is not None and instance.action in _CHANGES:
        patient_records_changed([instance.patient_id])


@receiver(post_save, sender=Site)
def site_data_version_row(sender: Any, instance: Site, created: bool, **kwargs: Any) -> None:
    # Every site has its data version row, so the overview pages read all of them in one query.
    if created:
        SiteDataVersion.objects.get_or_create(site=instance)
