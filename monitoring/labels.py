"""What clinicians read for each alert and recommendation code of the rules.

The rules name their outputs with codes (`DENOSUMAB_STOPPED_NO_FOLLOW_ON`); pages, printouts and
messages show these labels instead. Every code has one (tests/monitoring/app/test_labels.py).
"""

from collections.abc import Iterable, Mapping
from typing import Any

from monitoring.domain import AlertCode, RecommendationCode, RuleId
from monitoring.domain import thresholds as th
from monitoring.domain.types import RiskFactor

ALERT_LABELS: dict[AlertCode, str] = {
    AlertCode.BONE_THERAPY_INDICATED: "Bone therapy indicated",
    AlertCode.SIGNIFICANT_BMD_LOSS: "Significant BMD loss",
    AlertCode.RAPID_BMD_LOSS: "Rapid BMD loss",
    AlertCode.SCANNER_CHANGED: "Scanner changed",
    AlertCode.BASELINE_DEXA_DUE: "Baseline DEXA due",
    AlertCode.BASELINE_DEXA_MISSING: "Baseline DEXA missing",
    AlertCode.DEXA_OVERDUE: "DEXA overdue",
    AlertCode.Z_SCORE_APPLIES: "Read Z-scores, not T-scores",
    AlertCode.VITAMIN_D_DEFICIENT: "Vitamin D deficient",
    AlertCode.VITAMIN_D_INSUFFICIENT: "Vitamin D insufficient",
    AlertCode.VITAMIN_D_NOT_MEASURED: "Vitamin D not measured",
    AlertCode.HYPOCALCEMIA: "Low calcium",
    AlertCode.CALCIUM_NOT_MEASURED: "Calcium not measured",
    AlertCode.CALCIUM_LOW: "Low calcium (no zoledronic acid or denosumab)",
    AlertCode.CALCIUM_HIGH: "High calcium",
    AlertCode.VITAMIN_D_HIGH: "High vitamin D",
    AlertCode.HYPOCALCEMIA_RISK_RENAL: "Low calcium risk: kidney function",
    AlertCode.RENAL_CONTRAINDICATION: "Kidney function rules out the drug",
    AlertCode.RENAL_DOSE_CHECK: "Check the dose for kidney function",
    AlertCode.RENAL_FUNCTION_UNKNOWN: "Kidney function not measured",
    AlertCode.DENOSUMAB_DUE: "Denosumab dose due",
    AlertCode.DENOSUMAB_OVERDUE: "Denosumab dose overdue",
    AlertCode.DENOSUMAB_REBOUND_RISK: "Rebound risk after denosumab",
    AlertCode.DENOSUMAB_STOPPED_NO_FOLLOW_ON: "Denosumab stopped without follow-on therapy",
    AlertCode.DENOSUMAB_FOLLOW_ON_INFUSION_AWAITED: (
        "Denosumab stopped: follow-on zoledronic acid not given yet"
    ),
    AlertCode.DENTAL_REVIEW_MISSING: "Dental review missing",
    AlertCode.BISPHOSPHONATE_DURATION_REVIEW: "Review the bisphosphonate's duration",
    AlertCode.FRACTURE_ON_THERAPY: "Fragility fracture on therapy",
    AlertCode.BTM_RESPONSE_ADEQUATE: "Bone turnover response adequate",
    AlertCode.BTM_RESPONSE_NOT_CONFIRMED: "Bone turnover response not confirmed",
    AlertCode.BTM_RESPONSE_INADEQUATE: "Bone turnover response inadequate",
}

RECOMMENDATION_LABELS: dict[RecommendationCode, str] = {
    RecommendationCode.START_BONE_THERAPY: "Start bone therapy",
    RecommendationCode.DENTAL_REVIEW: "Dental review",
    RecommendationCode.BASELINE_DEXA: "Baseline DEXA",
    RecommendationCode.REPEAT_DEXA: "Repeat DEXA",
    RecommendationCode.REPLETE_VITAMIN_D: "Replete vitamin D",
    RecommendationCode.GIVE_DENOSUMAB: "Give denosumab",
    RecommendationCode.START_FOLLOW_ON_THERAPY: "Start follow-on therapy",
    RecommendationCode.CHECK_BTM_RESPONSE: "Check the bone turnover response",
    RecommendationCode.CALCIUM_VITAMIN_D: "Calcium and vitamin D",
    RecommendationCode.LIFESTYLE: "Lifestyle",
    RecommendationCode.RECORD_FRAX: "Record FRAX",
}

_LABELS: dict[str, str] = {str(code): label for code, label in ALERT_LABELS.items()} | {
    str(code): label for code, label in RECOMMENDATION_LABELS.items()
}


# The risk factors the rules count (RF-LIST; TX-AI-RF needs two of them on an aromatase
# inhibitor), with the rules' own limits: the stored assessment keeps only the codes.
RISK_FACTOR_LABELS: dict[RiskFactor, str] = {
    RiskFactor.T_BELOW_MINUS_1_5: f"T-score below {th.RF_T_BELOW}",
    RiskFactor.AGE_OVER_65: f"age over {th.RF_AGE_OVER}",
    RiskFactor.BMI_UNDER_20: f"BMI under {th.RF_BMI_UNDER:.0f}",
    RiskFactor.PARENT_HIP_FRACTURE: "parental hip fracture",
    RiskFactor.FRAGILITY_FRACTURE: "prior fragility fracture",
    RiskFactor.GLUCOCORTICOIDS_OVER_6_MONTHS: (
        f"oral glucocorticoids over {th.RF_GLUCOCORTICOID_MONTHS_OVER} months"
    ),
    RiskFactor.SMOKING: "smoking",
    RiskFactor.ALCOHOL_3_UNITS: "alcohol 3 or more units a day",
}


def risk_factor_words(codes: Iterable[str]) -> list[str]:
    """The risk factors an assessment counted (`risk_factors`, codes), in words, in its order."""
    words = {str(code): label for code, label in RISK_FACTOR_LABELS.items()}
    return [words.get(code, code) for code in codes]


def code_label(code: str) -> str:
    """The label of an alert or recommendation code; an unknown code is shown as it is."""
    return _LABELS.get(code, code)


# The calcium and vitamin D advice, or a vitamin D repletion, held for a high result (CA-HIGH or
# VITD-HIGH among its rules, nurse13 #1): headed by the hold, not by the advice it holds.
HELD_SUPPLEMENT_LABELS = {
    (RecommendationCode.CALCIUM_VITAMIN_D, RuleId.CA_HIGH): (
        "Hold calcium and vitamin D supplements (high calcium)"
    ),
    (RecommendationCode.CALCIUM_VITAMIN_D, RuleId.VITD_HIGH): (
        "Hold vitamin D supplements (high vitamin D)"
    ),
    (RecommendationCode.REPLETE_VITAMIN_D, RuleId.CA_HIGH): (
        "Vitamin D repletion held (high calcium)"
    ),
}


def held_supplements_label(rec: Mapping[str, Any]) -> str | None:
    """The label of a recommendation held for a high calcium or vitamin D, or None."""
    code = rec.get("code", "")
    for rule in rec.get("rules", ()):
        label = HELD_SUPPLEMENT_LABELS.get((code, rule))
        if label is not None:
            return label
    return None


# A GIVE_DENOSUMAB the rules hold for a low calcium (CA-LOW among its rules) is not headed "Give
# denosumab" beneath the critical alert that says not to (physician9 F17).
HELD_DOSE_LABEL = "Correct the calcium, then give denosumab"
# A START_BONE_THERAPY held for a low calcium (CA-LOW or CA-LOW-OTHER among its rules, nurse10 F1).
HELD_START_LABEL = "Correct the calcium, then start bone therapy"


def recommendation_label(rec: Mapping[str, Any]) -> str:
    """The label of a stored recommendation (`code`, `rules`): its code's, or the held dose's."""
    code = rec.get("code", "")
    held = held_supplements_label(rec)
    if held is not None:
        return held
    if code == RecommendationCode.GIVE_DENOSUMAB and RuleId.CA_LOW in rec.get("rules", ()):
        return HELD_DOSE_LABEL
    rules = rec.get("rules", ())
    if code == RecommendationCode.START_BONE_THERAPY and (
        RuleId.CA_LOW in rules or RuleId.CA_LOW_OTHER in rules
    ):
        return HELD_START_LABEL
    return code_label(code)
