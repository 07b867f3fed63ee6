"""The letters' fixed words: the patient's words for her scan and risk, each recommendation to the
patient and to the doctor (and where an open alert, an undecided therapy, the kidney function or a
passed date changes them), and the open alerts the patient is told about.

The sentences are the project's own words; `letters` picks and fills them from the stored
assessment.
"""

from monitoring.domain.thresholds import DENOSUMAB_OVERDUE_MAX_DAYS_LATE, MALE_T_SCORE_MIN_AGE
from monitoring.models.choices import RiskCategory, WhoCategory
from monitoring.overview.letter_denosumab_stop import (
    PATIENT_FOLLOW_ON,
    PATIENT_FOLLOW_ON_AWAITING_INFUSION,
)
from patients.models import Sex

# What the patient is told about the scan, per WHO category.
PATIENT_WHO = {
    WhoCategory.NORMAL: (
        "Your most recent bone density scan, on {date}, showed normal bone strength."
    ),
    WhoCategory.OSTEOPENIA: (
        "Your most recent bone density scan, on {date}, showed bones a little thinner than "
        "those of a healthy young adult (doctors call this osteopenia)."
    ),
    WhoCategory.OSTEOPOROSIS: (
        "Your most recent bone density scan, on {date}, showed thin bones (doctors call this "
        "osteoporosis), which makes a broken bone more likely."
    ),
    WhoCategory.NOT_APPLICABLE: (
        "Your scan on {date} was compared with women of your own age, the right comparison "
        "before the menopause."
    ),
}
# The same for a man (under 50: WHO-CAT): a letter to a man spoke of women and the menopause
# (physician8 D5). With the sex unknown, the words fit either.
PATIENT_NOT_APPLICABLE_BY_SEX: dict[str, str] = {
    Sex.FEMALE: PATIENT_WHO[WhoCategory.NOT_APPLICABLE],
    Sex.MALE: (
        "Your scan on {date} was compared with people of your own age and sex, the right "
        f"comparison for men under {MALE_T_SCORE_MIN_AGE}."
    ),
}
PATIENT_NOT_APPLICABLE_ANY_SEX = (
    "Your scan on {date} was compared with people of your own age and sex, the right comparison "
    "at your age."
)
# `{basis}` is what the risk was judged on: the scan with the other risk factors, or, before any
# scan, the risk factors alone (a sentence that named a scan the patient never had would confuse).
PATIENT_RISK = {
    RiskCategory.LOW: "{basis}, your risk is low.",
    RiskCategory.MODERATE: (
        "{basis}, your risk is moderate, so we will keep a closer eye on your bones."
    ),
    RiskCategory.HIGH: "{basis}, your risk is high, and your bones need protecting.",
    RiskCategory.UNKNOWN: "We cannot judge your risk yet, because a scan result is missing.",
}
RISK_BASIS_SCAN = "Putting your scan and your other risk factors together"
RISK_BASIS_NO_SCAN = "Going by your risk factors alone, as there is no scan yet"
# Per recommendation code: (to the patient, to the doctor); `{due}` is " by <date>" or "".
ADVICE: dict[str, tuple[str, str]] = {
    "START_BONE_THERAPY": (
        "We recommend a medicine that protects your bones; we will talk it through with you.",
        "Bone-protective therapy (a bisphosphonate or denosumab) is recommended.",
    ),
    "DENTAL_REVIEW": (
        "Please see your dentist{due} before the bone medicine starts, as it can very rarely "
        "affect the jaw.",
        "A dental review is advised{due} before antiresorptive therapy.",
    ),
    "BASELINE_DEXA": (
        "You need a first bone density scan{due}.",
        "A baseline DEXA scan is needed{due}.",
    ),
    "REPLETE_VITAMIN_D": (
        "Your vitamin D is low: we recommend a vitamin D supplement to bring it back up.",
        "Vitamin D repletion is advised.",
    ),
    "GIVE_DENOSUMAB": (
        "Your next denosumab injection is due{due}; please do not miss or delay it.",
        "The next denosumab dose is due{due}; a late dose risks rebound bone loss.",
    ),
    "START_FOLLOW_ON_THERAPY": (
        PATIENT_FOLLOW_ON,
        "Denosumab has stopped without follow-on therapy: a bisphosphonate is advised.",
    ),
    # phys14 #8: after a denosumab injection given more than 16 weeks late (DMAB-LATE-VFA).
    "VERTEBRAL_FRACTURE_ASSESSMENT": (
        "As one of your denosumab injections was given late, we would like to check the bones "
        "of your spine for a break, which can happen without pain, with an extra picture taken "
        "at your bone density scan or an X-ray.",
        f"A denosumab dose was given more than {DENOSUMAB_OVERDUE_MAX_DAYS_LATE // 7} weeks "
        "late: please arrange a vertebral fracture assessment (VFA with the DEXA, or a spine "
        "X-ray), as rebound vertebral fractures are often silent.",
    ),
    # phys14 #5: the zoledronic acid follow-on after 2.5 years or more of denosumab, nothing
    # given or planned since (DMAB-FOLLOW-ON-CTX).
    "CHECK_TURNOVER_AFTER_FOLLOW_ON": (
        "A blood test{due} will show whether the zoledronic acid infusion that followed your "
        "denosumab is still protecting your bones, or whether you need another infusion.",
        "After the zoledronic acid that followed denosumab, please check a fasting CTX{due} (3 "
        "and 6 months after the infusion) and consider a repeat infusion if it rises, as one "
        "infusion may not hold the rebound.",
    ),
    "CHECK_BTM_RESPONSE": (
        "A blood test{due} will show whether your bone medicine is working.",
        "Bone turnover markers should be rechecked{due} to confirm the response to therapy.",
    ),
    "CALCIUM_VITAMIN_D": (
        "Make sure you get enough calcium and vitamin D, from food or from supplements.",
        "Adequate calcium and vitamin D intake should be kept up.",
    ),
    "LIFESTYLE": (
        "Regular walking or other weight-bearing exercise, not smoking and little alcohol all "
        "help your bones.",
        "Lifestyle advice: weight-bearing exercise, no smoking, limited alcohol.",
    ),
    "RECORD_FRAX": (
        "We will also work out your chance of a broken bone over the next ten years (FRAX).",
        "A FRAX score should be recorded.",
    ),
}
# Advice worded by an open alert the same rule raised beside it: zoledronic acid started as
# denosumab's follow-on, its infusion not recorded yet (DENOSUMAB_FOLLOW_ON_INFUSION_AWAITED). The
# follow-on is decided: the letters ask for the infusion, not for "a bisphosphonate" (phys10 F2).
ADVICE_BESIDE_ALERT: dict[tuple[str, str], tuple[str, str]] = {
    # (The patient's letter says it with the stopped course: `patient_follow_on`.)
    ("START_FOLLOW_ON_THERAPY", "DENOSUMAB_FOLLOW_ON_INFUSION_AWAITED"): (
        PATIENT_FOLLOW_ON_AWAITING_INFUSION,
        "Zoledronic acid is planned as the follow-on after denosumab: give the infusion and "
        "record it as a dose (it counts as the follow-on once recorded).",
    ),
}
# The patient's words while the therapy decision awaits a physician (BONE_THERAPY_INDICATED open
# and not acknowledged by one who may decide therapy): a letter a nurse prints must not promise a
# medicine nobody has decided on yet (nurse10 17).
PATIENT_ADVICE_UNDECIDED: dict[str, str] = {
    "START_BONE_THERAPY": (
        "Your doctor will discuss with you whether you need a medicine that protects your bones."
    ),
    "DENTAL_REVIEW": (
        "If you and your doctor decide on a bone medicine, please see your dentist{due} before "
        "it starts, as some of these medicines can very rarely affect the jaw."
    ),
}
# The alert that asks a physician for the decision those words wait on.
THERAPY_DECISION_ALERT = "BONE_THERAPY_INDICATED"
# The doctor's words for advice that would name a bisphosphonate when the latest kidney function
# rules some or all of them out: the rules' kidney words follow (RENAL), so the letter never
# advises "a bisphosphonate" the RENAL check then refuses (the page's advice already said so).
DOCTOR_ADVICE_BESIDE_KIDNEY: dict[str, str] = {
    "START_BONE_THERAPY": (
        "Bone-protective therapy is recommended; kidney function limits the choice."
    ),
    "START_FOLLOW_ON_THERAPY": (
        "Denosumab has stopped without follow-on therapy; kidney function limits the choice of "
        "a bisphosphonate to follow it."
    ),
}
# A recommendation whose due date has passed on the letter's day (physician8 D6): said as passed,
# as the letters word a DEXA past its date. `{due}` is "due since <date>" or "overdue since <date>"
# (`lateness.due_words`), `{day}` the date.
PASSED_ADVICE: dict[str, tuple[str, str]] = {
    "CHECK_TURNOVER_AFTER_FOLLOW_ON": (
        "A blood test was due on {day} to show whether the zoledronic acid infusion that "
        "followed your denosumab is still protecting your bones: please contact us to have it.",
        "After the zoledronic acid that followed denosumab, a fasting CTX is {due} (3 and 6 "
        "months after the infusion): please check it now and consider a repeat infusion if it "
        "rises, as one infusion may not hold the rebound.",
    ),
    "GIVE_DENOSUMAB": (
        "Your denosumab injection was due on {day}: please contact us to have it now; a late "
        "injection lets your bones weaken quickly.",
        "The next denosumab dose is {due}: please arrange it now; a late dose risks rebound "
        "bone loss.",
    ),
}
# Open alerts the patient is told about in words (the others are for the doctor's letter).
PATIENT_ALERTS = {
    "DEXA_OVERDUE": "Your bone density scan is overdue: please call us to book it.",
    "DENOSUMAB_OVERDUE": "Your denosumab injection is overdue: please call us so it can be given.",
    "HYPOCALCEMIA": "Your calcium level was low; we will look into this with you.",
    "CALCIUM_LOW": (
        "The calcium level in your blood was low. We will look into why with you and bring it "
        "back to normal; this comes first, before a bone medicine is started or continued."
    ),
    "RAPID_BMD_LOSS": "Your bone density has fallen faster than we would expect.",
    # nurse13 #1: a high calcium (CA-HIGH) or vitamin D (VITD-HIGH).
    "CALCIUM_HIGH": (
        "The calcium level in your blood was higher than normal: a doctor will go through this "
        "result with you promptly. If you feel very thirsty, sick, constipated or confused, "
        "contact us straight away."
    ),
    "VITAMIN_D_HIGH": (
        "Your vitamin D level was higher than it should be; we will go through this with you."
    ),
    # phys14 #6: the aromatase inhibitor has ended on denosumab (DMAB-AI-END).
    "DENOSUMAB_REVIEW_AI_ENDED": (
        "Your aromatase inhibitor treatment has finished: we will talk with you about whether "
        "to continue denosumab. Please do not stop it on your own: if it is to stop, another "
        "bone medicine must follow."
    ),
    "FRACTURE_ON_THERAPY": (
        "You have had a broken bone while on your bone medicine: we will review your bone "
        "medicine with you."
    ),
}
