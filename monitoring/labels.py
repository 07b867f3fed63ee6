"""What clinicians read for each alert and recommendation code of the rules.

The rules name their outputs with codes (`DENOSUMAB_STOPPED_NO_FOLLOW_ON`); pages, printouts and
messages show these labels instead. Every code has one (tests/monitoring/app/test_labels.py).
"""

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from monitoring.domain import AlertCode, RecommendationCode, RuleId
from monitoring.domain import thresholds as th
from monitoring.domain.frax_scope import FRAX_DOES_NOT_APPLY, frax_withheld
from monitoring.domain.types import RiskFactor

ALERT_LABELS: dict[AlertCode, str] = {
    AlertCode.BONE_THERAPY_INDICATED: "Bone therapy indicated",
    AlertCode.SIGNIFICANT_BMD_LOSS: "Significant BMD loss",
    AlertCode.RAPID_BMD_LOSS: "Rapid BMD loss",
    AlertCode.SCANNER_CHANGED: "Scanner changed",
    AlertCode.BASELINE_DEXA_DUE: "Baseline DEXA due",
    AlertCode.BASELINE_DEXA_MISSING: "Baseline DEXA missing",
    AlertCode.DEXA_OVERDUE: "DEXA overdue",
    # Not "Read Z-scores, not T-scores": the T-score still counts for the risk factor and the
    # therapy triggers (WHO-CAT Population), beside which that label contradicted (phys13 #4).
    AlertCode.Z_SCORE_APPLIES: "WHO categories do not apply: read Z-scores",
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
    # Not "not measured": also a creatinine newer than the eGFR on file whose estimate is below
    # the drug's limit (domain.rules.kidney, phys14 #1), beside an eGFR that was measured.
    AlertCode.RENAL_FUNCTION_UNKNOWN: "Kidney function to measure",
    AlertCode.DENOSUMAB_DUE: "Denosumab dose due",
    AlertCode.DENOSUMAB_OVERDUE: "Denosumab dose overdue",
    AlertCode.DENOSUMAB_REBOUND_RISK: "Rebound risk after denosumab",
    AlertCode.DENOSUMAB_STOPPED_NO_FOLLOW_ON: "Denosumab stopped without follow-on therapy",
    AlertCode.DENOSUMAB_FOLLOW_ON_INFUSION_AWAITED: (
        "Denosumab stopped: follow-on zoledronic acid not given yet"
    ),
    AlertCode.DENOSUMAB_REVIEW_AI_ENDED: "Aromatase inhibitor ended: review denosumab",
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
    RecommendationCode.VERTEBRAL_FRACTURE_ASSESSMENT: "Vertebral fracture assessment",
    RecommendationCode.CHECK_TURNOVER_AFTER_FOLLOW_ON: "Check bone turnover after the follow-on",
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


# What made the risk category high (RISK-HIGH: any TX trigger), with the rules' own limits: said
# apart from the risk factors, which alone never make it high (phys13 #13: "High — Risk factors:
# T-score below -1.5" read as if that one factor had).
TRIGGER_LABELS: dict[RuleId, str] = {  # in the order the header names them: the scan's first
    RuleId.TX_OSTEOPOROSIS: f"osteoporosis (T-score {th.TX_T_OSTEOPOROSIS} or below)",
    RuleId.TX_FRACTURE: "prior fragility fracture",
    RuleId.TX_FRAX: (
        f"FRAX at the treatment threshold (major fracture {th.FRAX_MAJOR_PCT:.0f} % or hip "
        f"{th.FRAX_HIP_PCT:.0f} % or more)"
    ),
    RuleId.TX_AI_T: f"T-score below {th.TX_AI_T_BELOW} on an aromatase inhibitor",
    RuleId.TX_RAPID: "rapid bone loss",
    RuleId.TX_AI_RF: f"{th.TX_AI_MIN_RISK_FACTORS} or more risk factors on an aromatase inhibitor",
}
# The two T-score triggers with the lowest T-score that fired them.
_T_TRIGGER_WITH_VALUE: dict[RuleId, str] = {
    RuleId.TX_OSTEOPOROSIS: "osteoporosis (lowest T-score {value})",
    RuleId.TX_AI_T: (
        f"lowest T-score {{value}}, below {th.TX_AI_T_BELOW} on an aromatase inhibitor"
    ),
}
# TX-OSTEOPOROSIS where WHO categories do not apply (a premenopausal woman, a man under 50: WHO-CAT
# Population, `who_category` not_applicable): the T-score still fires the trigger, but osteoporosis
# is not diagnosed from it (ISCD), so the reason names the therapy threshold, not the disease
# (phys14 #4: "Why high: osteoporosis" beside "WHO category: Not applicable").
THERAPY_THRESHOLD_LABEL = f"T-score {th.TX_T_OSTEOPOROSIS} or below (therapy threshold)"
THERAPY_THRESHOLD_WITH_VALUE = (
    f"lowest T-score {{value}}, at or below {th.TX_T_OSTEOPOROSIS} (therapy threshold)"
)


def trigger_words(
    codes: Sequence[str], lowest_t_score: Any = None, *, who_applies: bool = True
) -> list[str]:
    """The therapy triggers an assessment fired (`therapy_triggers`, rule ids), in words: what
    made its risk category high; the T-score ones with `lowest_t_score` when given. Where WHO
    categories do not apply (`who_applies` False), TX-OSTEOPOROSIS names its threshold, never
    osteoporosis."""
    words = {str(rule): label for rule, label in TRIGGER_LABELS.items()}
    with_value = dict(_T_TRIGGER_WITH_VALUE)
    if not who_applies:
        words[str(RuleId.TX_OSTEOPOROSIS)] = THERAPY_THRESHOLD_LABEL
        with_value[RuleId.TX_OSTEOPOROSIS] = THERAPY_THRESHOLD_WITH_VALUE
    if lowest_t_score is not None:
        words |= {
            str(rule): label.format(value=lowest_t_score) for rule, label in with_value.items()
        }
    fired = [str(code) for code in codes]
    if RuleId.TX_OSTEOPOROSIS in fired:  # the same T-score, said once: the lower limit says it all
        fired = [code for code in fired if code != RuleId.TX_AI_T]
    # In TRIGGER_LABELS's order (a code it lacks, last, as it is).
    rank = {str(rule): n for n, rule in enumerate(TRIGGER_LABELS)}
    fired.sort(key=lambda code: rank.get(code, len(rank)))
    return [words.get(code, code) for code in fired]


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
# A START_BONE_THERAPY held for a low calcium (CA-LOW or CA-LOW-OTHER among its rules, nurse10 F1),
# for a deficient vitamin D (VITD among them, phys13 #5), or for both.
HELD_START_LABEL = "Correct the calcium, then start bone therapy"
HELD_START_FOR_VITAMIN_D_LABEL = "Replete vitamin D, then start bone therapy"
HELD_START_FOR_BOTH_LABEL = "Correct the calcium and replete vitamin D, then start bone therapy"
# The calcium and vitamin D advice opened with correcting a low calcium (CA-LOW or CA-LOW-OTHER
# among its rules, phys13 #10): the worklist's words for the same work (`alert_work`).
LOW_CALCIUM_LABEL = "Low calcium: correct it and check it again"
_CALCIUM_RULES = frozenset({RuleId.CA_LOW, RuleId.CA_LOW_OTHER})
# (calcium low, vitamin D deficient) -> the held start's label
_HELD_START_LABELS = {
    (True, False): HELD_START_LABEL,
    (False, True): HELD_START_FOR_VITAMIN_D_LABEL,
    (True, True): HELD_START_FOR_BOTH_LABEL,
}


# START_FOLLOW_ON_THERAPY raised beside DENOSUMAB_FOLLOW_ON_INFUSION_AWAITED (the same rule,
# DMAB-STOP): zoledronic acid was started as the follow-on and its infusion is what is left to do;
# "Start follow-on therapy" beside the course already started read as a second, older demand
# (phys13 #11). The letters word it the same way (`letter_wording.ADVICE_BESIDE_ALERT`).
INFUSION_AWAITED_LABEL = "Give the follow-on zoledronic acid infusion"


# RECORD_FRAX for a patient FRAX is not made for (under 40, or premenopausal: its message says
# why and that no score is needed, `domain.frax_scope`): not headed "Record FRAX" above those
# words (phys14 #9).
FRAX_WITHHELD_LABEL = FRAX_DOES_NOT_APPLY


def recommendation_label(rec: Mapping[str, Any], alert_codes: Iterable[str] = ()) -> str:
    """The label of a stored recommendation (`code`, `rules`), read with the `alert_codes` of
    the same assessment: its code's, the held dose's or start's, the low calcium's, the awaited
    follow-on infusion's, or a FRAX that does not apply."""
    code = rec.get("code", "")
    if code == RecommendationCode.RECORD_FRAX and frax_withheld(rec.get("message", "")):
        return FRAX_WITHHELD_LABEL
    if (
        code == RecommendationCode.START_FOLLOW_ON_THERAPY
        and AlertCode.DENOSUMAB_FOLLOW_ON_INFUSION_AWAITED in alert_codes
    ):
        return INFUSION_AWAITED_LABEL
    held = held_supplements_label(rec)
    if held is not None:
        return held
    if code == RecommendationCode.GIVE_DENOSUMAB and RuleId.CA_LOW in rec.get("rules", ()):
        return HELD_DOSE_LABEL
    rules = rec.get("rules", ())
    calcium = bool(_CALCIUM_RULES.intersection(rules))
    if code == RecommendationCode.START_BONE_THERAPY:
        held = _HELD_START_LABELS.get((calcium, RuleId.VITD in rules))
        if held is not None:
            return held
    if code == RecommendationCode.CALCIUM_VITAMIN_D and calcium:
        return LOW_CALCIUM_LABEL
    return code_label(code)
