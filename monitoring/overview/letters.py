"""Letters from the stored assessment: one in plain words to the patient, one to the family doctor.

Every sentence comes from one part of the assessment (PatientAssessment.data, the rules' output)
and carries the rule ids behind it, except those stating the bone-protective therapy recorded
(`letter_therapy`), which no rule decides. The clinician's copy (`?copy=clinician`) shows the
rule ids; the copy to send leaves them out of the page altogether. An alert is named by its title
(`labels.code_label`), never by its code (nurse10 16). A lab value a sentence quotes
reads as entered, as the labs table shows it (`labs.patient_lab_readings`). The sentences are the
project's own words.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from bonehealth.accounts.http import AuthenticatedHttpRequest
from monitoring import labels
from monitoring.domain.rules.labs import kidney_words_in
from monitoring.domain.thresholds import MALE_T_SCORE_MIN_AGE, TX_AI_MIN_RISK_FACTORS
from monitoring.domain.types import ScheduleItem
from monitoring.models.choices import RiskCategory, WhoCategory
from monitoring.overview import lateness
from monitoring.overview.ai_words import DOCTOR_OPENING, PATIENT_OPENING, patient_ai_state
from monitoring.overview.labs import patient_lab_readings
from monitoring.overview.letter_denosumab_stop import (
    FOLLOW_ON,
    PATIENT_FOLLOW_ON,
    PATIENT_FOLLOW_ON_AWAITING_INFUSION,
    SAID_BY_FOLLOW_ON,
    StoppedDenosumab,
    patient_follow_on,
    stopped_denosumab_of,
    stopped_denosumab_texts,
)
from monitoring.overview.letter_supplements import (
    TakenSupplements,
    supplement_advice,
    taken_supplements,
)
from monitoring.overview.letter_therapy import (
    CourseFacts,
    course_facts,
    dose_advice,
    give_denosumab_advice,
    indicated_text,
    start_therapy_advice,
    therapy_texts,
)
from monitoring.overview.letter_z_score import ZScore, site_words, z_score_of, z_score_text
from monitoring.overview.patient import patient_viewed
from monitoring.records import selectors
from monitoring.templatetags.monitoring_display import lowest_z_score
from patients.models import Sex

PATIENT = "patient"
DOCTOR = "doctor"


@dataclass(frozen=True)
class Sentence:
    text: str
    rules: tuple[str, ...]


@dataclass
class Letter:
    results: list[Sentence] = field(default_factory=list)
    therapy: list[Sentence] = field(default_factory=list)
    advice: list[Sentence] = field(default_factory=list)
    next_steps: list[Sentence] = field(default_factory=list)


def _day(value: str | None) -> str:
    if not value:
        return ""
    return date.fromisoformat(value).isoformat()  # yyyy-mm-dd, as every page writes a date


def _due(rec: dict[str, Any]) -> str:
    return f" by {_day(rec['due'])}" if rec.get("due") else ""


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
        "Zoledronic acid was started as the follow-on after denosumab: give the infusion and "
        "record it (it counts as the follow-on once given).",
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
    "FRACTURE_ON_THERAPY": (
        "You have had a broken bone while on your bone medicine: we will review your bone "
        "medicine with you."
    ),
}
NEXT_SCAN = ("REPEAT_DEXA", "BASELINE_DEXA")


def _results(
    data: dict[str, Any],
    kind: str,
    courses: Sequence[CourseFacts],
    today: date,
    sex: str | None,
    z_score: ZScore | None = None,
) -> Iterator[Sentence]:
    lowest = data.get("lowest_t_score") or {}
    who = data.get("who_category", WhoCategory.UNKNOWN)
    if kind == PATIENT:
        if lowest and who in PATIENT_WHO:
            words = PATIENT_WHO[who]
            if who == WhoCategory.NOT_APPLICABLE:
                words = PATIENT_NOT_APPLICABLE_BY_SEX.get(sex or "", PATIENT_NOT_APPLICABLE_ANY_SEX)
            yield Sentence(words.format(date=_day(lowest["date"])), ("WHO-CAT",))
        elif not lowest:
            yield Sentence("We do not have a bone density scan result for you yet.", ("WHO-CAT",))
    elif who == WhoCategory.NOT_APPLICABLE:
        text = z_score_text(z_score, sex)
        if lowest:
            text += (
                f"; the lowest T-score, {lowest['value']} at the {site_words(lowest['site'])} on "
                f"{_day(lowest['date'])}, still counts for the therapy triggers"
            )
        yield Sentence(f"{text}.", ("WHO-CAT",))
    elif lowest:
        label = WhoCategory(who).label if who in WhoCategory.values else who
        yield Sentence(
            f"Lowest T-score {lowest['value']} at the {site_words(lowest['site'])} on "
            f"{_day(lowest['date'])}: WHO category {str(label).lower()}.",
            ("WHO-CAT",),
        )
    else:
        yield Sentence("No DEXA scan is on record yet.", ("WHO-CAT",))
    for change in data.get("bmd_changes", []):
        if not change.get("significant"):
            continue
        site = site_words(change["site"])
        if kind == PATIENT:
            text = (
                f"Since your scan of {_day(change['from_date'])}, the bone density of your {site} "
                "has gone down by more than the scanner's margin of error."
            )
        else:
            text = (
                f"{site.capitalize()}: {change['change_pct']} % ({change['change_g_cm2']} g/cm2) "
                f"from {_day(change['from_date'])} to {_day(change['to_date'])}, beyond the "
                f"least significant change of {change['lsc_g_cm2']} g/cm2."
            )
        yield Sentence(text, ("CHG-LSC",))
    risk = data.get("risk_category", RiskCategory.UNKNOWN)
    rule = f"RISK-{str(risk).upper()}"
    if kind == PATIENT:
        basis = RISK_BASIS_SCAN if lowest else RISK_BASIS_NO_SCAN
        words = PATIENT_RISK.get(risk, PATIENT_RISK[RiskCategory.UNKNOWN])
        yield Sentence(words.format(basis=basis), (rule,))
    else:
        yield Sentence(f"Risk category: {risk}.", (rule,))
        if data.get("therapy_indicated"):
            triggers = tuple(data.get("therapy_triggers") or ()) or ("TX-OSTEOPOROSIS",)
            factors = labels.risk_factor_words(data.get("risk_factors", ()))
            counted = (
                # In words: the copy to send names no rule id (nurse12 F8).
                f" Risk factors counted ({TX_AI_MIN_RISK_FACTORS} or more on an aromatase "
                f"inhibitor): {'; '.join(factors)}."
                if "TX-AI-RF" in triggers and factors
                else ""
            )
            # Said with what is given or planned, so it never reads as if nothing was started
            # (nurse7 1, physician7 F10).
            yield Sentence(f"{indicated_text(courses, today)}{counted}", triggers)


def _passed_advice(rec: dict[str, Any], data: dict[str, Any], index: int, today: date) -> str:
    """The words of a recommendation whose due date has passed by `today`, or "" (not passed, or
    none to say so): due since or overdue as `lateness` states it with the rules' alerts."""
    texts = PASSED_ADVICE.get(rec["code"])
    if texts is None or not rec.get("due"):
        return ""
    day = date.fromisoformat(rec["due"])
    overdue = lateness.item_of(rec["code"]) in lateness.assessment_overdue_items(data)
    if lateness.due_state(day, today, overdue=overdue) == "due":
        return ""
    words = lateness.due_words(day, today, overdue=overdue)
    return texts[index].format(due=words, day=day.isoformat())


def _advice(
    data: dict[str, Any],
    kind: str,
    today: date,
    *,
    undecided: bool = False,
    stopped: StoppedDenosumab | None = None,
    supplements: TakenSupplements | None = None,
) -> Iterator[Sentence]:
    index = 0 if kind == PATIENT else 1
    kidney_said = ""
    recs = data.get("recommendations", [])
    # After a denosumab stop she needs another bone medicine, which one is discussed: said once.
    follow_on = patient_follow_on(recs, stopped) if kind == PATIENT else None
    open_codes = {alert["code"] for alert in data.get("alerts", [])}
    for rec in recs:
        if rec["code"] in NEXT_SCAN and rec.get("due"):
            continue  # said under the next steps
        if follow_on is not None and rec["code"] in (FOLLOW_ON, SAID_BY_FOLLOW_ON):
            if rec["code"] == FOLLOW_ON:
                yield Sentence(*follow_on)
            continue
        kidney = kidney_words_in(rec.get("message", ""))
        if kind == DOCTOR and kidney and rec["code"] in DOCTOR_ADVICE_BESIDE_KIDNEY:
            # Said once: a second recommendation refers to it.
            said = "(kidney function as above)" if kidney == kidney_said else kidney
            kidney_said = kidney
            text = f"{DOCTOR_ADVICE_BESIDE_KIDNEY[rec['code']]} {said}"
            text = start_therapy_advice(rec, kind, text)
            yield Sentence(text, (*rec.get("rules", ()), "RENAL"))
            continue
        beside = [ADVICE_BESIDE_ALERT.get((rec["code"], code)) for code in sorted(open_codes)]
        texts = next(filter(None, beside), ADVICE.get(rec["code"]))
        text = texts[index] if texts else f"Recommendation: {labels.code_label(rec['code'])}."
        # A supplement already taken is kept up, not recommended (nurse12 F10).
        text = supplement_advice(rec["code"], supplements, index) or text
        if (
            kind == PATIENT
            and undecided
            and follow_on is None
            and rec["code"] in PATIENT_ADVICE_UNDECIDED
        ):
            text = PATIENT_ADVICE_UNDECIDED[rec["code"]]
        text = _passed_advice(rec, data, index, today) or text.format(due=_due(rec))
        text = start_therapy_advice(rec, kind, text)
        # A dose held for a low calcium, or given with vitamin D repletion (physician9 F17, F9).
        text = give_denosumab_advice(rec, data, kind, today, text)
        yield Sentence(text, tuple(rec.get("rules", ())))


def _next_scan(data: dict[str, Any]) -> tuple[str, tuple[str, ...]] | None:
    """The next DEXA due date and the rules that set it (a recommendation, or the plan)."""
    for rec in data.get("recommendations", []):
        if rec["code"] in NEXT_SCAN and rec.get("due"):
            return rec["due"], tuple(rec.get("rules", ()))
    if data.get("next_dexa_due"):
        return data["next_dexa_due"], ("SCHED-PLAN",)
    return None


def _next_steps(data: dict[str, Any], kind: str) -> Iterator[Sentence]:
    scan = _next_scan(data)
    # Passed: its date is before the assessment's; overdue only where the rules' alerts say so
    # (monitoring/overview/lateness.py: a baseline scan in its grace is due, not overdue).
    passed = scan is not None and bool(data.get("as_of")) and scan[0] < data["as_of"]
    overdue = passed and ScheduleItem.DEXA in lateness.assessment_overdue_items(data)
    overdue_rules: tuple[str, ...] = ()
    # A dose held for a low calcium is not asked for: the advice says when (physician9 F17).
    held = dose_advice(data).held
    for alert in data.get("alerts", []):
        if kind == PATIENT and held and alert["code"] == "DENOSUMAB_OVERDUE":
            continue
        if overdue and alert["code"] == "DEXA_OVERDUE":
            overdue_rules = tuple(alert["rules"])  # said with the due date below
        elif kind == PATIENT and alert["code"] in PATIENT_ALERTS:
            yield Sentence(PATIENT_ALERTS[alert["code"]], tuple(alert["rules"]))
        elif kind == DOCTOR:
            title = labels.code_label(alert["code"])
            yield Sentence(f"{title}: {alert['message']}", tuple(alert["rules"]))
    if scan is None:
        return
    due, rules = scan
    rules = tuple(dict.fromkeys(rules + overdue_rules))
    if kind == PATIENT and passed:
        text = f"Your bone density scan was due by {_day(due)}: please call us to book it."
    elif kind == PATIENT:
        text = f"Your next bone density scan is due by {_day(due)}."
    elif overdue:
        text = f"The DEXA scan due by {_day(due)} is overdue."
    elif passed:
        text = f"DEXA scan due since {_day(due)}."
    else:
        text = f"Next DEXA scan due by {_day(due)}."
    yield Sentence(text, rules)


def letter(
    data: dict[str, Any],
    kind: str,
    courses: Sequence[CourseFacts] = (),
    today: date | None = None,
    sex: str | None = None,
    z_score: ZScore | None = None,
    *,
    undecided: bool = False,
    stopped: StoppedDenosumab | None = None,
    supplements: TakenSupplements | None = None,
) -> Letter:
    """The sentences of the patient's or the doctor's letter from a stored assessment and the
    patient's bone-therapy `courses` (given or planned on `today` they are named); `sex` (the
    patient's, "F" or "M") words the comparison of a scan read on Z-scores, whose `z_score` the
    doctor's letter quotes; `undecided` (the therapy decision awaits a physician) words the
    patient's advice on starting a bone medicine as a question her doctor will discuss (not after
    a denosumab stop: she needs another); `stopped`, the denosumab course stopped with no
    follow-on yet (DMAB-STOP), is named first under the therapy; `supplements`, those recorded
    as taken, word the vitamin D and calcium advice."""
    today = today or timezone.localdate()
    therapy = [
        *stopped_denosumab_texts(stopped, kind, today),
        *therapy_texts(courses, data, kind, today),
    ]
    return Letter(
        results=list(_results(data, kind, courses, today, sex, z_score)),
        therapy=[Sentence(text, rules) for text, rules in therapy],
        advice=list(
            _advice(
                data, kind, today, undecided=undecided, stopped=stopped, supplements=supplements
            )
        ),
        next_steps=list(_next_steps(data, kind)),
    )


TEMPLATES = {PATIENT: "monitoring/letter_patient.html", DOCTOR: "monitoring/letter_doctor.html"}


@require_GET
@permission_required("patients.view_patient", raise_exception=True)
def letter_view(request: AuthenticatedHttpRequest, pk: int, kind: str) -> HttpResponse:
    """A one-page letter; `?copy=clinician` (the clinic's file copy) adds the rule id of each
    sentence."""
    if kind not in TEMPLATES:
        raise Http404("No such letter.")
    patient, assessment = patient_viewed(request, pk)
    data = assessment.data if assessment else {}
    courses = course_facts(patient.valid_therapy)  # type: ignore[attr-defined]
    today = timezone.localdate()
    state = patient_ai_state(patient.valid_ai_courses, today)  # type: ignore[attr-defined]
    context = {
        "patient": patient,
        "assessment": assessment,
        "letter": letter(
            data,
            kind,
            courses,
            today,
            patient.sex,
            # The Z-score the patient page and summary show, found the same way.
            z_score_of(lowest_z_score(patient.valid_scans)),  # type: ignore[attr-defined]
            undecided=therapy_decision_awaited(patient),
            stopped=stopped_denosumab_of(patient, today),
            supplements=taken_supplements(patient),
        ),
        # What the letter says of the aromatase inhibitor, as the record stands (nurse10 4).
        "ai_opening": (PATIENT_OPENING if kind == PATIENT else DOCTOR_OPENING)[state],
        # A result a sentence quotes reads as the labs table shows it (as entered).
        "lab_readings": patient_lab_readings(patient),
        "clinician": request.GET.get("copy") == "clinician",
        "kind": kind,
    }
    return render(request, TEMPLATES[kind], context)


def therapy_decision_awaited(patient: Any) -> bool:
    """Whether the therapy decision awaits a physician: BONE_THERAPY_INDICATED is open and no one
    who may decide therapy has acknowledged it (a nurse's note leaves it unacknowledged)."""
    return any(
        alert.code == THERAPY_DECISION_ALERT and alert.acknowledged_at is None
        for alert in selectors.patient_open_alerts(patient=patient)
    )
