"""Choices shared by the monitoring models: the domain enums' values (docs/history-format.md)."""

from django.db import models


class MeasuredSite(models.TextChoices):
    LUMBAR_SPINE = "lumbar_spine", "Lumbar spine (L1-L4)"
    TOTAL_HIP = "total_hip", "Total hip"
    FEMORAL_NECK = "femoral_neck", "Femoral neck"
    RADIUS_33 = "radius_33", "1/3 radius"


class VertebralFractureAssessment(models.TextChoices):
    NOT_DONE = "", "Not done"
    NO_FRACTURE = "no_fracture", "No vertebral fracture"
    FRACTURE = "fracture", "Vertebral fracture seen"
    INDETERMINATE = "indeterminate", "Indeterminate"


class Analyte(models.TextChoices):
    CTX = "ctx", "CTX"
    P1NP = "p1np", "P1NP"
    BSAP = "bsap", "BSAP"
    UNTX = "untx", "Urinary NTX"
    VITAMIN_D_25OH = "vitamin_d_25oh", "25-OH vitamin D"
    CALCIUM = "calcium", "Calcium (albumin-adjusted)"
    EGFR = "egfr", "eGFR"
    CRCL = "crcl", "Creatinine clearance"
    CREATININE = "creatinine", "Creatinine"


class BoneTherapyDrug(models.TextChoices):
    ALENDRONATE = "alendronate", "Alendronate"
    RISEDRONATE = "risedronate", "Risedronate"
    IBANDRONATE = "ibandronate", "Ibandronate"
    ZOLEDRONIC_ACID = "zoledronic_acid", "Zoledronic acid"
    DENOSUMAB = "denosumab", "Denosumab"


# Drugs given as injections or infusions, whose doses are recorded one by one.
DOSED_DRUGS = frozenset({BoneTherapyDrug.ZOLEDRONIC_ACID, BoneTherapyDrug.DENOSUMAB})


class Severity(models.TextChoices):
    INFO = "info", "Info"
    WARNING = "warning", "Warning"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.HIGH: 2, Severity.CRITICAL: 3}


class RiskCategory(models.TextChoices):
    LOW = "low", "Low"
    MODERATE = "moderate", "Moderate"
    HIGH = "high", "High"
    UNKNOWN = "unknown", "Unknown"


class WhoCategory(models.TextChoices):
    NORMAL = "normal", "Normal"
    OSTEOPENIA = "osteopenia", "Osteopenia"
    OSTEOPOROSIS = "osteoporosis", "Osteoporosis"
    NOT_APPLICABLE = "not_applicable", "Not applicable (read Z-scores)"
    UNKNOWN = "unknown", "Unknown (no scan)"


class ScheduleItem(models.TextChoices):
    DEXA = "dexa", "DEXA scan"
    DENOSUMAB_DOSE = "denosumab_dose", "Denosumab injection"
    ZOLEDRONIC_ACID_DOSE = "zoledronic_acid_dose", "Zoledronic acid infusion"
    BTM_CHECK = "btm_check", "Bone turnover marker check"
    VITAMIN_D_RECHECK = "vitamin_d_recheck", "Vitamin D recheck"
