"""Reference entries of classification, therapy, risk, change, scheduling and projection."""

from __future__ import annotations

from typing import Final

from .. import thresholds as th
from ..types import AlertCode, RecommendationCode, RuleId, Severity, Site
from .model import RuleEntry, Section, alert, num, rec

_LSC = th.DEFAULT_LSC_G_CM2
_ATAC = th.ATAC_ANNUAL_LOSS_PCT
_SD = th.ATAC_SD_G_CM2
_THERAPY_OUTPUTS: Final = (
    alert(
        AlertCode.BONE_THERAPY_INDICATED,
        Severity.HIGH,
        "this or any other TX trigger fires and no antiresorptive course is active or planned; "
        "it says to start a bisphosphonate or denosumab, or, when the latest kidney function "
        "of the last "
        f"{th.LAB_VALID_MONTHS} months is below a bisphosphonate's RENAL limit, the drugs it "
        "leaves (all ruled out: denosumab with specialist advice), as START_BONE_THERAPY says",
    ),
    rec(
        RecommendationCode.START_BONE_THERAPY,
        "with BONE_THERAPY_INDICATED; when the latest kidney function of the last "
        f"{th.LAB_VALID_MONTHS} months is below a bisphosphonate's RENAL limit, the text says "
        "which are contraindicated; when all are, it says that kidney function does not rule "
        "out denosumab (below "
        f"{num(th.DENOSUMAB_HYPOCALCEMIA_RISK_BELOW)} mL/min with its hypocalcaemia risk: "
        "monitor calcium and vitamin D closely) and asks for specialist advice (the "
        "specification is silent; the conservative reading). With the latest adjusted calcium "
        f"of the last {th.LAB_VALID_MONTHS} months below {num(th.CALCIUM_LOW_BELOW)} mmol/L it "
        "opens with correcting the calcium first (the antiresorptives' labels), and the rule "
        "of that low calcium's alert (CA-LOW-OTHER, or CA-LOW) joins its rules. Not while "
        "DMAB-STOP stands: its START_FOLLOW_ON_THERAPY, the bisphosphonate after denosumab, is "
        "then the one advice to start an antiresorptive, naming these triggers, and "
        "BONE_THERAPY_INDICATED says to start that follow-on (the specification lists both; "
        "the conservative reading: denosumab again, or an advice beside the follow-on, would "
        "contradict it)",
    ),
    rec(RecommendationCode.DENTAL_REVIEW, "with BONE_THERAPY_INDICATED, before the first dose"),
)

SECTIONS: Final = (
    Section(
        title="Classification",
        intro="What the scan says and which risk factors the patient has.",
        rules=(
            RuleEntry(
                rule=RuleId.WHO_CAT,
                title="WHO category of the lowest T-score",
                checks=f"Normal when the lowest T-score is {num(th.T_NORMAL_MIN)} or above, "
                f"osteoporosis at {num(th.T_OSTEOPOROSIS_MAX)} or below, osteopenia in between; "
                "unknown without a scan. T-score categories are made for postmenopausal women "
                f"and men aged {th.MALE_T_SCORE_MIN_AGE} or more: for a premenopausal woman "
                f"or a man under {th.MALE_T_SCORE_MIN_AGE} the category is not applicable and "
                f"the Z-score is read instead (Z of {num(th.Z_BELOW_EXPECTED_MAX)} or below is "
                "below the expected range for age). Every other rule still runs, the T-score "
                "risk factor and the T-score therapy triggers included, as the aromatase-inhibitor "
                "guidelines apply them to premenopausal women on ovarian suppression.",
                outputs=(
                    alert(
                        AlertCode.Z_SCORE_APPLIES,
                        Severity.INFO,
                        "premenopausal woman or man under "
                        f"{th.MALE_T_SCORE_MIN_AGE} (cites ISCD only); its text says that the "
                        "T-score still counts for the risk factor and the therapy triggers, and, "
                        "when the lowest Z-score of the latest scan with one is "
                        f"{num(th.Z_BELOW_EXPECTED_MAX)} or below, gives it as below the "
                        "expected range for age, to consider secondary causes (the severity "
                        "stays info: the specification fixes it)",
                    ),
                ),
                example="Lumbar spine -1.8, total hip -2.6: the lowest is the hip's -2.6, "
                "so the category is osteoporosis.",
            ),
            RuleEntry(
                rule=RuleId.RF_LIST,
                title="Risk factors",
                checks=f"Each present factor is listed: lowest T-score below {num(th.RF_T_BELOW)}; "
                f"age over {th.RF_AGE_OVER}; BMI below {num(th.RF_BMI_UNDER)} kg/m²; a parent's "
                "hip fracture; a prior fragility fracture (on the patient record, or a vertebral "
                "fracture seen on a scan's VFA, see TX-FRACTURE); oral glucocorticoids for more "
                "than "
                f"{num(th.RF_GLUCOCORTICOID_MONTHS_OVER)} months; current or former smoking; "
                "3 or more units of alcohol a day.",
                example="A 67-year-old former smoker with a lowest T-score of -1.2 has two "
                "risk factors: age and smoking.",
            ),
        ),
    ),
    Section(
        title="Bone-protective therapy indicated",
        intro="Any one trigger makes therapy indicated; every trigger that fires is listed. "
        "When therapy is indicated and no antiresorptive course is active or planned, the "
        "patient gets the alert BONE_THERAPY_INDICATED and the recommendations to start "
        "therapy and to have a dental review first.",
        rules=(
            RuleEntry(
                rule=RuleId.TX_OSTEOPOROSIS,
                title="Osteoporosis on DEXA",
                checks=f"The lowest T-score is {num(th.TX_T_OSTEOPOROSIS)} or below.",
                outputs=_THERAPY_OUTPUTS,
            ),
            RuleEntry(
                rule=RuleId.TX_FRACTURE,
                title="Prior fragility fracture",
                checks="A prior fragility fracture is on file, whatever the BMD. (Hadji 2017 "
                "counts it as one risk factor only; the stricter reading is kept.) A vertebral "
                "fracture seen on a scan's vertebral fracture assessment counts as one, dated "
                "the scan's date, and BONE_THERAPY_INDICATED names that scan; a later scan "
                "with no fracture seen does not undo it, and the patient record is left as "
                "entered (the rules are silent on VFA; a morphometric vertebral fracture is a "
                "fragility fracture: the conservative reading).",
                outputs=_THERAPY_OUTPUTS,
            ),
            RuleEntry(
                rule=RuleId.TX_FRAX,
                title="High FRAX fracture probability",
                checks="The latest FRAX result (on one date, a result calculated with BMD wins) "
                "gives a 10-year major osteoporotic fracture probability of "
                f"{num(th.FRAX_MAJOR_PCT)} % or more, or a hip fracture probability of "
                f"{num(th.FRAX_HIP_PCT)} % or more.",
                outputs=_THERAPY_OUTPUTS,
            ),
            RuleEntry(
                rule=RuleId.TX_AI_T,
                title="T-score threshold on an aromatase inhibitor",
                checks=f"The lowest T-score is below {num(th.TX_AI_T_BELOW)} (strictly) while an "
                "aromatase inhibitor is planned or active. Stricter than the general "
                "osteoporosis threshold because the drug speeds bone loss.",
                outputs=_THERAPY_OUTPUTS,
                example="T-score -2.1 on letrozole: indicated. T-score -2.0 exactly: not by "
                "this trigger.",
            ),
            RuleEntry(
                rule=RuleId.TX_AI_RF,
                title="Risk factors on an aromatase inhibitor",
                checks=f"{th.TX_AI_MIN_RISK_FACTORS} or more risk factors of RF-LIST while an "
                "aromatase inhibitor is planned or active.",
                outputs=_THERAPY_OUTPUTS,
            ),
            RuleEntry(
                rule=RuleId.TX_RAPID,
                title="Rapid bone loss",
                checks="Some site shows rapid loss by CHG-RAPID.",
                outputs=_THERAPY_OUTPUTS,
            ),
        ),
    ),
    Section(
        title="Risk category",
        intro="Applied in this order; the first that holds gives the category.",
        rules=(
            RuleEntry(
                rule=RuleId.RISK_HIGH,
                title="High risk",
                checks="Any TX trigger fires, whether or not the patient is on therapy.",
            ),
            RuleEntry(
                rule=RuleId.RISK_UNKNOWN,
                title="Unknown risk",
                checks="No scan is on file: the tiers rest on a measured T-score.",
            ),
            RuleEntry(
                rule=RuleId.RISK_MODERATE,
                title="Moderate risk",
                checks="At least one risk factor, or a significant BMD decrease (CHG-LSC).",
            ),
            RuleEntry(rule=RuleId.RISK_LOW, title="Low risk", checks="None of the above."),
        ),
    ),
    Section(
        title="Change between scans",
        intro="Per site, the current measurement is compared with the latest earlier "
        "measurement of that site on the same scanner.",
        rules=(
            RuleEntry(
                rule=RuleId.CHG_LSC,
                title="Least significant change",
                checks="A change in BMD is significant when its size is at least the site's "
                "least significant change (LSC): the scanner's own LSC from its precision study "
                "when one is on file, else the defaults "
                f"lumbar spine {num(_LSC[Site.LUMBAR_SPINE])}, "
                f"total hip {num(_LSC[Site.TOTAL_HIP])}, "
                f"femoral neck {num(_LSC[Site.FEMORAL_NECK])} and "
                f"1/3 radius {num(_LSC[Site.RADIUS_33])} g/cm².",
                outputs=(
                    alert(
                        AlertCode.SIGNIFICANT_BMD_LOSS,
                        Severity.WARNING,
                        "a significant decrease, one alert per site",
                    ),
                ),
                example="Total hip 0.820 then 0.790 g/cm² on the same scanner: a fall of "
                f"0.030 g/cm², at least the default {num(_LSC[Site.TOTAL_HIP])}, so significant.",
            ),
            RuleEntry(
                rule=RuleId.CHG_SCANNER,
                title="Scanner changed",
                checks="A site has earlier measurements, but none on the scanner of the current "
                "one: no change is judged for that site. A significant decrease (CHG-LSC) found "
                "by that site's last comparison on one scanner is not forgotten: the alert "
                "states it, with the fall and the two scans' dates, though no loss alert is "
                "raised for it (the specification is silent; the conservative reading).",
                outputs=(
                    alert(
                        AlertCode.SCANNER_CHANGED,
                        Severity.INFO,
                        "one alert for the patient, naming the sites, and any significant loss "
                        "of their last same-scanner comparison",
                    ),
                ),
                example="Total hip 0.900 then 0.875 g/cm² on one scanner, then a scan on "
                "another: the change to the new scan is not judged, and the alert recalls the "
                "hip's fall of 0.025 g/cm² between the first two.",
            ),
            RuleEntry(
                rule=RuleId.CHG_ANNUAL,
                title="Percentage and annualized change",
                checks="Change % = change / earlier BMD x 100. The annualized % divides it by "
                f"the years between the scans ({num(th.DAYS_PER_YEAR)} days a year), and only "
                f"when they are at least {th.ANNUALIZE_MIN_DAYS} days apart; otherwise it is "
                "not given.",
                example="0.950 then 0.910 g/cm² 400 days apart: -0.040 g/cm², -4.2 %, -3.8 %/year.",
            ),
            RuleEntry(
                rule=RuleId.CHG_RAPID,
                title="Rapid loss",
                checks="A significant decrease that is at least "
                f"{num(th.RAPID_LOSS_PCT)} %/year annualized, or, for scans less than "
                f"{th.ANNUALIZE_MIN_DAYS} days apart, at least {num(th.RAPID_LOSS_PCT)} % in all. "
                "It also fires TX-RAPID. The alert's text asks for therapy when no "
                "antiresorptive is active; on one, it asks to review adherence and the "
                "treatment (or, for a drug started after the earlier scan, to check the "
                "response at the next scan) instead. The rule is the same for scans days apart, "
                "but the application asks, when a scan is entered, to confirm a change of at "
                "least the LSC between scans on one scanner fewer than "
                f"{th.SHORT_REPEAT_DAYS} days apart (a design choice: so short a repeat is "
                "usually a re-acquisition or a slip, not bone), and the imports refuse it.",
                outputs=(alert(AlertCode.RAPID_BMD_LOSS, Severity.HIGH, "one alert per site"),),
                example="Total hip 0.800 then 0.750 g/cm² 365 days apart: -6.3 %/year, rapid.",
            ),
        ),
    ),
    Section(
        title="Next DEXA",
        intro="When the next scan is due. Every assessment recommends the baseline or the "
        "repeat DEXA with its due date.",
        rules=(
            RuleEntry(
                rule=RuleId.SCHED_BASELINE,
                title="Baseline DEXA",
                checks="No scan on file: the baseline DEXA is due at the aromatase inhibitor's "
                "start (on the assessment date without one). It may follow the start by "
                f"{th.BASELINE_GRACE_MONTHS} months; after that it is missing.",
                outputs=(
                    alert(
                        AlertCode.BASELINE_DEXA_DUE,
                        Severity.WARNING,
                        f"within {th.BASELINE_GRACE_MONTHS} months of the start, or no "
                        "aromatase inhibitor",
                    ),
                    alert(
                        AlertCode.BASELINE_DEXA_MISSING,
                        Severity.HIGH,
                        f"more than {th.BASELINE_GRACE_MONTHS} months after the start",
                    ),
                    rec(RecommendationCode.BASELINE_DEXA, "no scan on file"),
                ),
            ),
            RuleEntry(
                rule=RuleId.SCHED_LOW,
                title="Interval at low risk",
                checks=f"Latest scan + {th.INTERVAL_LOW_MONTHS} months.",
                outputs=(rec(RecommendationCode.REPEAT_DEXA, "a scan on file"),),
            ),
            RuleEntry(
                rule=RuleId.SCHED_MODERATE,
                title="Interval at moderate risk",
                checks=f"Latest scan + {th.INTERVAL_MODERATE_MONTHS} months.",
                outputs=(rec(RecommendationCode.REPEAT_DEXA, "a scan on file"),),
            ),
            RuleEntry(
                rule=RuleId.SCHED_HIGH,
                title="Interval at high risk",
                checks=f"Latest scan + {th.INTERVAL_HIGH_MONTHS} months.",
                outputs=(rec(RecommendationCode.REPEAT_DEXA, "a scan on file"),),
            ),
            RuleEntry(
                rule=RuleId.SCHED_STABLE_ON_THERAPY,
                title="Stable on therapy",
                checks="An antiresorptive course active today had been active for at least "
                f"{th.STABLE_ON_THERAPY_MIN_MONTHS} months on the latest scan date, at least one "
                "site was compared on the same scanner, and no site shows a significant "
                f"decrease: latest scan + {th.INTERVAL_STABLE_ON_THERAPY_MONTHS} months, in place "
                "of the interval of the risk category. Not for a course with a fragility "
                "fracture dated after its start (see FX-ON-THERAPY): a patient who fractured on "
                "the drug is not stable on it; nor for a course whose drug the latest kidney "
                "function rules out (RENAL_CONTRAINDICATION): it is to stop, and the letters ask "
                "to stop it and switch (the specification is silent on both; the conservative "
                "reading).",
                outputs=(rec(RecommendationCode.REPEAT_DEXA, "a scan on file"),),
            ),
            RuleEntry(
                rule=RuleId.SCHED_PLAN,
                title="Physician's planned date",
                checks="A date a physician set in the monitoring plan replaces the computed "
                "date; the computed date is still shown beside it. A scan dated after the day the "
                "plan was set fulfils the plan: from then the computed date applies again and "
                "the recommendation says which scan met the plan (the rules are silent on a "
                "scan after the plan; so a met plan neither asks for a second scan nor raises "
                "DEXA_OVERDUE). A scan of the day the plan was set does not fulfil it: the "
                "plan was most likely made after reading that scan.",
            ),
            RuleEntry(
                rule=RuleId.SCHED_OVERDUE,
                title="DEXA overdue",
                checks="A scan is on file and the next DEXA's due date has passed. Without a "
                "scan the baseline alerts apply instead.",
                outputs=(alert(AlertCode.DEXA_OVERDUE, Severity.WARNING, "due date passed"),),
            ),
        ),
    ),
    Section(
        title="Projection",
        intro="An estimate, never a fact: when the T-score may cross the treatment thresholds.",
        rules=(
            RuleEntry(
                rule=RuleId.PROJ,
                title="Projected T-score",
                checks="For lumbar spine, total hip and femoral neck with a current T-score above "
                f"{num(th.PROJECTION_THRESHOLDS[1])}: T(t) = T0 - BMD0 x r x t / SD, t in years. "
                "Own trend when the site has a significant decrease over at least "
                f"{th.ANNUALIZE_MIN_DAYS} days and its T-score changed (r its annualized loss, SD "
                "from the same two measurements). Otherwise, with an aromatase inhibitor active "
                "and no antiresorptive, the ATAC median loss: "
                f"{num(_ATAC[Site.LUMBAR_SPINE])} %/year spine, "
                f"{num(_ATAC[Site.TOTAL_HIP])} %/year hip and neck, SD "
                f"{num(_SD[Site.LUMBAR_SPINE])} spine and {num(_SD[Site.TOTAL_HIP])} hip and neck "
                "g/cm². Otherwise no projection. The dates of crossing "
                f"{num(th.PROJECTION_THRESHOLDS[0])} and "
                f"{num(th.PROJECTION_THRESHOLDS[1])} are reported; none beyond "
                f"{th.PROJECTION_HORIZON_YEARS} years. Where T-score categories do not apply "
                "(WHO-CAT: a premenopausal woman, a man under "
                f"{th.MALE_T_SCORE_MIN_AGE}) the projection is still computed, but the "
                "application shows neither it nor the WHO bands on the BMD chart, and says why: "
                "its thresholds are T-score categories and the ATAC rates postmenopausal losses "
                "(the specification is silent; the conservative reading). The chart shows the "
                "Z-scores instead. Likewise the application shows no ATAC median "
                "projection for a man (ATAC measured postmenopausal women on anastrozole; a "
                "man's own-trend projection is shown), and none from a scan taken before the "
                "last start or stop of bone therapy: an estimate across an antiresorptive course "
                "would not reflect it. It says why in both cases (the specification is silent; "
                "the conservative reading).",
            ),
        ),
    ),
)
