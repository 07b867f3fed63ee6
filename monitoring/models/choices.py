"""Choices shared by the monitoring models: the values are the domain enums'
(docs/history-format.md), the labels are what users read. tests/monitoring/app/test_choices.py
keeps every domain member offered."""

from django.db import models

from monitoring.domain import types


class MeasuredSite(models.TextChoices):
    LUMBAR_SPINE = types.Site.LUMBAR_SPINE, "Lumbar spine (L1-L4)"
    TOTAL_HIP = types.Site.TOTAL_HIP, "Total hip"
    FEMORAL_NECK = types.Site.FEMORAL_NECK, "Femoral neck"
    RADIUS_33 = types.Site.RADIUS_33, "1/3 radius"


class VertebralFractureAssessment(models.TextChoices):
    NOT_DONE = "", "Not done"
    NO_FRACTURE = types.VertebralFractureAssessment.NO_FRACTURE, "No vertebral fracture"
    FRACTURE = types.VertebralFractureAssessment.FRACTURE, "Vertebral fracture seen"
    INDETERMINATE = types.VertebralFractureAssessment.INDETERMINATE, "Indeterminate"


class Analyte(models.TextChoices):
    CTX = types.Analyte.CTX, "CTX"
    P1NP = types.Analyte.P1NP, "P1NP"
    BSAP = types.Analyte.BSAP, "BSAP"
    UNTX = types.Analyte.UNTX, "Urinary NTX"
    VITAMIN_D_25OH = types.Analyte.VITAMIN_D_25OH, "25-OH vitamin D"
    CALCIUM = types.Analyte.CALCIUM, "Calcium (albumin-adjusted)"
    EGFR = types.Analyte.EGFR, "eGFR"
    CRCL = types.Analyte.CRCL, "Creatinine clearance"
    CREATININE = types.Analyte.CREATININE, "Creatinine"


class BoneTherapyDrug(models.TextChoices):
    ALENDRONATE = types.BoneTherapyDrug.ALENDRONATE, "Alendronate"
    RISEDRONATE = types.BoneTherapyDrug.RISEDRONATE, "Risedronate"
    IBANDRONATE = types.BoneTherapyDrug.IBANDRONATE, "Ibandronate"
    ZOLEDRONIC_ACID = types.BoneTherapyDrug.ZOLEDRONIC_ACID, "Zoledronic acid"
    DENOSUMAB = types.BoneTherapyDrug.DENOSUMAB, "Denosumab"


# Drugs given as injections or infusions, whose doses are recorded one by one.
DOSED_DRUGS = frozenset(BoneTherapyDrug(drug) for drug in types.PARENTERAL_DRUGS)


class SafetyCheck(models.TextChoices):
    """The pre-treatment checks (`records/safety.py`): a record keeps those it was given past."""

    VITAMIN_D = "vitamin_d", "25-OH vitamin D"
    CALCIUM = "calcium", "Albumin-adjusted calcium"
    RENAL = "renal", "Kidney function (creatinine clearance or eGFR)"
    DENTAL = "dental", "Dental review"
    DOSE_INTERVAL = "dose_interval", "Time since the previous dose"
    # A result dated after a dose's own day, up to the day it is recorded (`later_results`).
    VITAMIN_D_AFTER = "vitamin_d_after", "25-OH vitamin D after the dose date"
    CALCIUM_AFTER = "calcium_after", "Albumin-adjusted calcium after the dose date"
    RENAL_AFTER = "renal_after", "Kidney function after the dose date"


class Severity(models.TextChoices):
    INFO = types.Severity.INFO, "Info"
    WARNING = types.Severity.WARNING, "Warning"
    HIGH = types.Severity.HIGH, "High"
    CRITICAL = types.Severity.CRITICAL, "Critical"


SEVERITY_RANK = {severity: types.Severity(severity).rank for severity in Severity}


class RiskCategory(models.TextChoices):
    LOW = types.RiskCategory.LOW, "Low"
    MODERATE = types.RiskCategory.MODERATE, "Moderate"
    HIGH = types.RiskCategory.HIGH, "High"
    UNKNOWN = types.RiskCategory.UNKNOWN, "Unknown"


class WhoCategory(models.TextChoices):
    NORMAL = types.WhoCategory.NORMAL, "Normal"
    OSTEOPENIA = types.WhoCategory.OSTEOPENIA, "Osteopenia"
    OSTEOPOROSIS = types.WhoCategory.OSTEOPOROSIS, "Osteoporosis"
    NOT_APPLICABLE = types.WhoCategory.NOT_APPLICABLE, "Not applicable (read Z-scores)"
    UNKNOWN = types.WhoCategory.UNKNOWN, "Unknown (no scan)"


class ScheduleItem(models.TextChoices):
    DEXA = types.ScheduleItem.DEXA, "DEXA scan"
    DENOSUMAB_DOSE = types.ScheduleItem.DENOSUMAB_DOSE, "Denosumab injection"
    ZOLEDRONIC_ACID_DOSE = types.ScheduleItem.ZOLEDRONIC_ACID_DOSE, "Zoledronic acid infusion"
    BTM_CHECK = types.ScheduleItem.BTM_CHECK, "Bone turnover marker check"
    VITAMIN_D_RECHECK = types.ScheduleItem.VITAMIN_D_RECHECK, "Vitamin D recheck"
