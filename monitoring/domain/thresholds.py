"""Every number the rules use, named, with its source. Not edited at run time.

Source names are the short names of `docs/clinical-rules.md`; "design choice" marks a number
that no source fixes.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Final

from .types import Analyte, BoneTherapyDrug, Site

# --- Classification (WHO 1994; ISCD) ------------------------------------------------------------
T_NORMAL_MIN: Final = Decimal("-1.0")  # WHO 1994: T >= -1.0 is normal
T_OSTEOPOROSIS_MAX: Final = Decimal("-2.5")  # WHO 1994: T <= -2.5 is osteoporosis
Z_BELOW_EXPECTED_MAX: Final = Decimal("-2.0")  # ISCD 2019: Z <= -2.0 is below the expected range
MALE_T_SCORE_MIN_AGE: Final = 50  # ISCD: T-scores apply to men aged 50 or more

# --- Risk factors (Hadji 2017; Seed-A adds alcohol) ----------------------------------------------
RF_T_BELOW: Final = Decimal("-1.5")  # Hadji 2017: T < -1.5
RF_AGE_OVER: Final = 65  # Hadji 2017: age > 65
RF_BMI_UNDER: Final = Decimal("20.0")  # Hadji 2017: BMI < 20 kg/m²
RF_GLUCOCORTICOID_MONTHS_OVER: Final = Decimal(6)  # Hadji 2017: oral glucocorticoids > 6 months

# --- Therapy triggers ---------------------------------------------------------------------------
TX_T_OSTEOPOROSIS: Final = Decimal("-2.5")  # Seed-A, Seed-B; ASCO 2019: T <= -2.5
TX_AI_T_BELOW: Final = Decimal("-2.0")  # Hadji 2017; ESMO 2020: T < -2.0 (strict) on an AI
TX_AI_MIN_RISK_FACTORS: Final = 2  # Hadji 2017: 2 or more risk factors on an AI
FRAX_MAJOR_PCT: Final = Decimal("20.0")  # BHOF 2022; ASCO 2019: 10-year major fracture >= 20 %
FRAX_HIP_PCT: Final = Decimal("3.0")  # BHOF 2022; ASCO 2019: 10-year hip fracture >= 3 %
# Kanis 2008 (FRAX, Osteoporos Int 19:385): the FRAX models are built on ages 40 to 90; the
# calculator computes a younger or older age as 40 or 90 (frax_scope.py).
FRAX_AGE_MIN: Final = 40
FRAX_AGE_MAX: Final = 90

# --- Change between scans (ISCD) ----------------------------------------------------------------
# ISCD 2019 (LSC = 2.77 x precision error); the default values are a design choice within
# published ranges, used when the scanner's own precision study is not on file.
DEFAULT_LSC_G_CM2: Final[dict[Site, Decimal]] = {
    Site.LUMBAR_SPINE: Decimal("0.030"),
    Site.TOTAL_HIP: Decimal("0.025"),
    Site.FEMORAL_NECK: Decimal("0.035"),
    Site.RADIUS_33: Decimal("0.030"),
}
ANNUALIZE_MIN_DAYS: Final = 300  # design choice (CHG-ANNUAL): annualize only >= 300 days apart
DAYS_PER_YEAR: Final = Decimal("365.25")  # ISCD: Julian year for annualizing
RAPID_LOSS_PCT: Final = Decimal("5.0")  # design choice on Seed-A: >= 5 %/yr (or >= 5 % < 300 days)

# --- Scheduling ---------------------------------------------------------------------------------
BASELINE_GRACE_MONTHS: Final = 3  # design choice: baseline DEXA may follow the AI start by 3 months
INTERVAL_LOW_MONTHS: Final = 24  # Seed-A; ASCO 2019: low risk, every 2 years
INTERVAL_MODERATE_MONTHS: Final = 12  # Seed-A: osteopenia, within one year
INTERVAL_HIGH_MONTHS: Final = 12  # Seed-A: 1-2 years to assess treatment
INTERVAL_STABLE_ON_THERAPY_MONTHS: Final = 24  # Hadji 2017; ASCO 2019
STABLE_ON_THERAPY_MIN_MONTHS: Final = 24  # Hadji 2017; ASCO 2019: on therapy >= 2 years

# --- Projection (ATAC: Eastell 2006 and 2008) ---------------------------------------------------
# ATAC median loss on anastrozole: 4.1 % lumbar spine at 2 years, 7.24 % hip at 5 years.
ATAC_ANNUAL_LOSS_PCT: Final[dict[Site, Decimal]] = {
    Site.LUMBAR_SPINE: Decimal("2.0"),
    Site.TOTAL_HIP: Decimal("1.45"),
    Site.FEMORAL_NECK: Decimal("1.45"),
}
# Design choice: population SD of young-adult BMD used to turn a BMD loss into T-score units.
ATAC_SD_G_CM2: Final[dict[Site, Decimal]] = {
    Site.LUMBAR_SPINE: Decimal("0.110"),
    Site.TOTAL_HIP: Decimal("0.120"),
    Site.FEMORAL_NECK: Decimal("0.120"),
}
PROJECTION_THRESHOLDS: Final = (Decimal("-2.0"), Decimal("-2.5"))  # PROJ: the two crossings
# Design choice: a crossing further away than this is not reported (null): it is no estimate.
PROJECTION_HORIZON_YEARS: Final = 100

# --- Labs and safety ----------------------------------------------------------------------------
LAB_VALID_MONTHS: Final = 12  # design choice (Conventions): a lab counts for 12 months
VITD_DEFICIENT_BELOW: Final = Decimal(20)  # Endocrine Society 2011: < 20 ng/mL deficient
VITD_SUFFICIENT_FROM: Final = Decimal(30)  # Seed-B; Endocrine Society 2011: >= 30 ng/mL sufficient
VITD_RECHECK_MONTHS: Final = 3  # design choice: recheck vitamin D 3 months after a low result
RECENT_START_MONTHS: Final = 3  # Conventions: "planned or started within 3 months"
CALCIUM_LOW_BELOW: Final = Decimal("2.12")  # zoledronic acid and denosumab labels: mmol/L adjusted
# Albumin adjustment of a total calcium (Payne RB, Little AJ, Williams RB, Milner JR.
# Interpretation of serum calcium in patients with abnormal serum proteins. BMJ 1973;4:643-646), in
# the form laboratories commonly quote: adjusted calcium (mmol/L) = total calcium + 0.02 x (40 -
# albumin in g/L); in conventional units, adjusted calcium (mg/dL) = total calcium + 0.8 x (4.0 -
# albumin in g/dL). CA-LOW judges the calcium "entered albumin-adjusted"; the lab form works it out
# (`calcium_adjustment.py`) only where the report gives the total calcium and albumin alone.
# Laboratories may adjust with a local variant of the formula (other slopes and reference
# albumins), so the adjusted value printed on the report is the one to enter when there is one.
ADJUSTED_CALCIUM_REFERENCE_ALBUMIN_G_L: Final = Decimal(40)  # Payne 1973: 40 g/L (4.0 g/dL)
ADJUSTED_CALCIUM_SLOPE_MMOL_L: Final = Decimal("0.02")  # Payne 1973: mmol/L per g/L of albumin
ADJUSTED_CALCIUM_SLOPE_MG_DL: Final = Decimal("0.8")  # Payne 1973: mg/dL per g/dL of albumin
# Design choice: a serum albumin outside 10-60 g/L (1.0-6.0 g/dL) is a typing or unit error (a
# g/dL value typed as g/L), not a patient; the formula is least reliable at the low end.
ALBUMIN_PLAUSIBLE_G_L: Final = (Decimal(10), Decimal(60))
ZOLEDRONIC_CONTRAINDICATED_BELOW: Final = Decimal(35)  # zoledronic acid 5 mg label (mL/min)
ZOLEDRONIC_DOSE_CHECK_MAX: Final = Decimal(60)  # zoledronic acid 4 mg label: dose reduced <= 60
ALENDRONATE_CONTRAINDICATED_BELOW: Final = Decimal(35)  # alendronate label
RISEDRONATE_IBANDRONATE_CONTRAINDICATED_BELOW: Final = Decimal(
    30
)  # risedronate, ibandronate labels
DENOSUMAB_HYPOCALCEMIA_RISK_BELOW: Final = Decimal(30)  # denosumab label: severe hypocalcaemia
# DENTAL: the zoledronic acid and denosumab labels and the ONJ task-force advice (Khan 2015,
# international ONJ task force; AAOMS 2022) ask for a dental examination before the first dose; none
# fixes how old it may be. Design choice (the conservative reading): a review counts as the one
# before the course only when dated at most this many months before its start (its planned start;
# a planned course with no start date: before the assessment date). An older one is not it.
DENTAL_REVIEW_VALID_MONTHS: Final = 12
# CA-HIGH and VITD-HIGH (nurse13 #1): the specification has no rule for a high calcium or vitamin
# D; its ALWAYS rule advises calcium and vitamin D for every patient. Design choice (the
# conservative reading), each number cited:
# Society for Endocrinology 2016 (Walsh, Gittoes, Selby; emergency management of acute
# hypercalcaemia in adults, Endocr Connect 2016;5:G9-G11): adjusted calcium is normally 2.2-2.6
# mmol/L; 3.0-3.5 usually needs prompt treatment; above 3.5 needs urgent correction (dysrhythmia,
# coma). In a patient with breast cancer a high calcium may mean bone metastases: above the upper
# reference limit a physician reviews it now (high); above 3.5, critical. The guidance asks which
# supplements and drugs the patient takes, as some raise calcium: calcium and vitamin D
# supplements (both raise it) are held until the physician's review, the conservative reading.
CALCIUM_HIGH_ABOVE: Final = Decimal("2.60")  # Society for Endocrinology 2016: mmol/L adjusted
CALCIUM_SEVERE_ABOVE: Final = Decimal("3.50")  # Society for Endocrinology 2016: urgent correction
# Endocrine Society 2011 (Holick et al.) places vitamin D intoxication (with hypercalcaemia) at a
# 25-OH vitamin D above 150 ng/mL (375 nmol/L): the toxic range, where a physician reviews it now
# (high) and the calcium is checked. Below that, 100 ng/mL (250 nmol/L) is a design choice: the
# upper end of the range laboratories commonly report as sufficient (30-100 ng/mL); above it
# vitamin D supplements are held and the result reviewed (warning). Not the IOM 2011 figure of 50
# ng/mL (125 nmol/L, "potential harm"), which would hold supplements at levels the Endocrine
# Society 2011 guideline accepts.
VITD_HIGH_ABOVE: Final = Decimal(100)  # design choice: ng/mL, upper end of the reported range
VITD_TOXIC_ABOVE: Final = Decimal(150)  # Endocrine Society 2011: ng/mL, intoxication
# VITD and VITD-HIGH in nmol/L (nurse14 #3). The Endocrine Society 2011 guideline (Holick et al.)
# writes each of its limits in both units: 20 ng/mL (50 nmol/L), 30 (75), and the 150 ng/mL
# (375 nmol/L) of intoxication; the design choice of 100 ng/mL is 250 nmol/L as laboratories
# write it. The two numbers of a limit are not the same amount at the molar factor (units.py:
# 1 ng/mL = 2.496 nmol/L, so 75 nmol/L is 30.05 ng/mL and 30 ng/mL is 74.88 nmol/L). The spec
# states VITD in ng/mL and rounds a converted value to 0.01 before comparing; converted that way,
# 74.88-74.99 nmol/L read 30.00-30.05 ng/mL, sufficient, while the pages show the result in
# nmol/L below "75 nmol/L". The spec is silent on a result entered in nmol/L. Design choice (the
# conservative reading): a 25-OH vitamin D is judged against the guideline's limit in the unit
# it was entered in, as entered (no conversion, so no rounding: `lab_limits`): 74.9 nmol/L is
# insufficient (below 75 nmol/L), 30 ng/mL is sufficient (the spec's ">= 30 ng/mL"). No result
# entered in ng/mL is judged otherwise than before, but a third decimal (19.995 ng/mL is now
# deficient, not 20.00). The pages show a result so that its number and its flag agree
# (`monitoring.overview.lab_values`).
VITD_LIMITS_NMOL_L: Final[Mapping[Decimal, Decimal]] = MappingProxyType(
    {
        VITD_DEFICIENT_BELOW: Decimal(50),  # Endocrine Society 2011: 20 ng/mL (50 nmol/L)
        VITD_SUFFICIENT_FROM: Decimal(75),  # Endocrine Society 2011: 30 ng/mL (75 nmol/L)
        VITD_HIGH_ABOVE: Decimal(250),  # design choice: 100 ng/mL as 250 nmol/L
        VITD_TOXIC_ABOVE: Decimal(375),  # Endocrine Society 2011: 150 ng/mL (375 nmol/L)
    }
)
# Cockcroft & Gault 1976 (Nephron 16:31-41), the clearance the zoledronic acid label's limits
# use: creatinine clearance (mL/min) = (140 - age) x weight (kg) / (72 x serum creatinine in
# mg/dL), x 0.85 for a woman. RENAL judges it as the creatinine clearance of the eGFR's date when
# a creatinine of that sample gives a lower one (the conservative reading, rules/kidney.py), and
# quotes it, as information only, beside a creatinine newer than the crcl/eGFR it decides on, or
# alone; the creatinine is converted from the stored µmol/L to mg/dL by the lab units' factor
# (units.py, 88.42).
COCKCROFT_GAULT_AGE_FROM: Final = 140  # Cockcroft & Gault 1976: (140 - age)
COCKCROFT_GAULT_DIVISOR: Final = 72  # Cockcroft & Gault 1976: 72 x creatinine (mg/dL)
COCKCROFT_GAULT_FEMALE_FACTOR: Final = Decimal("0.85")  # Cockcroft & Gault 1976: x 0.85, women

# --- Denosumab (Seed-B; Lyu 2020; ECTS 2021) ----------------------------------------------------
DENOSUMAB_INTERVAL_MONTHS: Final = 6  # denosumab label: 60 mg every 6 months
DENOSUMAB_DUE_MAX_DAYS_LATE: Final = 28  # Lyu 2020: up to 4 weeks late keeps the effect
DENOSUMAB_OVERDUE_MAX_DAYS_LATE: Final = 112  # Lyu 2020: > 16 weeks late, rebound fractures
ZOLEDRONIC_INTERVAL_MONTHS: Final = 6  # ESMO 2020; Hadji 2017: adjuvant 4 mg every 6 months
# ECTS 2021 (an oral bisphosphonate for 1-2 years after denosumab): a stopped oral course counts as
# denosumab's follow-on (DMAB-STOP) only if it ran at least this long; one still running counts.
# The spec is silent on how long; the lower end of ECTS 2021 is the conservative reading.
DENOSUMAB_FOLLOW_ON_ORAL_MIN_MONTHS: Final = 12
# DMAB-FOLLOW-ON-CTX (phys14 #5): after denosumab, one zoledronic acid infusion may not hold the
# rebound. ECTS 2021 (Tsourdi et al., J Clin Endocrinol Metab 2021;106:264) advises measuring
# bone turnover (CTX) 3 and 6 months after the follow-on infusion and repeating the infusion if it
# rises, above all after more than 2.5 years of denosumab. The spec is silent: the conservative
# reading counts 2.5 years or more (30 months, the boundary included), from the first injection to
# 6 months after the last (each injection covers 6 months: 5 injections are 2.5 years).
DENOSUMAB_LONG_COURSE_MONTHS: Final = 30
FOLLOW_ON_CTX_MONTHS: Final = (3, 6)  # ECTS 2021: CTX 3 and 6 months after the infusion
# Design choice (the spec is silent): a fasting CTX from this many days after the infusion counts
# as the first check, as BTM-RESPONSE's follow-up window opens 60 days after a start (Seed-A).
FOLLOW_ON_CTX_FIRST_FROM_DAYS: Final = 60
# Design choice (the spec is silent; phys14 #8): a denosumab injection given more than
# DENOSUMAB_OVERDUE_MAX_DAYS_LATE (112) days after it was due leaves a window in which the rebound
# may already have caused vertebral fractures, often silent (Lyu 2020: the risk rises beyond 16
# weeks; ECTS 2021: multiple vertebral fractures after the effect wears off). The conservative
# reading: recommend a vertebral fracture assessment (VFA or a spine X-ray) after such a dose,
# until a scan records a VFA reading or a fracture dated on or after it is on file.

# Design choice (the spec is silent on early doses; conservative): a denosumab or zoledronic acid
# dose more than 4 weeks before it is due (previous dose + the interval above) is a failed
# pre-dose check that needs an override with a reason; 4 weeks mirrors DENOSUMAB_DUE_MAX_DAYS_LATE.
EARLY_DOSE_MAX_DAYS_BEFORE_DUE: Final = 28
# The start of a denosumab or zoledronic acid course is the day of its first dose (the spec times
# the next dose from "the last dose (or the start, with no dose recorded)"; the history format's
# example records its first dose on its start). A first dose recorded later than the start, with
# no dose since, is that first dose given on another day (an appointment after the course was
# entered), not a second dose: within this many days after the start it passes the pre-dose check,
# and the schedule counts from it. Design choice (the spec is silent): 4 weeks mirrors
# DENOSUMAB_DUE_MAX_DAYS_LATE (a dose that late is still on time); later than that, the start is as
# likely a dose not recorded as a plan, and the dose fails the check as too early (a physician's
# override, or the start corrected): the conservative reading.
FIRST_DOSE_MAX_DAYS_AFTER_START: Final = 28

# Design choice (the spec is silent about stopped courses; the conservative reading): a dose of
# zoledronic acid or denosumab keeps acting for its dosing interval, and the hypocalcaemia risk is
# greatest in the weeks after it. So a stopped course of either still counts for CA-LOW (and
# denosumab for its RENAL hypocalcaemia risk) while its last dose (or its start, with no dose
# recorded) is within this many months before `as_of`.
DOSE_STILL_ACTING_MONTHS: Final[Mapping[BoneTherapyDrug, int]] = MappingProxyType(
    {
        BoneTherapyDrug.DENOSUMAB: DENOSUMAB_INTERVAL_MONTHS,
        BoneTherapyDrug.ZOLEDRONIC_ACID: ZOLEDRONIC_INTERVAL_MONTHS,
    }
)

# --- Duration (ASBMR 2016) ----------------------------------------------------------------------
ORAL_BP_REVIEW_MONTHS: Final = 60  # ASBMR 2016: review after 5 years of an oral bisphosphonate
ZOLEDRONIC_REVIEW_MONTHS: Final = 36  # ASBMR 2016: review after 3 years of zoledronic acid
# BP-DURATION counts continuous exposure, not one course (phys14 #3: alendronate for 3 years, then
# risedronate, raised nothing after 7 years). The spec says "one course"; ASBMR 2016 (Adler et al.,
# J Bone Miner Res 2016;31:16-35) times its review by the years of treatment, and the atypical
# femoral fracture risk it weighs grows with the total duration. The conservative reading: courses
# of bisphosphonates follow on from each other unless a gap of at least this many months
# separates one course's stop from the next start, and the exposure is counted from the first
# start of the run, the gaps included. Design choice: a pause under a year (dental work, a switch
# for reflux, a stop and restart) is no drug holiday. ASBMR 2016 reassesses a holiday after 2-3
# years, and the atypical fracture risk falls by about 70 % a year after the last use (Schilcher et
# al., Acta Orthop 2015;86:100-107), so after a year off most of the exposure's risk has waned.
BP_EXPOSURE_BREAK_MONTHS: Final = 12

# --- Fracture on therapy (FX-ON-THERAPY; IOF 2012) -----------------------------------------------
# IOF 2012 (Diez-Perez et al., treatment failure): fractures during treatment point to a failure
# once the drug has had time to act; a fracture dated this many months or more after an
# antiresorptive course started (the course still active) asks for a review of the therapy.
# 12 months is a design choice within it (the drugs cut fracture risk within the first year).
FRACTURE_ON_THERAPY_MIN_MONTHS: Final = 12

# --- Bone turnover markers (Seed-A; IOF-ECTS 2017, TRIO study LSC) -----------------------------
BTM_WINDOW_MONTHS: Final = 12  # design choice: judge the response in the first 12 months
BTM_BASELINE_DAYS_BEFORE: Final = 90  # design choice: baseline sample up to 90 days before start
BTM_FOLLOW_UP_MIN_DAYS: Final = 60  # Seed-A (3-6 months), widened: from 60 days after the start
BTM_FOLLOW_UP_MAX_DAYS: Final = 240  # ... to 240 days after the start
BTM_CHECK_MONTHS: Final = 3  # Seed-A; IOF-ECTS 2017: check the response 3 months after the start
CTX_ADEQUATE_FALL_PCT: Final = Decimal(56)  # IOF-ECTS 2017: TRIO LSC for CTX
P1NP_ADEQUATE_FALL_PCT: Final = Decimal(38)  # IOF-ECTS 2017: TRIO LSC for P1NP
CTX_NOT_CONFIRMED_FALL_PCT: Final = Decimal(30)  # design choice: a fall of 30-56 % is not confirmed

# --- Always (ASCO 2019; Seed-A) -----------------------------------------------------------------
CALCIUM_MG_PER_DAY: Final = (1000, 1200)  # ASCO 2019
VITAMIN_D_IU_PER_DAY: Final = (800, 1000)  # ASCO 2019

# --- Input plausibility (design choice: reject typos, not patients) -----------------------------
BMD_RANGE: Final = (Decimal("0.2"), Decimal("2.0"))  # g/cm²
SCORE_RANGE: Final = (Decimal(-7), Decimal(5))  # T- and Z-scores
TBS_RANGE: Final = (Decimal("0.5"), Decimal("2.0"))  # trabecular bone score: TBS is ~1.0-1.5
PLANNED_DURATION_MONTHS_RANGE: Final = (1, 240)
HEIGHT_CM_RANGE: Final = (Decimal(100), Decimal(230))
WEIGHT_KG_RANGE: Final = (Decimal(25), Decimal(300))
GLUCOCORTICOID_MONTHS_RANGE: Final = (Decimal(0), Decimal(1200))
FRAX_PCT_RANGE: Final = (Decimal(0), Decimal(100))
LSC_RANGE: Final = (Decimal("0.001"), Decimal("0.200"))  # g/cm²

# --- A T-score against its BMD (design choice on published references: catch a dropped sign) ---
# T = (BMD - young-adult mean) / young-adult SD, so a T-score above zero needs a BMD above the
# mean of the scanner's reference. Female young-adult means, g/cm² (SD): Hologic, NHANES III
# (Looker 1998, women 20-29): total hip 0.942 (0.122), femoral neck 0.858 (0.120); Hologic spine
# L1-L4 1.047 (0.110); GE Lunar: spine L1-L4 1.18 (0.12), total hip 1.00 (0.12), femoral neck
# 0.98 (0.12); the lowest published, Asian references, e.g. Vietnamese women (Ho-Pham 2011):
# spine 0.96 (0.11), total hip 0.95 (0.12), femoral neck 0.80 (0.11). Each floor is below every
# one of these means and the SD floor below every SD (men's references have higher means), so
# no scanner computes a T-score above (BMD - floor) / SD floor: a higher one is refused unless
# confirmed. The 1/3 radius is not checked: its young-adult means (about 0.65-0.70) are not
# cited here, and a floor guessed for it would ask about sound values.
T_REFERENCE_MEAN_FLOOR: Final[Mapping[Site, Decimal]] = MappingProxyType(
    {
        Site.LUMBAR_SPINE: Decimal("0.90"),
        Site.TOTAL_HIP: Decimal("0.85"),
        Site.FEMORAL_NECK: Decimal("0.75"),
    }
)
T_REFERENCE_SD_FLOOR: Final = Decimal("0.09")  # g/cm²; the references' SDs are 0.11-0.12
# A typed T-score is rounded to 0.1 (0.05 either way) and a BMD to 0.001 (0.006 of a T-score at
# the SD floor): this much more is allowed before asking, on top of each bound.
T_SCORE_ROUNDING: Final = Decimal("0.1")

# Between two scans on one scanner (one reference: the same mean and SD), delta T = delta BMD /
# SD: the T-score moves with the BMD, in the same direction, by delta BMD divided by an SD of
# 0.08-0.16 g/cm² at the central sites (the references above, widened either way); the 1/3
# radius SD is smaller (about 0.05-0.06 on forearm references), so its range starts at 0.05.
T_CHANGE_SD_RANGE: Final[Mapping[Site, tuple[Decimal, Decimal]]] = MappingProxyType(
    {
        Site.LUMBAR_SPINE: (Decimal("0.08"), Decimal("0.16")),
        Site.TOTAL_HIP: (Decimal("0.08"), Decimal("0.16")),
        Site.FEMORAL_NECK: (Decimal("0.08"), Decimal("0.16")),
        Site.RADIUS_33: (Decimal("0.05"), Decimal("0.16")),
    }
)
# Design choice: a T-score change more than 0.5 beyond what the BMD change allows is asked about
# (rounding explains 0.1; a scanner software update that changed the reference, the rest).
T_CHANGE_ALLOWANCE: Final = Decimal("0.5")

# --- A BMD change within a short interval (design choice: catch a repeat or a slip at entry) -----
# The scan form asks to confirm (the imports refuse) a BMD change of at least the LSC (CHG-LSC)
# between two scans of a site on one scanner fewer than this many days apart; CHG-RAPID itself
# is unchanged. ISCD (official positions on precision assessment and follow-up) times follow-up
# scans by when the expected change reaches the LSC, in practice a year or more; a repeat within
# weeks is a re-acquisition (a positioning or analysis difference) or a typing slip, not bone.
# The fastest loss in this population, ovarian suppression with an aromatase inhibitor
# (ABCSG-12 bone substudy, Gnant 2007, J Clin Oncol 25:820-8: BMD 17.3 % lower after 36 months
# with anastrozole and goserelin, near 6 % a year), passes a spine LSC of 0.030 g/cm² (about
# 3 % of a spine BMD of 0.9-1.0 g/cm²) in about half a year: 90 days
# stays well short of it, where a 6-month limit would ask about the true losses of the women
# losing bone fastest. A confirmed value is saved and judged by the rules as any other.
SHORT_REPEAT_DAYS: Final = 90

# Plausible canonical values per analyte (design choice: catches unit mix-ups and typos).
LAB_PLAUSIBLE_RANGES: Final[Mapping[Analyte, tuple[Decimal, Decimal]]] = MappingProxyType(
    {
        Analyte.CTX: (Decimal(0), Decimal(20)),  # ng/mL
        Analyte.P1NP: (Decimal(0), Decimal(3000)),  # µg/L
        Analyte.BSAP: (Decimal(0), Decimal(1000)),  # µg/L
        Analyte.UNTX: (Decimal(0), Decimal(3000)),  # nmol BCE/mmol creatinine
        Analyte.VITAMIN_D_25OH: (Decimal(0), Decimal(300)),  # ng/mL
        Analyte.CALCIUM: (Decimal("0.5"), Decimal(5)),  # mmol/L
        Analyte.EGFR: (Decimal(0), Decimal(250)),  # mL/min/1.73m2
        Analyte.CRCL: (Decimal(0), Decimal(300)),  # mL/min
        Analyte.CREATININE: (Decimal(0), Decimal(3000)),  # µmol/L
    }
)
