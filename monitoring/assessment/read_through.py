"""The one write a page view may cause: a patient's first stored assessment.

The stored assessment (`PatientAssessment`, with the patient's open alerts and schedule) is derived
from the records: the entry services recompute it in the transaction of every clinical write, and
the nightly reassessment for the date. A patient whose records reached the database another way
(created before monitoring existed, or by a bulk load) has none, and the patient page and its
printouts would have nothing to show. So the first view computes it here, as any writer would
(`patient_assessment_refresh`: the patient's lock, then alerts, schedule, versions); it
writes only derived rows, never a record, and computing it twice gives the same rows.

This module is the overview's only way into the write side of the assessment: the import-linter
contract "The overview never writes" (pyproject.toml) ignores exactly this one import.
"""

from monitoring.assessment.refresh import patient_assessment_refresh
from patients.models import Patient


def assessment_read_through(*, patient: Patient) -> None:
    """Compute and store the assessment of a patient a page found without one."""
    patient_assessment_refresh(patient=patient)
