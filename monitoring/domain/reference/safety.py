"""Reference entries of labs, drug safety, bone turnover markers and what every patient gets."""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from .. import thresholds as th
from ..types import AlertCode, RecommendationCode, RuleId, Severity
from .model import RuleEntry, Section, alert, num, rec

_CA_LOW, _CA_HIGH = th.CALCIUM_MG_PER_DAY
_VD_LOW, _VD_HIGH = th.VITAMIN_D_IU_PER_DAY


def _months_still_acting() -> str:
    """How long a stopped course's last dose counts: "6 months", or per drug if they differ."""
    months = th.DOSE_STILL_ACTING_MONTHS
    if len(set(months.values())) == 1:
        return f"{next(iter(months.values()))} months"
    return ", ".join(f"{n} months for {drug.replace('_', ' ')}" for drug, n in months.items())


_STILL_ACTING = _months_still_acting()


def _nmol(limit: Decimal) -> str:
    """A vitamin D limit (ng/mL) as the guideline writes it in nmol/L."""
    return num(th.VITD_LIMITS_NMOL_L[limit])


_VITD_NMOL_L = ", ".join(
    f"{num(ng)} ng/mL as {num(nmol)} nmol/L" for ng, nmol in th.VITD_LIMITS_NMOL_L.items()
)

SECTIONS: Final = (
    Section(
        title="Labs and drug safety",
        intro=f"Lab results count for {th.LAB_VALID_MONTHS} months.",
        rules=(
            RuleEntry(
                rule=RuleId.VITD,
                title="Vitamin D",
                checks="The latest 25-OH vitamin D: deficient below "
                f"{num(th.VITD_DEFICIENT_BELOW)} ng/mL, insufficient from "
                f"{num(th.VITD_DEFICIENT_BELOW)} to below {num(th.VITD_SUFFICIENT_FROM)} ng/mL; "
                "a result entered in nmol/L is judged against the same limits as the Endocrine "
                f"Society 2011 guideline writes them in nmol/L ({_VITD_NMOL_L}), as entered. The "
                "two numbers of a limit differ slightly (30 ng/mL is 74.88 nmol/L, 75 nmol/L is "
                "30.05 ng/mL): judged in the unit entered, a result never reads below a limit on "
                "the page while judged above it (74.9 nmol/L is insufficient). The specification "
                "states the limits in ng/mL only: this is the cautious reading. "
                f"Below {num(th.VITD_SUFFICIENT_FROM)} the patient is to be repleted and "
                f"rechecked {th.VITD_RECHECK_MONTHS} months after the result. A deficiency "
                "with zoledronic acid or denosumab planned asks for repletion before it; once "
                "the drug is started, for repletion now and a calcium check. With therapy "
                "indicated and none planned, the deficiency stays a warning, and the advice to "
                "start an antiresorptive opens with repleting vitamin D and checking the calcium "
                "before zoledronic acid or denosumab is started (after denosumab: repletion "
                "started now, the follow-on not put off). The specification is silent on the "
                "start advice beside a deficiency and names no loading dose and no "
                "severe-deficiency level: the words name none (the cautious reading).",
                outputs=(
                    alert(
                        AlertCode.VITAMIN_D_DEFICIENT,
                        Severity.WARNING,
                        f"below {num(th.VITD_DEFICIENT_BELOW)} ng/mL "
                        f"({_nmol(th.VITD_DEFICIENT_BELOW)} nmol/L)",
                    ),
                    alert(
                        AlertCode.VITAMIN_D_DEFICIENT,
                        Severity.HIGH,
                        "as above, with zoledronic acid or denosumab planned or started within "
                        f"{th.RECENT_START_MONTHS} months",
                    ),
                    alert(
                        AlertCode.VITAMIN_D_INSUFFICIENT,
                        Severity.INFO,
                        f"{num(th.VITD_DEFICIENT_BELOW)} to below "
                        f"{num(th.VITD_SUFFICIENT_FROM)} ng/mL "
                        f"({_nmol(th.VITD_DEFICIENT_BELOW)} to below "
                        f"{_nmol(th.VITD_SUFFICIENT_FROM)} nmol/L)",
                    ),
                    alert(AlertCode.VITAMIN_D_NOT_MEASURED, Severity.INFO, "none on file"),
                    rec(
                        RecommendationCode.REPLETE_VITAMIN_D,
                        f"below {num(th.VITD_SUFFICIENT_FROM)} ng/mL "
                        f"({_nmol(th.VITD_SUFFICIENT_FROM)} nmol/L)",
                    ),
                ),
                example="25-OH vitamin D entered as 45 nmol/L (18.03 ng/mL) is below 50 nmol/L: "
                "deficient. Entered as 74.9 nmol/L it is insufficient (below 75 nmol/L), although "
                "it is 30.01 ng/mL; entered as 30 ng/mL (74.88 nmol/L) it is sufficient.",
            ),
            RuleEntry(
                rule=RuleId.CA_LOW,
                title="Calcium before zoledronic acid or denosumab",
                checks="With zoledronic acid or denosumab planned or active, the latest "
                "albumin-adjusted calcium must be at least "
                f"{num(th.CALCIUM_LOW_BELOW)} mmol/L: correct hypocalcaemia before the dose. "
                "A stopped course still counts until its dosing interval has passed since its "
                f"last dose (or its start, with no dose recorded): {_STILL_ACTING}. The dose "
                "keeps acting, and hypocalcaemia is most likely in the weeks after it. The "
                "specification is silent about stopped courses; this is the cautious reading.",
                outputs=(
                    alert(
                        AlertCode.HYPOCALCEMIA,
                        Severity.CRITICAL,
                        f"below {num(th.CALCIUM_LOW_BELOW)} mmol/L",
                    ),
                    alert(AlertCode.CALCIUM_NOT_MEASURED, Severity.WARNING, "none on file"),
                ),
            ),
            RuleEntry(
                rule=RuleId.CA_LOW_OTHER,
                title="Low calcium without zoledronic acid or denosumab",
                checks="Where CA-LOW does not judge the calcium (no zoledronic acid or denosumab "
                "planned, active or still acting), the latest albumin-adjusted calcium of the "
                f"last {th.LAB_VALID_MONTHS} months below {num(th.CALCIUM_LOW_BELOW)} mmol/L "
                "still raises an alert, with the severity set by what it holds up. With "
                "alendronate, risedronate or ibandronate planned or active: high, as their "
                "labels list hypocalcaemia as a contraindication (section 4.3) and ask for it "
                "to be corrected before the drug is started (section 4.4); a physician decides "
                "whether to hold the drug, and the dose and course checklists fail the calcium "
                "check until it is corrected or overridden with a reason. With bone-protective "
                "therapy indicated and none planned or active: high, beside the start it holds "
                "up, since every antiresorptive's label (the denosumab label included) asks for "
                "hypocalcaemia to be corrected before it is started; the start-therapy "
                "recommendation then says to correct the calcium first. Otherwise: warning, an "
                "abnormal result whose cause is to be found. The specification is silent on a "
                "low calcium outside CA-LOW (the conservative reading); CA-LOW itself is "
                "unchanged, and the two never both speak of one result.",
                outputs=(
                    alert(
                        AlertCode.CALCIUM_LOW,
                        Severity.HIGH,
                        f"below {num(th.CALCIUM_LOW_BELOW)} mmol/L, an oral bisphosphonate "
                        "planned or active, or therapy indicated and none planned or active",
                    ),
                    alert(
                        AlertCode.CALCIUM_LOW,
                        Severity.WARNING,
                        f"below {num(th.CALCIUM_LOW_BELOW)} mmol/L otherwise",
                    ),
                ),
                example="Alendronate since 2026-09-28 and an adjusted calcium of 1.90 mmol/L on "
                "2026-12-06: CALCIUM_LOW (high), and the next dose's calcium check fails.",
            ),
            RuleEntry(
                rule=RuleId.RENAL,
                title="Kidney function for the planned or active drug",
                checks="Kidney function is the latest creatinine clearance or eGFR (mL/min; "
                "clearance wins on the same date); a serum creatinine alone never makes one. "
                "A creatinine of the eGFR's sample, with the patient's weight on record, gives "
                "the Cockcroft-Gault estimate (("
                f"{th.COCKCROFT_GAULT_AGE_FROM} - age) x weight (kg) / "
                f"({th.COCKCROFT_GAULT_DIVISOR} x creatinine in mg/dL), x "
                f"{num(th.COCKCROFT_GAULT_FEMALE_FACTOR)} for a woman, age on the sample date); "
                "when it is lower than that eGFR it is that date's creatinine clearance, and "
                "judged (the conservative reading: the drug labels set their limits in "
                "creatinine clearance, which an eGFR per 1.73 m² overstates in a small, elderly "
                "woman; a higher estimate leaves the eGFR judged, so it never makes a drug look "
                "safer, whatever the weight's age; a measured clearance of that date wins). The "
                "alert names the creatinine and weight it comes from; without a weight it asks "
                "for one. Where kidney function is unknown, or a creatinine is newer than the "
                "clearance or eGFR used, the alert adds that creatinine and its estimate, saying "
                "when it is below the drug's limit and asking for a measured clearance or eGFR. "
                "Such a creatinine (newer, or with no kidney function on file) whose estimate, "
                "with the weight on record, is below a planned or active drug's limit while the "
                "kidney function used is not speaks last for that drug: it never becomes the "
                "kidney function (a creatinine alone is not a clearance), but the spec is silent "
                "on it and the conservative reading raises RENAL_FUNCTION_UNKNOWN at high, asking "
                "for a measured clearance or eGFR before the next dose; the pre-treatment check "
                "shows that estimate and fails (a caution before denosumab), for a physician to "
                "override. Zoledronic acid: "
                "contraindicated below "
                f"{num(th.ZOLEDRONIC_CONTRAINDICATED_BELOW)}, dose check up to "
                f"{num(th.ZOLEDRONIC_DOSE_CHECK_MAX)} inclusive (the stricter 5 mg label limit "
                "is applied to both strengths). Alendronate: contraindicated below "
                f"{num(th.ALENDRONATE_CONTRAINDICATED_BELOW)}; risedronate and ibandronate below "
                f"{num(th.RISEDRONATE_IBANDRONATE_CONTRAINDICATED_BELOW)}. Denosumab below "
                f"{num(th.DENOSUMAB_HYPOCALCEMIA_RISK_BELOW)}: not a contraindication, but a "
                "risk of severe hypocalcaemia, so a stopped denosumab course still counts for "
                f"it as in CA-LOW ({_STILL_ACTING} after the last dose). The other checks come "
                "before a dose, which a stopped course will not get: they end with the course. "
                "With no kidney function on file the specification names only zoledronic acid; "
                "the conservative reading asks for one before the other drugs are given too, as "
                "their limits cannot be checked against an unknown value: before every "
                "denosumab injection (planned or active), and before an oral bisphosphonate is "
                f"started (planned or started within {th.RECENT_START_MONTHS} months), not "
                "for a course already past its start. "
                "One alert per code, at the highest severity that applies. An active course "
                "whose drug is contraindicated: the letters ask to stop it and switch to an "
                "antiresorptive the kidney function allows, and it does not earn "
                "SCHED-STABLE-ON-THERAPY's interval (the specification gives only the alert; "
                "the conservative reading).",
                outputs=(
                    alert(
                        AlertCode.RENAL_CONTRAINDICATION,
                        Severity.CRITICAL,
                        f"zoledronic acid below {num(th.ZOLEDRONIC_CONTRAINDICATED_BELOW)} mL/min",
                    ),
                    alert(
                        AlertCode.RENAL_CONTRAINDICATION,
                        Severity.HIGH,
                        "an oral bisphosphonate below its limit",
                    ),
                    alert(
                        AlertCode.RENAL_DOSE_CHECK,
                        Severity.WARNING,
                        f"zoledronic acid, {num(th.ZOLEDRONIC_CONTRAINDICATED_BELOW)} to "
                        f"{num(th.ZOLEDRONIC_DOSE_CHECK_MAX)} mL/min",
                    ),
                    alert(
                        AlertCode.RENAL_FUNCTION_UNKNOWN,
                        Severity.WARNING,
                        "no kidney function on file: zoledronic acid or denosumab planned or "
                        "active, an oral bisphosphonate planned or started within "
                        f"{th.RECENT_START_MONTHS} months",
                    ),
                    alert(
                        AlertCode.RENAL_FUNCTION_UNKNOWN,
                        Severity.HIGH,
                        "a creatinine newer than the kidney function used (or with none on "
                        "file) whose estimate is below a planned or active drug's limit",
                    ),
                    alert(
                        AlertCode.HYPOCALCEMIA_RISK_RENAL,
                        Severity.HIGH,
                        f"denosumab below {num(th.DENOSUMAB_HYPOCALCEMIA_RISK_BELOW)} mL/min, "
                        "also after a stop while the last dose still acts",
                    ),
                ),
                example="eGFR 48 with zoledronic acid planned: dose check (warning). A woman "
                "of 76, 47 kg, with eGFR 40 and creatinine 110 µmol/L of one sample: estimated "
                "clearance 28.5 mL/min, so zoledronic acid is contraindicated (critical). A "
                "woman of 78, 48 kg, on zoledronic acid with eGFR 80 in June and creatinine 160 "
                "µmol/L in November: estimated clearance 19.4 mL/min, so kidney function to "
                "measure before the infusion (high).",
            ),
            RuleEntry(
                rule=RuleId.DMAB_SCHEDULE,
                title="Denosumab and zoledronic acid doses",
                checks="For an active denosumab course the next dose is due "
                f"{th.DENOSUMAB_INTERVAL_MONTHS} months after the last dose (or the start, "
                "with no dose recorded). Days late = assessment date - due date. The last dose "
                "is the latest on any denosumab course (a switch to a biosimilar or a restart "
                "opens a new course); a course's start counts as a dose only when no dose (nor "
                "a start so counted) falls within the "
                f"{th.DENOSUMAB_INTERVAL_MONTHS} months before it: a restart after a lapse, not "
                "a switch, whose start is no injection (the specification is silent about "
                "several courses; the conservative reading). The stop alert (DMAB-STOP), the "
                "worklist and the letters use this same last dose and due date. Zoledronic acid's "
                "next infusion (the schedule's zoledronic_acid_dose: the adjuvant 4 mg every "
                f"{th.ZOLEDRONIC_INTERVAL_MONTHS} months, for an active course) is due "
                f"{th.ZOLEDRONIC_INTERVAL_MONTHS} months after its last infusion, read the same "
                "way on every zoledronic acid course: a course of the same drug opened within "
                f"{th.ZOLEDRONIC_INTERVAL_MONTHS} months of the last infusion (recorded again, "
                "or split in two) leaves the next infusion where it was. One exception: a "
                "zoledronic acid course started as denosumab's follow-on with no infusion "
                "recorded, while DMAB-STOP is on, has its first infusion due on its start, not "
                f"{th.ZOLEDRONIC_INTERVAL_MONTHS} months after it (the specification times it "
                "from the last dose or the start; DMAB-STOP counts zoledronic acid only once an "
                "infusion is recorded, so the schedule does not assume the start was one: the "
                "infusion that clears the alert is then on the worklist, as a nurse's row, not a "
                "physician's decision; the conservative reading, which only makes the infusion "
                "due earlier). Before a "
                "denosumab or zoledronic acid dose is recorded, the app checks the time since "
                "the patient's previous dose of the same drug, the last dose read the same way "
                "with the course's own start: a dose more than "
                f"{th.EARLY_DOSE_MAX_DAYS_BEFORE_DUE} days before it is due fails the "
                "pre-treatment check and is saved only with a physician's override and its "
                "reason (the specification is silent on early doses and on who overrides; the "
                "conservative reading). A course's start is the day of its first dose; a first "
                "dose recorded later, at most "
                f"{th.FIRST_DOSE_MAX_DAYS_AFTER_START} days after a start counted as a dose, with "
                "no dose since, is that first dose given on another day: it passes the check, "
                "and the next dose is due from it, not from the start. Later than that, it fails "
                "as too early, as the start may have been a dose not recorded (the specification "
                "is silent; the conservative reading).",
                outputs=(
                    alert(
                        AlertCode.DENOSUMAB_DUE,
                        Severity.WARNING,
                        f"0 to {th.DENOSUMAB_DUE_MAX_DAYS_LATE} days late",
                    ),
                    alert(
                        AlertCode.DENOSUMAB_OVERDUE,
                        Severity.HIGH,
                        f"{th.DENOSUMAB_DUE_MAX_DAYS_LATE + 1} to "
                        f"{th.DENOSUMAB_OVERDUE_MAX_DAYS_LATE} days late",
                    ),
                    alert(
                        AlertCode.DENOSUMAB_REBOUND_RISK,
                        Severity.CRITICAL,
                        f"more than {th.DENOSUMAB_OVERDUE_MAX_DAYS_LATE} days late",
                    ),
                    rec(
                        RecommendationCode.GIVE_DENOSUMAB,
                        "from the due date. With HYPOCALCEMIA raised, it and the dose alert say "
                        "to correct the calcium first, then to give the dose as soon as the "
                        "calcium is normal (the delay as short as possible: rebound); with "
                        "VITAMIN_D_DEFICIENT, to give it on time with vitamin D repletion "
                        "started now and a normal calcium checked first, not to hold it for "
                        "vitamin D alone. The rule ids of those alerts join its own. The "
                        "specification is silent; the conservative reading.",
                    ),
                ),
                example="Last dose 2025-01-10, so due 2025-07-10; on 2025-08-20 it is 41 days "
                "late: overdue (high). A switch to a biosimilar course started 2025-06-01 with "
                "no injection yet leaves it due 2025-07-10.",
            ),
            RuleEntry(
                rule=RuleId.DMAB_STOP,
                title="Denosumab stopped without follow-on",
                checks="The latest denosumab course is stopped and no bisphosphonate course "
                "started on or after its last dose (or its start, with no dose recorded; the "
                "last dose as DMAB-SCHEDULE reads it, on any course) is its follow-on. An oral "
                "bisphosphonate is the follow-on while it runs; once stopped, only if it ran "
                f"{th.DENOSUMAB_FOLLOW_ON_ORAL_MIN_MONTHS} months or more (ECTS 2021: an oral "
                "bisphosphonate for 1-2 years after denosumab; a course stopped after a week is "
                "no protection). Zoledronic acid is the follow-on once an infusion is recorded; "
                "while a course started as the follow-on awaits its infusion, the follow-on is "
                "decided: the alert is DENOSUMAB_FOLLOW_ON_INFUSION_AWAITED in place of "
                "DENOSUMAB_STOPPED_NO_FOLLOW_ON (at the same severity; never both), it and the "
                "advice say to record the infusion, not to start a follow-on, and the worklist "
                "lists that infusion (due on the course's start) in place of the physician's "
                "decision. "
                "The specification is silent on both; the conservative reading. "
                "A course stopped on its own start date with no dose recorded was never taken "
                "and is no follow-on (the rules are silent; the conservative reading); it does "
                "not count as a course started anywhere else either. Likewise, a zoledronic "
                "acid course stopped with no infusion recorded was never given (an infusion is "
                "recorded as a dose) and is no follow-on; an oral bisphosphonate has no dose "
                "records, so only the zero-day course is discounted. A denosumab restart stopped "
                "with no injection recorded is passed over: the alert is timed from the last "
                "injection on an earlier course. "
                "Stopping denosumab without a bisphosphonate risks rebound vertebral fractures. "
                "The same risk, where the specification is silent, read conservatively: ending a "
                "patient's follow-up while a denosumab course is active (which takes the next "
                "injection off the worklist) needs the physician's explicit confirmation on the "
                "end-of-follow-up form, which names the course and its next dose due.",
                outputs=(
                    alert(
                        AlertCode.DENOSUMAB_STOPPED_NO_FOLLOW_ON,
                        Severity.WARNING,
                        f"until {th.DENOSUMAB_INTERVAL_MONTHS} months after the last dose",
                    ),
                    alert(
                        AlertCode.DENOSUMAB_STOPPED_NO_FOLLOW_ON,
                        Severity.CRITICAL,
                        "after that",
                    ),
                    alert(
                        AlertCode.DENOSUMAB_FOLLOW_ON_INFUSION_AWAITED,
                        Severity.WARNING,
                        "in place of DENOSUMAB_STOPPED_NO_FOLLOW_ON while zoledronic acid "
                        "started as the follow-on awaits its infusion: until "
                        f"{th.DENOSUMAB_INTERVAL_MONTHS} months after the last dose",
                    ),
                    alert(
                        AlertCode.DENOSUMAB_FOLLOW_ON_INFUSION_AWAITED,
                        Severity.CRITICAL,
                        "the same, after that",
                    ),
                    rec(
                        RecommendationCode.START_FOLLOW_ON_THERAPY,
                        "whenever either alert is on (with the infusion awaited: give it, due "
                        "since the course's start, and the advice is due by the alert's date, "
                        f"{th.DENOSUMAB_INTERVAL_MONTHS} months after the last dose, so the two "
                        "say one date and one urgency); it names zoledronic acid as the usual "
                        "follow-on unless the latest kidney function of the last "
                        f"{th.LAB_VALID_MONTHS} months is below a bisphosphonate's RENAL limit: "
                        "then it says which are contraindicated (all of them below "
                        f"{num(th.RISEDRONATE_IBANDRONATE_CONTRAINDICATED_BELOW)} mL/min: "
                        "kidney function does not rule out denosumab, with its hypocalcaemia "
                        "risk, and specialist advice is asked for). With a TX trigger firing it "
                        "is the one advice to start an antiresorptive (no START_BONE_THERAPY "
                        "beside it) and names the triggers, which join its rules; with the "
                        f"latest adjusted calcium of the last {th.LAB_VALID_MONTHS} months below "
                        f"{num(th.CALCIUM_LOW_BELOW)} mmol/L it opens with correcting the "
                        "calcium first, as START_BONE_THERAPY does. The specification is "
                        "silent; the conservative reading.",
                    ),
                ),
            ),
            RuleEntry(
                rule=RuleId.DENTAL,
                title="Dental review before zoledronic acid or denosumab",
                checks="A zoledronic acid or denosumab course planned or started within "
                f"{th.RECENT_START_MONTHS} months has no dental review that counts (risk of "
                "osteonecrosis of the jaw). The specification asks only for a review date; "
                "where it is silent, the conservative reading: a review dated after the "
                "assessment date is an appointment, not a review done; a review dated more "
                f"than {th.DENTAL_REVIEW_VALID_MONTHS} months before the course's start (or its "
                "planned start; a planned course with no start date: before the assessment "
                "date) is not the review before this course, and the alert says it is too old "
                "and a new one is needed. A review after the start of a course begun without "
                f"one counts. The {th.DENTAL_REVIEW_VALID_MONTHS} months are a design choice: "
                "the drug labels and the ONJ task-force advice ask for a dental examination "
                "before starting and fix no age. The entry forms take an older date (it may be "
                "true) and say beside the field and on saving that it does not count.",
                outputs=(
                    alert(
                        AlertCode.DENTAL_REVIEW_MISSING,
                        Severity.WARNING,
                        "no review date, a date to come, or a review too old",
                    ),
                ),
            ),
            RuleEntry(
                rule=RuleId.BP_DURATION,
                title="Bisphosphonate duration",
                checks="Bisphosphonate taken for "
                f"{th.ORAL_BP_REVIEW_MONTHS} months or more, or zoledronic acid for "
                f"{th.ZOLEDRONIC_REVIEW_MONTHS} months or more, up to a course active today: "
                "review the treatment; no drug holiday while the aromatase inhibitor continues "
                "(nor while one is planned). With no aromatase inhibitor active or planned, the "
                "alert says instead that a drug holiday may be considered if the fracture risk "
                "is not high (ASBMR 2016; the specification is silent; the conservative "
                "reading). The specification counts one course; the conservative reading counts "
                "continuous exposure, as ASBMR 2016 times its review by the years of treatment: "
                "courses follow on from each other (a switch of drug, a stop and restart) unless "
                f"{th.BP_EXPOSURE_BREAK_MONTHS} months or more separate one stop from the next "
                "start, and the years count from the first start, the gaps included. Any "
                f"bisphosphonate counts towards the {th.ORAL_BP_REVIEW_MONTHS} months (the longer "
                "limit, so a mix is never held to zoledronic acid's), zoledronic acid courses "
                f"alone towards the {th.ZOLEDRONIC_REVIEW_MONTHS}. The "
                f"{th.BP_EXPOSURE_BREAK_MONTHS} months are a design choice: a pause under a year "
                "is no drug holiday (ASBMR 2016 reassesses a holiday after 2-3 years, and the "
                "atypical femoral fracture risk falls by about 70 % a year after the last dose, "
                "Schilcher et al., Acta Orthop 2015;86:100-107).",
                outputs=(
                    alert(
                        AlertCode.BISPHOSPHONATE_DURATION_REVIEW,
                        Severity.INFO,
                        "duration reached",
                    ),
                ),
                example="Alendronate from 2020-01-01 to 2023-01-01, then risedronate from "
                "2023-01-01: reviewed from 2025-01-01, 5 years after the first start.",
            ),
            RuleEntry(
                rule=RuleId.FX_ON_THERAPY,
                title="Fragility fracture on therapy",
                checks="A fragility fracture dated "
                f"{th.FRACTURE_ON_THERAPY_MIN_MONTHS} months or more after the start of an "
                "antiresorptive course still active: a possible treatment failure; the physician "
                "reviews adherence, secondary causes of osteoporosis and a change of therapy. A "
                "fracture counts with its date: the patient record's (an undated one cannot be "
                "placed), or a new vertebral fracture on a scan's VFA, dated the scan (the first "
                "VFA to see a fracture, or one after a VFA that saw none). Each course counts its "
                "own months, so a change of drug clears the alert. A fracture dated after a "
                "course's start, even in its first months, also rules out SCHED-STABLE-ON-THERAPY "
                "for that course. The specification is silent on a fracture on therapy; IOF 2012 "
                "calls two fractures a failure, one is enough to ask for a review here: the "
                "conservative reading.",
                outputs=(
                    alert(
                        AlertCode.FRACTURE_ON_THERAPY,
                        Severity.HIGH,
                        "a fracture after the course's first "
                        f"{th.FRACTURE_ON_THERAPY_MIN_MONTHS} months",
                    ),
                ),
                example="Alendronate since 2024-01-10, a VFA of 2024-01-05 with no fracture and "
                "one of 2026-11-01 with a vertebral fracture: FRACTURE_ON_THERAPY, and the next "
                "DEXA 12 months after 2026-11-01, not 24.",
            ),
        ),
    ),
    Section(
        title="Bone turnover markers",
        intro="Whether an antiresorptive works, from CTX and P1NP before and after its start.",
        rules=(
            RuleEntry(
                rule=RuleId.BTM_RESPONSE,
                title="Response to the antiresorptive",
                checks="For the most recently started antiresorptive course, during its first "
                f"{th.BTM_WINDOW_MONTHS} months, per marker: the baseline is its latest sample "
                f"from {th.BTM_BASELINE_DAYS_BEFORE} days before the start up to the start, the "
                f"follow-up its earliest sample {th.BTM_FOLLOW_UP_MIN_DAYS} to "
                f"{th.BTM_FOLLOW_UP_MAX_DAYS} days after the start; CTX counts only fasting. "
                f"Adequate when CTX fell by {num(th.CTX_ADEQUATE_FALL_PCT)} % or more or P1NP by "
                f"{num(th.P1NP_ADEQUATE_FALL_PCT)} % or more; not confirmed when only CTX has a "
                f"pair and it fell {num(th.CTX_NOT_CONFIRMED_FALL_PCT)} % to below "
                f"{num(th.CTX_ADEQUATE_FALL_PCT)} %; inadequate otherwise; no result when no "
                "marker has a pair.",
                outputs=(
                    alert(AlertCode.BTM_RESPONSE_ADEQUATE, Severity.INFO, "adequate"),
                    alert(AlertCode.BTM_RESPONSE_NOT_CONFIRMED, Severity.WARNING, "not confirmed"),
                    alert(AlertCode.BTM_RESPONSE_INADEQUATE, Severity.WARNING, "inadequate"),
                ),
                example="Fasting CTX 0.50 ng/mL at the start and 0.20 ng/mL 90 days later: a "
                "60 % fall, adequate.",
            ),
            RuleEntry(
                rule=RuleId.BTM_DUE,
                title="Response check due",
                checks=f"An antiresorptive course started {th.BTM_FOLLOW_UP_MIN_DAYS} to "
                f"{th.BTM_FOLLOW_UP_MAX_DAYS} days ago has a baseline sample but no follow-up "
                f"yet. The worklist shows the check {th.BTM_CHECK_MONTHS} months after the start.",
                outputs=(rec(RecommendationCode.CHECK_BTM_RESPONSE, "follow-up sample missing"),),
            ),
        ),
    ),
    Section(
        title="For every patient",
        intro="Advice for every patient, worded with the patient's calcium and vitamin D results.",
        rules=(
            RuleEntry(
                rule=RuleId.ALWAYS,
                title="Calcium, vitamin D, lifestyle and FRAX",
                checks=f"Calcium {_CA_LOW}-{_CA_HIGH} mg/day (diet first) and vitamin D "
                f"{_VD_LOW}-{_VD_HIGH} IU/day; weight-bearing and balance exercise, no smoking, "
                "less alcohol, worded with the smoking and alcohol recorded: stop smoking for a "
                "current smoker, stay off smoking for a former one, nothing of smoking for one "
                "who never smoked; alcohol kept under 3 units a day, or cut to it when 3 or more "
                "are recorded (the specification leaves the words open). A FRAX score when none "
                "is on file, knowing that FRAX is not "
                "validated in cancer and does not model aromatase-inhibitor bone loss once BMD "
                f"is entered. FRAX is built on ages {th.FRAX_AGE_MIN} to {th.FRAX_AGE_MAX} "
                "(Kanis 2008) and is not validated before the menopause: for a patient under "
                f"{th.FRAX_AGE_MIN} or a premenopausal woman the same recommendation says why "
                "FRAX does not apply instead of asking for a score, and the FRAX form warns "
                "(never refuses) for an age outside that range or a premenopausal woman (the "
                "specification asks for it for every patient; the conservative reading). The "
                "calcium and vitamin D advice is worded with the results: with "
                "vitamin D to be repleted (VITD) it says a repletion course comes first, then "
                "the maintenance dose; with a low adjusted calcium (CA-LOW or CA-LOW-OTHER) it "
                "opens with correcting the calcium and checking it again, with no recheck date, "
                "as no source gives one. The specification is silent on both (the cautious "
                "reading).",
                outputs=(
                    rec(RecommendationCode.CALCIUM_VITAMIN_D, "always"),
                    rec(RecommendationCode.LIFESTYLE, "always"),
                    rec(RecommendationCode.RECORD_FRAX, "no FRAX result on file"),
                ),
            ),
        ),
    ),
)
