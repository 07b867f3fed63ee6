"""Frozen value types of the monitoring domain: the history going in, the assessment coming out.

Measured numbers are `Decimal` in canonical units (see `units.py`); dates are `datetime.date`.
Every type takes keyword arguments only, and optional fields have defaults, so the Django side can
build a `History` straight from database rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

# --- Enumerations -------------------------------------------------------------------------------


class Sex(StrEnum):
    F = "F"
    M = "M"


class MenopausalStatus(StrEnum):
    POSTMENOPAUSAL = "postmenopausal"
    PREMENOPAUSAL = "premenopausal"


class Smoking(StrEnum):
    NEVER = "never"
    FORMER = "former"
    CURRENT = "current"


class AromataseInhibitor(StrEnum):
    ANASTROZOLE = "anastrozole"
    LETROZOLE = "letrozole"
    EXEMESTANE = "exemestane"


class BoneTherapyDrug(StrEnum):
    ALENDRONATE = "alendronate"
    RISEDRONATE = "risedronate"
    IBANDRONATE = "ibandronate"
    ZOLEDRONIC_ACID = "zoledronic_acid"
    DENOSUMAB = "denosumab"


ORAL_BISPHOSPHONATES = frozenset(
    {BoneTherapyDrug.ALENDRONATE, BoneTherapyDrug.RISEDRONATE, BoneTherapyDrug.IBANDRONATE}
)
BISPHOSPHONATES = ORAL_BISPHOSPHONATES | {BoneTherapyDrug.ZOLEDRONIC_ACID}
PARENTERAL_DRUGS = frozenset({BoneTherapyDrug.ZOLEDRONIC_ACID, BoneTherapyDrug.DENOSUMAB})


class Site(StrEnum):
    LUMBAR_SPINE = "lumbar_spine"
    TOTAL_HIP = "total_hip"
    FEMORAL_NECK = "femoral_neck"
    RADIUS_33 = "radius_33"


# Order used for ties, for bmd_changes and for projections.
SITE_ORDER: tuple[Site, ...] = (
    Site.LUMBAR_SPINE,
    Site.TOTAL_HIP,
    Site.FEMORAL_NECK,
    Site.RADIUS_33,
)
CENTRAL_SITES: tuple[Site, ...] = SITE_ORDER[:3]

# Names for messages a clinician reads.
SITE_NAMES: dict[Site, str] = {
    Site.LUMBAR_SPINE: "Lumbar spine",
    Site.TOTAL_HIP: "Total hip",
    Site.FEMORAL_NECK: "Femoral neck",
    Site.RADIUS_33: "1/3 radius",
}


class VertebralFractureAssessment(StrEnum):
    """The result of a scan's vertebral fracture assessment (VFA); absent when none was done."""

    NO_FRACTURE = "no_fracture"
    FRACTURE = "fracture"
    INDETERMINATE = "indeterminate"


class Analyte(StrEnum):
    CTX = "ctx"
    P1NP = "p1np"
    BSAP = "bsap"
    UNTX = "untx"
    VITAMIN_D_25OH = "vitamin_d_25oh"
    CALCIUM = "calcium"
    EGFR = "egfr"
    CRCL = "crcl"
    CREATININE = "creatinine"


class WhoCategory(StrEnum):
    NORMAL = "normal"
    OSTEOPENIA = "osteopenia"
    OSTEOPOROSIS = "osteoporosis"
    NOT_APPLICABLE = "not_applicable"
    UNKNOWN = "unknown"


class RiskCategory(StrEnum):
    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"
    UNKNOWN = "unknown"


class RiskFactor(StrEnum):
    T_BELOW_MINUS_1_5 = "T_BELOW_MINUS_1_5"
    AGE_OVER_65 = "AGE_OVER_65"
    BMI_UNDER_20 = "BMI_UNDER_20"
    PARENT_HIP_FRACTURE = "PARENT_HIP_FRACTURE"
    FRAGILITY_FRACTURE = "FRAGILITY_FRACTURE"
    GLUCOCORTICOIDS_OVER_6_MONTHS = "GLUCOCORTICOIDS_OVER_6_MONTHS"
    SMOKING = "SMOKING"
    ALCOHOL_3_UNITS = "ALCOHOL_3_UNITS"


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """Return 0 for info up to 3 for critical."""
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {
    Severity.INFO: 0,
    Severity.WARNING: 1,
    Severity.HIGH: 2,
    Severity.CRITICAL: 3,
}


class RuleId(StrEnum):
    WHO_CAT = "WHO-CAT"
    RF_LIST = "RF-LIST"
    TX_OSTEOPOROSIS = "TX-OSTEOPOROSIS"
    TX_FRACTURE = "TX-FRACTURE"
    TX_FRAX = "TX-FRAX"
    TX_AI_T = "TX-AI-T"
    TX_AI_RF = "TX-AI-RF"
    TX_RAPID = "TX-RAPID"
    RISK_HIGH = "RISK-HIGH"
    RISK_UNKNOWN = "RISK-UNKNOWN"
    RISK_MODERATE = "RISK-MODERATE"
    RISK_LOW = "RISK-LOW"
    CHG_LSC = "CHG-LSC"
    CHG_SCANNER = "CHG-SCANNER"
    CHG_ANNUAL = "CHG-ANNUAL"
    CHG_RAPID = "CHG-RAPID"
    SCHED_BASELINE = "SCHED-BASELINE"
    SCHED_LOW = "SCHED-LOW"
    SCHED_MODERATE = "SCHED-MODERATE"
    SCHED_HIGH = "SCHED-HIGH"
    SCHED_STABLE_ON_THERAPY = "SCHED-STABLE-ON-THERAPY"
    SCHED_PLAN = "SCHED-PLAN"
    SCHED_OVERDUE = "SCHED-OVERDUE"
    PROJ = "PROJ"
    VITD = "VITD"
    CA_LOW = "CA-LOW"
    CA_LOW_OTHER = "CA-LOW-OTHER"
    RENAL = "RENAL"
    DMAB_SCHEDULE = "DMAB-SCHEDULE"
    DMAB_STOP = "DMAB-STOP"
    DMAB_LATE_VFA = "DMAB-LATE-VFA"
    DMAB_FOLLOW_ON_CTX = "DMAB-FOLLOW-ON-CTX"
    DMAB_AI_END = "DMAB-AI-END"
    DENTAL = "DENTAL"
    BP_DURATION = "BP-DURATION"
    FX_ON_THERAPY = "FX-ON-THERAPY"
    CA_HIGH = "CA-HIGH"
    VITD_HIGH = "VITD-HIGH"
    BTM_RESPONSE = "BTM-RESPONSE"
    BTM_DUE = "BTM-DUE"
    ALWAYS = "ALWAYS"


class AlertCode(StrEnum):
    BONE_THERAPY_INDICATED = "BONE_THERAPY_INDICATED"
    SIGNIFICANT_BMD_LOSS = "SIGNIFICANT_BMD_LOSS"
    RAPID_BMD_LOSS = "RAPID_BMD_LOSS"
    SCANNER_CHANGED = "SCANNER_CHANGED"
    BASELINE_DEXA_DUE = "BASELINE_DEXA_DUE"
    BASELINE_DEXA_MISSING = "BASELINE_DEXA_MISSING"
    DEXA_OVERDUE = "DEXA_OVERDUE"
    Z_SCORE_APPLIES = "Z_SCORE_APPLIES"
    VITAMIN_D_DEFICIENT = "VITAMIN_D_DEFICIENT"
    VITAMIN_D_INSUFFICIENT = "VITAMIN_D_INSUFFICIENT"
    VITAMIN_D_NOT_MEASURED = "VITAMIN_D_NOT_MEASURED"
    HYPOCALCEMIA = "HYPOCALCEMIA"
    CALCIUM_NOT_MEASURED = "CALCIUM_NOT_MEASURED"
    CALCIUM_LOW = "CALCIUM_LOW"
    CALCIUM_HIGH = "CALCIUM_HIGH"
    VITAMIN_D_HIGH = "VITAMIN_D_HIGH"
    HYPOCALCEMIA_RISK_RENAL = "HYPOCALCEMIA_RISK_RENAL"
    RENAL_CONTRAINDICATION = "RENAL_CONTRAINDICATION"
    RENAL_DOSE_CHECK = "RENAL_DOSE_CHECK"
    RENAL_FUNCTION_UNKNOWN = "RENAL_FUNCTION_UNKNOWN"
    DENOSUMAB_DUE = "DENOSUMAB_DUE"
    DENOSUMAB_OVERDUE = "DENOSUMAB_OVERDUE"
    DENOSUMAB_REBOUND_RISK = "DENOSUMAB_REBOUND_RISK"
    DENOSUMAB_STOPPED_NO_FOLLOW_ON = "DENOSUMAB_STOPPED_NO_FOLLOW_ON"
    DENOSUMAB_FOLLOW_ON_INFUSION_AWAITED = "DENOSUMAB_FOLLOW_ON_INFUSION_AWAITED"
    DENOSUMAB_REVIEW_AI_ENDED = "DENOSUMAB_REVIEW_AI_ENDED"
    DENTAL_REVIEW_MISSING = "DENTAL_REVIEW_MISSING"
    BISPHOSPHONATE_DURATION_REVIEW = "BISPHOSPHONATE_DURATION_REVIEW"
    FRACTURE_ON_THERAPY = "FRACTURE_ON_THERAPY"
    BTM_RESPONSE_ADEQUATE = "BTM_RESPONSE_ADEQUATE"
    BTM_RESPONSE_NOT_CONFIRMED = "BTM_RESPONSE_NOT_CONFIRMED"
    BTM_RESPONSE_INADEQUATE = "BTM_RESPONSE_INADEQUATE"


class RecommendationCode(StrEnum):
    START_BONE_THERAPY = "START_BONE_THERAPY"
    DENTAL_REVIEW = "DENTAL_REVIEW"
    BASELINE_DEXA = "BASELINE_DEXA"
    REPEAT_DEXA = "REPEAT_DEXA"
    REPLETE_VITAMIN_D = "REPLETE_VITAMIN_D"
    GIVE_DENOSUMAB = "GIVE_DENOSUMAB"
    START_FOLLOW_ON_THERAPY = "START_FOLLOW_ON_THERAPY"
    VERTEBRAL_FRACTURE_ASSESSMENT = "VERTEBRAL_FRACTURE_ASSESSMENT"
    CHECK_TURNOVER_AFTER_FOLLOW_ON = "CHECK_TURNOVER_AFTER_FOLLOW_ON"
    CHECK_BTM_RESPONSE = "CHECK_BTM_RESPONSE"
    CALCIUM_VITAMIN_D = "CALCIUM_VITAMIN_D"
    LIFESTYLE = "LIFESTYLE"
    RECORD_FRAX = "RECORD_FRAX"


class ProjectionBasis(StrEnum):
    OWN_TREND = "own_trend"
    ATAC_MEDIAN = "atac_median"


class BtmResult(StrEnum):
    ADEQUATE = "adequate"
    NOT_CONFIRMED = "not_confirmed"
    INADEQUATE = "inadequate"


class ScheduleItem(StrEnum):
    DEXA = "dexa"
    DENOSUMAB_DOSE = "denosumab_dose"
    ZOLEDRONIC_ACID_DOSE = "zoledronic_acid_dose"
    BTM_CHECK = "btm_check"
    VITAMIN_D_RECHECK = "vitamin_d_recheck"


# --- History (input) ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class RiskFactors:
    prior_fragility_fracture: bool = False
    prior_fracture_date: dt.date | None = None
    parent_hip_fracture: bool = False
    smoking: Smoking = Smoking.NEVER
    alcohol_3_or_more_units_daily: bool = False
    oral_glucocorticoid_months: Decimal = Decimal(0)
    rheumatoid_arthritis: bool = False
    secondary_osteoporosis: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Patient:
    mrn: str
    sex: Sex
    birth_date: dt.date
    name: str | None = None
    site: str | None = None
    # None means the default: postmenopausal for women; ignored for men.
    menopausal_status: MenopausalStatus | None = None
    breast_cancer_diagnosis_date: dt.date | None = None
    height_cm: Decimal | None = None
    weight_kg: Decimal | None = None
    risk_factors: RiskFactors = field(default_factory=RiskFactors)


@dataclass(frozen=True, slots=True, kw_only=True)
class AromataseInhibitorCourse:
    drug: AromataseInhibitor
    start_date: dt.date | None = None
    stop_date: dt.date | None = None
    stop_reason: str | None = None
    planned_duration_months: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Scanner:
    """A densitometer's precision study: least significant change per site, g/cm²."""

    lsc: Mapping[Site, Decimal] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class SiteMeasurement:
    bmd: Decimal
    t_score: Decimal
    z_score: Decimal | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DexaScan:
    date: dt.date
    scanner: str
    sites: Mapping[Site, SiteMeasurement]
    # A vertebral fracture seen here counts as a prior fragility fracture dated `date`
    # (rules/classification.py, fragility_fracture).
    vertebral_fracture_assessment: VertebralFractureAssessment | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class LabResult:
    """One lab value, already converted to the analyte's canonical unit (`units.CANONICAL_UNIT`),
    with the value and unit it was entered in (plain data: a number and a unit string). Without
    them the value counts as entered in the canonical unit. VITD judges a 25-OH vitamin D in the
    unit it was entered in (`lab_limits`); every other rule judges `value`."""

    date: dt.date
    analyte: Analyte
    value: Decimal
    fasting: bool = False
    entered_value: Decimal | None = None
    entered_unit: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class FraxResult:
    date: dt.date
    major_osteoporotic_pct: Decimal
    hip_pct: Decimal
    with_bmd: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class BoneTherapyCourse:
    drug: BoneTherapyDrug
    start_date: dt.date | None = None
    stop_date: dt.date | None = None
    stop_reason: str | None = None
    dose: str | None = None
    doses: Sequence[dt.date] = ()
    dental_review_date: dt.date | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Supplements:
    calcium: bool = False
    vitamin_d: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Plan:
    next_dexa_due: dt.date | None = None
    reason: str | None = None
    # The day the physician set the plan: a scan dated on or after it fulfils the plan
    # (rules/scheduling.py). None (an older history) means the plan is never judged fulfilled.
    set_on: dt.date | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class History:
    patient: Patient
    as_of: dt.date | None = None
    aromatase_inhibitors: Sequence[AromataseInhibitorCourse] = ()
    scanners: Mapping[str, Scanner] = field(default_factory=dict)
    dexa_scans: Sequence[DexaScan] = ()
    labs: Sequence[LabResult] = ()
    frax: Sequence[FraxResult] = ()
    bone_therapy: Sequence[BoneTherapyCourse] = ()
    supplements: Supplements | None = None
    plan: Plan | None = None


# --- Assessment (output) ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class LowestTScore:
    site: Site
    value: Decimal
    date: dt.date


@dataclass(frozen=True, slots=True, kw_only=True)
class BmdChange:
    site: Site
    from_date: dt.date
    to_date: dt.date
    same_scanner: bool
    change_g_cm2: Decimal | None = None
    change_pct: Decimal | None = None
    annualized_pct: Decimal | None = None
    lsc_g_cm2: Decimal | None = None
    significant: bool | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Projection:
    site: Site
    basis: ProjectionBasis
    crosses_minus_2_0_on: dt.date | None
    crosses_minus_2_5_on: dt.date | None


@dataclass(frozen=True, slots=True, kw_only=True)
class BtmResponse:
    drug: BoneTherapyDrug
    ctx_change_pct: Decimal | None
    p1np_change_pct: Decimal | None
    result: BtmResult


@dataclass(frozen=True, slots=True, kw_only=True)
class Alert:
    code: AlertCode
    severity: Severity
    message: str
    rules: tuple[RuleId, ...]
    sources: tuple[str, ...]
    site: Site | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Recommendation:
    code: RecommendationCode
    message: str
    rules: tuple[RuleId, ...]
    sources: tuple[str, ...]
    due: dt.date | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ScheduleEntry:
    item: ScheduleItem
    due: dt.date


@dataclass(frozen=True, slots=True, kw_only=True)
class Assessment:
    as_of: dt.date
    who_category: WhoCategory
    lowest_t_score: LowestTScore | None
    risk_category: RiskCategory
    risk_factors: tuple[RiskFactor, ...]
    therapy_indicated: bool
    therapy_triggers: tuple[RuleId, ...]
    next_dexa_due: dt.date
    computed_next_dexa_due: dt.date
    bmd_changes: tuple[BmdChange, ...]
    projections: tuple[Projection, ...]
    btm_response: BtmResponse | None
    alerts: tuple[Alert, ...]
    recommendations: tuple[Recommendation, ...]
    schedule: tuple[ScheduleEntry, ...]
