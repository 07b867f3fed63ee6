"""Clinical rules of bone-health monitoring on aromatase inhibitors; standard library only.

    history = parse_history(json_text)            # or History(patient=Patient(...), ...) by hand
    assessment = assess(history, as_of=date(2025, 6, 1))
    data = assessment_to_dict(assessment)         # JSON-ready, sorted as documented

`assess(history, *, as_of)` applies every rule of `docs/clinical-rules.md`; nothing reads a clock.
`parse_history(text_or_mapping)` and `assess` raise `HistoryError` (a ValueError) whose message
starts with the JSON path of the bad field. History dataclasses take keyword arguments, `Decimal`
numbers in canonical units and `datetime.date` dates; `to_canonical(analyte, value, unit)` and
`ACCEPTED_UNITS` convert lab entries. `cli.main` is what `manage.py assess` runs. `DATE_MIN` and
`DATE_MAX` bound every date the application takes in (history files and entry forms alike).
"""

from .assessment import assess
from .dates import DATE_MAX, DATE_MIN
from .errors import HistoryError
from .parsing import parse_history
from .rules.denosumab_stop import FollowOnDue, follow_on_due, follow_on_infusion_awaited
from .rules.labs import KidneyStop, kidney_stop
from .serialize import assessment_to_dict
from .types import (
    Alert,
    AlertCode,
    Analyte,
    AromataseInhibitor,
    AromataseInhibitorCourse,
    Assessment,
    BmdChange,
    BoneTherapyCourse,
    BoneTherapyDrug,
    BtmResponse,
    BtmResult,
    DexaScan,
    FraxResult,
    History,
    LabResult,
    LowestTScore,
    MenopausalStatus,
    Patient,
    Plan,
    Projection,
    ProjectionBasis,
    Recommendation,
    RecommendationCode,
    RiskCategory,
    RiskFactor,
    RiskFactors,
    RuleId,
    Scanner,
    ScheduleEntry,
    ScheduleItem,
    Severity,
    Sex,
    Site,
    SiteMeasurement,
    Smoking,
    Supplements,
    VertebralFractureAssessment,
    WhoCategory,
)
from .units import (
    ACCEPTED_UNITS,
    CANONICAL_UNIT,
    UnitSystem,
    display_unit,
    from_canonical,
    normalize_unit,
    to_canonical,
)

__all__ = [
    "ACCEPTED_UNITS",
    "CANONICAL_UNIT",
    "DATE_MAX",
    "DATE_MIN",
    "Alert",
    "AlertCode",
    "Analyte",
    "AromataseInhibitor",
    "AromataseInhibitorCourse",
    "Assessment",
    "BmdChange",
    "BoneTherapyCourse",
    "BoneTherapyDrug",
    "BtmResponse",
    "BtmResult",
    "DexaScan",
    "FollowOnDue",
    "FraxResult",
    "History",
    "HistoryError",
    "KidneyStop",
    "LabResult",
    "LowestTScore",
    "MenopausalStatus",
    "Patient",
    "Plan",
    "Projection",
    "ProjectionBasis",
    "Recommendation",
    "RecommendationCode",
    "RiskCategory",
    "RiskFactor",
    "RiskFactors",
    "RuleId",
    "Scanner",
    "ScheduleEntry",
    "ScheduleItem",
    "Severity",
    "Sex",
    "Site",
    "SiteMeasurement",
    "Smoking",
    "Supplements",
    "UnitSystem",
    "VertebralFractureAssessment",
    "WhoCategory",
    "assess",
    "assessment_to_dict",
    "display_unit",
    "follow_on_due",
    "follow_on_infusion_awaited",
    "from_canonical",
    "kidney_stop",
    "normalize_unit",
    "parse_history",
    "to_canonical",
]
