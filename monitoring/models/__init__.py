"""Monitoring records: scanners, scans, labs, FRAX, therapy, plans, alerts, assessments."""

from monitoring.models.alerts import Alert, PatientAssessment, ScheduledItem
from monitoring.models.labs import FraxResult, LabResult
from monitoring.models.plans import MonitoringPlan
from monitoring.models.scans import DexaMeasurement, DexaScan, Scanner
from monitoring.models.therapy import BoneTherapyCourse, BoneTherapyDose, Supplements

__all__ = [
    "Alert",
    "BoneTherapyCourse",
    "BoneTherapyDose",
    "DexaMeasurement",
    "DexaScan",
    "FraxResult",
    "LabResult",
    "MonitoringPlan",
    "PatientAssessment",
    "Scanner",
    "ScheduledItem",
    "Supplements",
]
