"""Letters from the stored assessment: one in plain words to the patient, one to the family doctor.

Every sentence comes from one part of the assessment (PatientAssessment.data, the rules' output)
or the therapy records, and carries the rule ids behind it: a sentence stating a bone-protective
therapy recorded (`letter_therapy`), which no rule decides, cites the rule that reads it (phys13
#15b). An alert is named by its title (`labels.code_label`), never by its code (nurse10 16). The
fixed words are in `letter_wording`; the page that shows a letter is `letter_views`.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils import timezone

from monitoring import labels
from monitoring.domain import KidneyStop
from monitoring.domain.frax_scope import frax_withheld
from monitoring.domain.rules.labs import kidney_words_in
from monitoring.domain.thresholds import TX_AI_MIN_RISK_FACTORS
from monitoring.domain.types import ScheduleItem
from monitoring.models.choices import RiskCategory, WhoCategory
from monitoring.overview import lateness
from monitoring.overview.follow_up_ended import LETTER_TEXT, PATIENT_SCAN_TEXT, FollowUpEnded
from monitoring.overview.letter_bmd_changes import patient_changes
from monitoring.overview.letter_denosumab_stop import (
    FOLLOW_ON,
    SAID_BY_FOLLOW_ON,
    StoppedDenosumab,
    patient_follow_on,
    stopped_denosumab_texts,
)
from monitoring.overview.letter_held_supplements import held_supplement_advice
from monitoring.overview.letter_kidney_stop import kidney_stop_texts
from monitoring.overview.letter_lifestyle import Habits, lifestyle_advice
from monitoring.overview.letter_overrides import override_texts, vitamin_d_after_start
from monitoring.overview.letter_prior_denosumab import prior_denosumab_texts
from monitoring.overview.letter_supplements import (
    TakenSupplements,
    supplement_advice,
    vitamin_d_taken_words,
)
from monitoring.overview.letter_therapy import (
    DOCTOR,
    PATIENT,
    CourseFacts,
    dose_advice,
    give_denosumab_advice,
    indicated_text,
    start_therapy_advice,
    therapy_texts,
)
from monitoring.overview.letter_wording import (
    ADVICE,
    ADVICE_BESIDE_ALERT,
    DOCTOR_ADVICE_BESIDE_KIDNEY,
    PASSED_ADVICE,
    PATIENT_ADVICE_UNDECIDED,
    PATIENT_ALERTS,
    PATIENT_NOT_APPLICABLE_ANY_SEX,
    PATIENT_NOT_APPLICABLE_BY_SEX,
    PATIENT_RISK,
    PATIENT_WHO,
    RISK_BASIS_NO_SCAN,
    RISK_BASIS_SCAN,
)
from monitoring.overview.letter_z_score import ZScore, site_words, z_score_text
from monitoring.templatetags.monitoring_display import g_cm2, signed

__all__ = ["DOCTOR", "PATIENT", "Letter", "Sentence", "letter"]


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
    elif who == WhoCategory.NOT_APPLICABLE and not lowest and z_score is None:
        # No scan to ask a Z-score of (phys12 F19): say the baseline scan is due, and when.
        scan = _next_scan(data)
        due = f": a baseline scan is due ({_day(scan[0])})" if scan else ""
        yield Sentence(f"No DEXA scan yet{due}.", ("WHO-CAT",))
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
    significant = [change for change in data.get("bmd_changes", []) if change.get("significant")]
    if kind == PATIENT:
        for text in patient_changes(significant):
            yield Sentence(text, ("CHG-LSC",))
    else:
        for change in significant:
            yield Sentence(
                f"{site_words(change['site']).capitalize()}: {signed(change['change_pct'])} % "
                f"({g_cm2(change['change_g_cm2'], 'signed')} g/cm²) from "
                f"{_day(change['from_date'])} to {_day(change['to_date'])}, beyond the least "
                f"significant change of {g_cm2(change['lsc_g_cm2'])} g/cm².",
                ("CHG-LSC",),
            )
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
            yield Sentence(f"{indicated_text(courses, today, data)}{counted}", triggers)


def _passed_advice(rec: dict[str, Any], data: dict[str, Any], index: int, today: date) -> str:
    """The words of a recommendation whose due date has passed by `today`, or "" (not passed, or
    none to say so): due since or overdue as `lateness` states it."""
    texts = PASSED_ADVICE.get(rec["code"])
    if texts is None or not rec.get("due"):
        return ""
    day = date.fromisoformat(rec["due"])
    grace = lateness.in_grace(rec["code"], day, today, lateness.assessment_codes(data))
    if lateness.due_state(day, today, in_grace=grace) == "due":
        return ""
    words = lateness.due_words(day, today, in_grace=grace)
    return texts[index].format(due=words, day=day.isoformat())


def _advice(
    data: dict[str, Any],
    kind: str,
    today: date,
    courses: Sequence[CourseFacts] = (),
    *,
    undecided: bool = False,
    stopped: StoppedDenosumab | None = None,
    supplements: TakenSupplements | None = None,
    habits: Habits | None = None,
    kidney_stop: KidneyStop | None = None,
) -> Iterator[Sentence]:
    index = 0 if kind == PATIENT else 1
    # A drug to stop comes first (phys14 #11): the rest of the advice is read with it.
    for text, rules in kidney_stop_texts(kidney_stop, kind):
        yield Sentence(text, rules)
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
        if rec["code"] == "RECORD_FRAX" and frax_withheld(rec.get("message", "")):
            # FRAX does not apply (under 40, or premenopausal, phys14 #9): the doctor reads the
            # page's words; the patient is promised no FRAX.
            if kind == DOCTOR:
                yield Sentence(rec["message"], tuple(rec.get("rules", ())))
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
        if rec["code"] == "LIFESTYLE" and habits is not None:
            text = lifestyle_advice(habits, index)  # as recorded (nurse13 #17)
        # A supplement already taken is kept up, not recommended (nurse12 F10); one recorded
        # after the low result did not fail (nurse13 #5).
        recheck = _scheduled(data, ScheduleItem.VITAMIN_D_RECHECK)
        text = (
            supplement_advice(rec["code"], supplements, index, recheck=recheck, today=today) or text
        )
        if kind == DOCTOR and rec["code"] == "REPLETE_VITAMIN_D":
            # The drug already started: replete now, not "before" it (phys13 #8).
            taken = (
                vitamin_d_taken_words(supplements, index, recheck, today)
                if supplements is not None and supplements.vitamin_d
                else ""
            )
            text = vitamin_d_after_start(courses, data, today, supplement=taken) or text
        # Held for a high calcium or vitamin D, whatever is taken (nurse13 #1).
        text = held_supplement_advice(rec, index) or text
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


def _scheduled(data: dict[str, Any], item: str) -> date | None:
    """The due date of schedule `item` in the stored assessment, or None."""
    due = next((entry["due"] for entry in data.get("schedule", ()) if entry["item"] == item), None)
    return date.fromisoformat(due) if due else None


def _next_scan(data: dict[str, Any]) -> tuple[str, tuple[str, ...]] | None:
    """The next DEXA due date and the rules that set it (a recommendation, or the plan)."""
    for rec in data.get("recommendations", []):
        if rec["code"] in NEXT_SCAN and rec.get("due"):
            return rec["due"], tuple(rec.get("rules", ()))
    if data.get("next_dexa_due"):
        return data["next_dexa_due"], ("SCHED-PLAN",)
    return None


def _titled(alert: dict[str, Any]) -> str:
    """An alert in the doctor's letter: its title, then its message, unless the message already
    opens with the title (FRACTURE_ON_THERAPY's does: phys12 F8, the title twice)."""
    title = labels.code_label(alert["code"])
    message = alert["message"]
    if message.casefold().startswith(f"{title.casefold()}:"):
        return message
    return f"{title}: {message}"


def _next_steps(
    data: dict[str, Any], kind: str, ended: FollowUpEnded | None = None
) -> Iterator[Sentence]:
    if ended is not None:  # said first, the next steps read with it (phys12 F20)
        yield Sentence(LETTER_TEXT[0 if kind == PATIENT else 1].format(when=ended.when), ())
    scan = _next_scan(data)
    # Passed: its date is before the assessment's; overdue unless in the rules' grace
    # (monitoring/overview/lateness.py: a baseline scan in its grace is due, not overdue).
    passed = scan is not None and bool(data.get("as_of")) and scan[0] < data["as_of"]
    overdue = passed and not (
        scan is not None
        and lateness.in_grace(
            ScheduleItem.DEXA,
            date.fromisoformat(scan[0]),
            date.fromisoformat(data["as_of"]),
            lateness.assessment_codes(data),
        )
    )
    overdue_rules: tuple[str, ...] = ()
    # A dose held for a low calcium is not asked for: the advice says when (physician9 F17).
    held = dose_advice(data).held
    told: dict[str, list[str]] = {}
    for alert in data.get("alerts", []):
        if kind == PATIENT and held and alert["code"] == "DENOSUMAB_OVERDUE":
            continue
        if kind == PATIENT and ended and alert["code"] == "DEXA_OVERDUE" and scan is not None:
            continue  # the scan line below says whom to ask, not to call us to book it
        if overdue and alert["code"] == "DEXA_OVERDUE":
            overdue_rules = tuple(alert["rules"])  # said with the due date below
        elif kind == PATIENT and alert["code"] in PATIENT_ALERTS:
            told.setdefault(PATIENT_ALERTS[alert["code"]], []).extend(alert["rules"])
        elif kind == DOCTOR:
            yield Sentence(_titled(alert), tuple(alert["rules"]))
    # An alert raised once per site (RAPID_BMD_LOSS) is told the patient once (phys12 F6).
    for text, told_rules in told.items():
        yield Sentence(text, tuple(dict.fromkeys(told_rules)))
    if scan is None:
        return
    due, rules = scan
    rules = tuple(dict.fromkeys(rules + overdue_rules))
    if kind == PATIENT and ended is not None:
        text = PATIENT_SCAN_TEXT[1 if passed else 0].format(due=_day(due))
    elif kind == PATIENT and passed:
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
    ended: FollowUpEnded | None = None,
    habits: Habits | None = None,
    kidney_stop: KidneyStop | None = None,
) -> Letter:
    """The sentences of the patient's or the doctor's letter from a stored assessment and the
    patient's bone-therapy `courses` (given or planned on `today` they are named); `sex` (the
    patient's, "F" or "M") words the comparison of a scan read on Z-scores, whose `z_score` the
    doctor's letter quotes; `undecided` (the therapy decision awaits a physician) words the
    patient's advice on starting a bone medicine as a question her doctor will discuss (not after
    a denosumab stop: she needs another); `stopped`, the denosumab course stopped with no
    follow-on yet (DMAB-STOP), is named first under the therapy; `supplements`, those recorded
    as taken, word the vitamin D and calcium advice; `ended`, the end of her follow-up, first under
    the next steps; `habits`, her smoking and alcohol recorded, the lifestyle advice;
    `kidney_stop`, active courses the kidney function rules out, first in the advice."""
    today = today or timezone.localdate()
    therapy = [
        *stopped_denosumab_texts(stopped, kind, today),
        *therapy_texts(courses, data, kind, today),
        # Given despite a failed check: the summary says so, the doctor's letter too (phys13 #8).
        *(override_texts(courses, today) if kind == DOCTOR else ()),
        # Denosumab given before its follow-on: the rebound risk stays (phys13 #6).
        *prior_denosumab_texts(courses, kind, today, stopped),
    ]
    return Letter(
        results=list(_results(data, kind, courses, today, sex, z_score)),
        therapy=[Sentence(text, rules) for text, rules in therapy],
        advice=list(
            _advice(
                data,
                kind,
                today,
                courses,
                undecided=undecided,
                stopped=stopped,
                supplements=supplements,
                habits=habits,
                kidney_stop=kidney_stop,
            )
        ),
        next_steps=list(_next_steps(data, kind, ended)),
    )
