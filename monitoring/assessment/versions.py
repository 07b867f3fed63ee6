"""Raise `PatientAssessment.records_version`, the version that keys a patient page's cached
fragments (templates/monitoring/patient_page.html).

Called explicitly by every service that changes what the patient page shows, inside the writer's
transaction, so the change and its new version commit together (a reader never sees one without
the other): every reassessment (monitoring.assessment.refresh, which each clinical write and each
change to the patient record runs), an alert's acknowledgement, a scanner's LSC change and a
history import. The UPDATE touches only these patients' own assessment rows: two writes for
different patients never wait for each other, whatever their site.
"""

from collections.abc import Collection

from django.db.models import F

from monitoring.models import PatientAssessment


def patient_records_changed(patient_ids: Collection[int]) -> None:
    """A change to these patients' records: their cached patient-page fragments are out of date."""
    if not patient_ids:
        return
    PatientAssessment.objects.filter(patient_id__in=list(patient_ids)).update(
        records_version=F("records_version") + 1
    )
