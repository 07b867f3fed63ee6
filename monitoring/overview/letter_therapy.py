"""What the letters say about bone-protective therapy: the course given or planned, since when, its
last dose and the next one due, and for denosumab the warning never to stop or delay it without a
follow-on drug.

A family doctor reading "Bone-protective therapy is indicated" alone could believe nothing was
started (a tester found exactly that for patients on denosumab), and a doctor who does not know
the patient is on denosumab may let it lapse: stopping denosumab without a follow-on
bisphosphonate risks rebound multiple vertebral fractures (DMAB-STOP). So every letter names the
running and planned courses, from the records; the next dose due is the rules' date (the stored
assessment's schedule, the date the worklist and the alerts use).
"""

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from monitoring.domain import RecommendationCode, RuleId, ScheduleItem
from monitoring.domain.thresholds import DENOSUMAB_INTERVAL_MONTHS
from monitoring.models.choices import BoneTherapyDrug
from monitoring.overview import lateness
from monitoring.overview.therapy_overrides import Override, overridden

PATIENT = "patient"
DOCTOR = "doctor"

# The drug whose next dose the rules schedule, and the rule that schedules it.
NEXT_DOSE = {
    BoneTherapyDrug.DENOSUMAB: (ScheduleItem.DENOSUMAB_DOSE, (RuleId.DMAB_SCHEDULE,)),
    # The Rules page states zoledronic acid's schedule under DMAB-SCHEDULE ("Denosumab and
    # zoledronic acid doses"; `records/dose_safety.py` names it so too).
    BoneTherapyDrug.ZOLEDRONIC_ACID: (ScheduleItem.ZOLEDRONIC_ACID_DOSE, (RuleId.DMAB_SCHEDULE,)),
}
# The rule that reads a course of the drug, cited beside the sentence naming the course: every
# sentence of the clinician's copy carries its rule ids (phys13 #15b: the therapy paragraph had
# none). The injections' and infusions' schedule, or the oral bisphosphonates' duration review.
COURSE_RULES = {
    BoneTherapyDrug.DENOSUMAB: (RuleId.DMAB_SCHEDULE,),
    BoneTherapyDrug.ZOLEDRONIC_ACID: (RuleId.DMAB_SCHEDULE,),
}
ORAL_COURSE_RULES = (RuleId.BP_DURATION,)
# What one dose of the drug is called in the patient's letter.
DOSE_WORD = {BoneTherapyDrug.DENOSUMAB: "injection", BoneTherapyDrug.ZOLEDRONIC_ACID: "infusion"}


@dataclass(frozen=True)
class CourseFacts:
    """One bone-therapy course as a letter names it (from the records, not entered in error)."""

    drug: str  # a BoneTherapyDrug value
    dose: str
    start: dt.date | None
    stop: dt.date | None
    last_dose: dt.date | None
    # The doses recorded on this course itself (`last_dose` may be another course's).
    doses: tuple[dt.date, ...] = ()
    # What was given or planned despite failed pre-treatment checks (`therapy_words.overridden`).
    overrides: tuple[tuple[str, Override], ...] = ()

    @property
    def name(self) -> str:
        return str(BoneTherapyDrug(self.drug).label).lower()

    def planned(self, today: dt.date) -> bool:
        return self.start is None or self.start > today


def course_facts(courses: Iterable[Any]) -> list[CourseFacts]:
    """The facts of the patient's courses (`valid_therapy`, each with `valid_doses`).

    A course's last dose is the latest of its drug on any course, as the rules read it
    (DMAB-SCHEDULE): after a switch to a new course (a biosimilar) with no injection yet, the
    letters name the injection the next one follows, on the course before (physician9 F11)."""
    courses = list(courses)
    latest: dict[str, dt.date] = {}
    for course in courses:
        for dose in course.valid_doses:
            if course.drug not in latest or dose.given_on > latest[course.drug]:
                latest[course.drug] = dose.given_on
    return [
        CourseFacts(
            drug=course.drug,
            dose=course.dose,
            start=course.start_date,
            stop=course.stop_date,
            last_dose=latest.get(course.drug),
            doses=tuple(sorted(dose.given_on for dose in course.valid_doses)),
            overrides=tuple(overridden(course)),
        )
        for course in courses
    ]


def first_dose_due(course: CourseFacts, due: str) -> bool:
    """Whether the dose due on `due` (the rules' date) is the course's first: no dose recorded and
    due on the start itself, the start not counted as a dose (zoledronic acid started as
    denosumab's follow-on). Otherwise a course's start is the day of its first dose (DMAB-SCHEDULE:
    "the last dose, or the start, with no dose recorded"), so the dose due 6 months later is the
    next one (phys13 #2: "First denosumab dose due" 6 months after the start)."""
    return course.last_dose is None and course.start is not None and due <= course.start.isoformat()


def awaiting_first_dose(course: CourseFacts, data: dict[str, Any], today: dt.date) -> bool:
    """Whether a started course has its first dose still to give, as the rules schedule it: no
    dose recorded and the rules' next dose due on its start (`first_dose_due`: zoledronic acid
    started as denosumab's follow-on, whose start the rules do not count as an infusion). The
    letters say it is planned, not given, until the infusion is recorded (phys14 #7: "is being
    given (zoledronic acid)" with no infusion)."""
    if course.planned(today):
        return False
    due = _next_due(data, course.drug)
    return due is not None and first_dose_due(course, due[0])


def course_rules(drug: str) -> tuple[str, ...]:
    """The rule ids cited beside a sentence naming a course of `drug` (`COURSE_RULES`)."""
    return tuple(str(rule) for rule in COURSE_RULES.get(BoneTherapyDrug(drug), ORAL_COURSE_RULES))


def _running(courses: Iterable[CourseFacts], today: dt.date) -> list[CourseFacts]:
    """The courses given or planned: not stopped (a stop date still to come is not a stop yet)."""
    return [course for course in courses if course.stop is None or course.stop > today]


def _next_due(data: dict[str, Any], drug: str) -> tuple[str, tuple[str, ...]] | None:
    """The rules' date of the next dose of `drug` (None for an oral drug or none scheduled)."""
    item, rules = NEXT_DOSE.get(BoneTherapyDrug(drug), (None, ()))
    for entry in data.get("schedule", []):
        if item is not None and entry["item"] == item:
            return entry["due"], tuple(str(rule) for rule in rules)
    return None


def dose_due_text(
    drug: str, due: str, data: dict[str, Any], kind: str, today: dt.date, *, first: bool = False
) -> str:
    """The next dose of `drug` due on `due` (the rules' date), in the patient's or doctor's words.

    A date already passed on the letter's day is written as passed, as the letters word a DEXA
    past its date (physician8 D6: a denosumab dose 17 days late read "is due on", as if still to
    come, though for denosumab it is the date that matters most). Due, due since or overdue is
    `lateness.due_state`'s one statement (due since only in the rules' grace).

    A denosumab dose held for a low calcium (`DoseAdvice.held`) is stated, not asked for: the
    advice below says what to do, once (physician9 F17).

    `first`: the dose due is the course's first (`first_dose_due`), not its next (recheck11 #4:
    "your next infusion" of a follow-on zoledronic acid course with none given).
    """
    day = dt.date.fromisoformat(due)
    item = NEXT_DOSE[BoneTherapyDrug(drug)][0]
    grace = lateness.in_grace(item, day, today, lateness.assessment_codes(data))
    state = lateness.due_state(day, today, in_grace=grace)
    name = str(BoneTherapyDrug(drug).label).lower()
    held = drug == BoneTherapyDrug.DENOSUMAB and dose_advice(data).held
    which = "first" if first else "next"
    if kind == PATIENT:
        word = DOSE_WORD[BoneTherapyDrug(drug)]
        if state == "due":
            return f"Your {which} {word} is due on {day:%Y-%m-%d}."
        if held:
            return f"Your {which} {word} was due on {day:%Y-%m-%d}."
        return f"Your {which} {word} was due on {day:%Y-%m-%d}: please contact us to have it now."
    words = lateness.due_words(day, today, in_grace=grace)
    which = which.capitalize()
    if held:
        return f"{which} {name} dose {words} (held for the low calcium: see the recommendations)."
    if state == "due":
        return f"{which} {name} dose due {day:%Y-%m-%d}."
    return f"{which} {name} dose {words}: please arrange it now."


@dataclass(frozen=True)
class DoseAdvice:
    """What the rules' GIVE_DENOSUMAB says beside the safety alerts (its rule ids, set by
    monitoring/domain/rules/drugs.py `give_denosumab`): `held` for a low calcium (CA-LOW),
    `vitamin_d` deficient (VITD)."""

    held: bool = False
    vitamin_d: bool = False


def dose_advice(data: dict[str, Any]) -> DoseAdvice:
    """The stored assessment's GIVE_DENOSUMAB, read for its held dose and vitamin D (none: both
    false)."""
    for rec in data.get("recommendations", ()):
        if rec["code"] == RecommendationCode.GIVE_DENOSUMAB:
            rules = set(rec.get("rules", ()))
            return DoseAdvice(held=RuleId.CA_LOW in rules, vitamin_d=RuleId.VITD in rules)
    return DoseAdvice()


# GIVE_DENOSUMAB in the letters' words, (to the patient, to the doctor), when the dose is held
# for a low calcium: correct it first, then give the dose promptly (physician9 F17). `{when}` is
# "is due on <date>" or "was due on <date>" (the patient), `{due}` the lateness words (the doctor).
HELD_ADVICE = (
    "Your denosumab injection {when}, but your calcium level is low: we will first bring it back "
    "to normal, then give you the injection as soon as we can, as a late injection lets your "
    "bones weaken quickly.",
    "The next denosumab dose is {due}, but the adjusted calcium is low: please correct the "
    "calcium first, then give the dose as soon as it is normal, keeping the delay as short as "
    "possible, as a late dose risks rebound bone loss.",
)
# Added to the advice when vitamin D is deficient (physician9 F9): (held, not held) per letter.
VITAMIN_D_WITH_DOSE = {
    PATIENT: (
        " Your vitamin D is low too: please start the vitamin D supplement we recommend.",
        " Your vitamin D is low: please start the vitamin D supplement we recommend, but do not "
        "put off the injection because of it.",
    ),
    DOCTOR: (
        " Vitamin D is deficient too: please start repletion now.",
        " Vitamin D is deficient: please start repletion now and check the calcium is normal "
        "before the injection, but do not delay the dose for vitamin D alone.",
    ),
}


def give_denosumab_advice(
    rec: dict[str, Any], data: dict[str, Any], kind: str, today: dt.date, text: str
) -> str:
    """The letter's GIVE_DENOSUMAB advice: `text` (the usual words), or the held dose's words,
    with vitamin D repletion added when it is deficient; any other recommendation's `text`."""
    if rec["code"] != RecommendationCode.GIVE_DENOSUMAB:
        return text
    advice = dose_advice(data)
    if advice.held and rec.get("due"):
        day = dt.date.fromisoformat(rec["due"])
        codes = lateness.assessment_codes(data)
        grace = lateness.in_grace(ScheduleItem.DENOSUMAB_DOSE, day, today, codes)
        when = f"{'is' if day >= today else 'was'} due on {day:%Y-%m-%d}"
        due = lateness.due_words(day, today, in_grace=grace)
        text = HELD_ADVICE[0 if kind == PATIENT else 1].format(when=when, due=due)
    if advice.vitamin_d:
        text += VITAMIN_D_WITH_DOSE[kind][0 if advice.held else 1]
    return text


# The open alerts that hold a denosumab course's first injection (phys12 F4): the critical low
# calcium (CA-LOW, "do not give denosumab until it is corrected") and a vitamin D deficiency made
# high by the planned injection (VITD, "replete before denosumab"). While one is open and the course
# is planned (a course started had its first injection on its start), the warning never to stop or
# delay denosumab, written for a course with doses given, is not said: the letter says that the
# first injection waits instead.
# Per alert code, the calcium first: (to the patient, to the doctor, the rule).
FIRST_DOSE_HOLDS: dict[str, tuple[str, str, str]] = {
    "HYPOCALCEMIA": (
        "Your first denosumab injection will wait until your calcium level is back to normal.",
        "The first denosumab injection waits until the adjusted calcium is corrected.",
        RuleId.CA_LOW,
    ),
    "VITAMIN_D_DEFICIENT": (
        "Your first denosumab injection will wait until your vitamin D level is back up.",
        "The first denosumab injection waits until vitamin D is replete.",
        RuleId.VITD,
    ),
}


def first_dose_hold(
    course: CourseFacts, data: dict[str, Any], kind: str, today: dt.date
) -> tuple[str, str] | None:
    """(text, rule id) saying that a planned denosumab course waits for its first injection, in
    the patient's or doctor's words; None (not denosumab, a dose given, a course started, whose
    start was its first injection (DMAB-SCHEDULE; phys13 #2), or no open alert holds it)."""
    if course.drug != BoneTherapyDrug.DENOSUMAB or course.last_dose is not None:
        return None
    if not course.planned(today):
        return None
    holding = {
        alert["code"]
        for alert in data.get("alerts", ())
        if alert["code"] == "HYPOCALCEMIA"
        or (alert["code"] == "VITAMIN_D_DEFICIENT" and alert.get("severity") == "high")
    }
    for code, (patient, doctor, rule) in FIRST_DOSE_HOLDS.items():
        if code in holding:
            return (patient if kind == PATIENT else doctor), rule
    return None


def indicated_text(
    courses: Iterable[CourseFacts], today: dt.date, data: dict[str, Any] | None = None
) -> str:
    """The doctor's sentence for a patient the rules find therapy indicated for: said together
    with what is given or planned, so that it never reads as if nothing was started. A course
    whose first dose is still to give (`awaiting_first_dose`, by the rules in `data`) is planned,
    not given."""
    running = _running(courses, today)
    waiting = [c for c in running if awaiting_first_dose(c, data or {}, today)]
    given = [c.name for c in running if not c.planned(today) and c not in waiting]
    planned = [c.name for c in running if c.planned(today)] + [
        f"{c.name}, no {DOSE_WORD.get(BoneTherapyDrug(c.drug), 'dose')} yet" for c in waiting
    ]
    if given:
        return f"Bone-protective therapy is indicated and is being given ({', '.join(given)})."
    if planned:
        return f"Bone-protective therapy is indicated and is planned ({', '.join(planned)})."
    # Courses given and stopped are named, so that a stopped denosumab never reads as if no bone
    # therapy had ever been given (phys11 F1).
    stopped = [
        f"{course.name} from {course.start:%Y-%m-%d} to {course.stop:%Y-%m-%d}"
        for course in courses
        if course.start is not None and course.stop is not None and course.start <= today
    ]
    if stopped:
        return (
            f"Bone-protective therapy is indicated; what was given has stopped "
            f"({'; '.join(stopped)}), and none is given or planned now."
        )
    return "Bone-protective therapy is indicated; none is recorded as given or planned."


def _doctor(
    course: CourseFacts, data: dict[str, Any], today: dt.date
) -> Iterator[tuple[str, tuple[str, ...]]]:
    dose = f" ({course.dose})" if course.dose else ""
    drug = course.name.capitalize()
    if course.planned(today):
        when = (
            f", to start on {course.start:%Y-%m-%d}" if course.start else ", start date not yet set"
        )
        yield f"{drug}{dose} is planned{when}.", course_rules(course.drug)
    else:
        if awaiting_first_dose(course, data, today):
            word = DOSE_WORD[BoneTherapyDrug(course.drug)]
            # As the header and the summary word it (`therapy_words`).
            yield (
                f"{drug}{dose} planned from {course.start:%Y-%m-%d}, no {word} yet.",
                course_rules(course.drug),
            )
        else:
            # An oral drug's intakes (daily or weekly) are not recorded: it has no last dose.
            last = f"; last dose {course.last_dose:%Y-%m-%d}" if course.last_dose else ""
            yield f"{drug}{dose} since {course.start:%Y-%m-%d}{last}.", course_rules(course.drug)
        due = _next_due(data, course.drug)
        if due is not None:
            first = first_dose_due(course, due[0])
            yield dose_due_text(course.drug, due[0], data, DOCTOR, today, first=first), due[1]
    hold = first_dose_hold(course, data, DOCTOR, today)
    if hold is not None:
        yield hold[0], (hold[1],)
    elif course.drug == BoneTherapyDrug.DENOSUMAB:
        yield (
            "Please do not stop or delay denosumab without follow-on therapy: when it stops or "
            "a dose is late, bone loss rebounds quickly and multiple vertebral fractures can "
            "follow. If it is to stop, a bisphosphonate should start within "
            f"{DENOSUMAB_INTERVAL_MONTHS} months of the last dose.",
            (RuleId.DMAB_SCHEDULE, RuleId.DMAB_STOP),
        )


def _patient(
    course: CourseFacts, data: dict[str, Any], today: dt.date
) -> Iterator[tuple[str, tuple[str, ...]]]:
    word = DOSE_WORD.get(BoneTherapyDrug(course.drug))
    if course.planned(today):
        when = f", from {course.start:%Y-%m-%d}" if course.start else ""
        yield (
            f"We plan to start {course.name}, a medicine that protects your bones{when}.",
            course_rules(course.drug),
        )
    else:
        having = "having" if word else "taking"  # injections or infusions; tablets
        if awaiting_first_dose(course, data, today):
            yield (
                f"We plan to give you {course.name}, a medicine that protects your bones, from "
                f"{course.start:%Y-%m-%d}; no {word} is recorded as given yet.",
                course_rules(course.drug),
            )
        else:
            yield (
                f"You are {having} {course.name} to protect your bones, since "
                f"{course.start:%Y-%m-%d}.",
                course_rules(course.drug),
            )
        if word and course.last_dose:
            yield f"Your last {word} was on {course.last_dose:%Y-%m-%d}.", course_rules(course.drug)
        due = _next_due(data, course.drug)
        if word and due is not None:
            first = first_dose_due(course, due[0])
            yield dose_due_text(course.drug, due[0], data, PATIENT, today, first=first), due[1]
    hold = first_dose_hold(course, data, PATIENT, today)
    if hold is not None:
        yield hold[0], (hold[1],)
    elif course.drug == BoneTherapyDrug.DENOSUMAB:
        yield (
            "Please do not stop or put off your denosumab injections without talking to us "
            "first: if they stop, your bones can quickly get weaker and break, unless another "
            "bone medicine follows.",
            (RuleId.DMAB_SCHEDULE, RuleId.DMAB_STOP),
        )


def therapy_texts(
    courses: Iterable[CourseFacts], data: dict[str, Any], kind: str, today: dt.date
) -> Iterator[tuple[str, tuple[str, ...]]]:
    """(text, rule ids) of each course given or planned, for the patient's or doctor's letter."""
    write = _patient if kind == PATIENT else _doctor
    for course in _running(courses, today):
        yield from (
            (text, tuple(str(r) for r in rules)) for text, rules in write(course, data, today)
        )


# A start of therapy the rules hold for a low calcium (CA-LOW or CA-LOW-OTHER among the rules of
# START_BONE_THERAPY, nurse10 F1, or of START_FOLLOW_ON_THERAPY, the one start advice after
# denosumab): said before the advice, to the patient and to the doctor.
CALCIUM_FIRST = {
    PATIENT: "Your calcium level needs to be brought back to normal first. ",
    DOCTOR: "Correct the low calcium first (see the alert below); then: ",
}
CALCIUM_RULES = frozenset({RuleId.CA_LOW, RuleId.CA_LOW_OTHER})
START_ADVICE = frozenset(
    {RecommendationCode.START_BONE_THERAPY, RecommendationCode.START_FOLLOW_ON_THERAPY}
)


# A start the rules word with repleting a deficient vitamin D first (VITD among the rules of
# START_BONE_THERAPY, phys13 #5: domain/rules/vitamin_d_first.py), said after the calcium. After
# denosumab the repletion is not put first (the follow-on has its deadline): the alert says it.
VITAMIN_D_FIRST = {
    PATIENT: "Your vitamin D level needs to be brought back up first. ",
    DOCTOR: "Replete the deficient vitamin D first and check the calcium (see the alert below); "
    "then: ",
}
BOTH_FIRST = {
    PATIENT: "Your calcium level needs to be brought back to normal and your vitamin D level "
    "back up first. ",
    DOCTOR: "Correct the low calcium and replete the deficient vitamin D first (see the alerts "
    "below); then: ",
}


def start_therapy_advice(rec: dict[str, Any], kind: str, text: str) -> str:
    """The letter's advice to start an antiresorptive (START_BONE_THERAPY, or after denosumab
    START_FOLLOW_ON_THERAPY): `text`, opened with correcting the calcium first when the rules
    found it low, and with repleting vitamin D first when they found it deficient (not after
    denosumab); any other recommendation's `text`."""
    if rec["code"] not in START_ADVICE:
        return text
    rules = rec.get("rules", ())
    calcium = bool(CALCIUM_RULES.intersection(rules))
    vitamin_d = rec["code"] == RecommendationCode.START_BONE_THERAPY and RuleId.VITD in rules
    if calcium and vitamin_d:
        return BOTH_FIRST[kind] + text
    if vitamin_d:
        return VITAMIN_D_FIRST[kind] + text
    return CALCIUM_FIRST[kind] + text if calcium else text
