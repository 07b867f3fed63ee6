"""What the letters and the summary say of a denosumab course given and stopped, once its
bisphosphonate follow-on is in place (DMAB-STOP no longer stands): the dates and the doses.

phys13 #6: after three years of denosumab, stopped and followed by zoledronic acid, the letters and
the summary named the zoledronic acid alone. The rebound bone loss after stopping denosumab stays
relevant to the family doctor (it is why the follow-on must not lapse), so the course stays named.
The course DMAB-STOP stands on (no follow-on yet) is said by `letter_denosumab_stop` instead.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from monitoring.domain import RuleId
from monitoring.models.choices import BoneTherapyDrug
from monitoring.overview.letter_denosumab_stop import StoppedDenosumab
from monitoring.overview.letter_therapy import DOCTOR, CourseFacts

RULES = (str(RuleId.DMAB_STOP),)
BISPHOSPHONATES = frozenset(BoneTherapyDrug) - {BoneTherapyDrug.DENOSUMAB}


@dataclass(frozen=True)
class PriorDenosumab:
    """A denosumab course started and stopped by the day the letter is written."""

    dose: str
    start: date
    stop: date
    doses: tuple[date, ...]

    def doses_words(self, word: str = "dose") -> str:
        """ "6 doses, the last on 2026-04-01", or "no dose recorded"."""
        if not self.doses:
            return f"no {word} recorded"
        count = f"{len(self.doses)} {word}{'s' if len(self.doses) > 1 else ''}"
        return f"{count}, the last on {self.doses[-1]:%Y-%m-%d}"


def prior_denosumab(
    courses: Iterable[CourseFacts], today: date, stopped: StoppedDenosumab | None = None
) -> list[PriorDenosumab]:
    """The denosumab courses started and stopped by `today`, oldest first, except the one
    `stopped` names (DMAB-STOP stands on it: said with its follow-on date)."""
    found = [
        PriorDenosumab(dose=course.dose, start=course.start, stop=course.stop, doses=course.doses)
        for course in courses
        if course.drug == BoneTherapyDrug.DENOSUMAB
        and course.start is not None
        and course.stop is not None
        and course.start <= today
        and course.stop <= today
        and not (
            stopped is not None and course.start == stopped.start and course.stop == stopped.stop
        )
    ]
    return sorted(found, key=lambda prior: prior.start)


def _spans(priors: list[PriorDenosumab], word: str) -> str:
    return "; ".join(
        f"from {prior.start:%Y-%m-%d} to {prior.stop:%Y-%m-%d} ({prior.doses_words(word)})"
        for prior in priors
    )


def prior_denosumab_texts(
    courses: Iterable[CourseFacts],
    kind: str,
    today: date,
    stopped: StoppedDenosumab | None = None,
) -> Iterator[tuple[str, tuple[str, ...]]]:
    """(text, rule ids) of the denosumab given before, for the doctor's or the patient's letter,
    with why it still matters (after the courses given now)."""
    courses = list(courses)
    priors = prior_denosumab(courses, today, stopped)
    if not priors:
        return
    following = sorted(
        {
            course.name
            for course in courses
            if course.drug in BISPHOSPHONATES
            and course.start is not None
            and course.start <= today
            and (course.stop is None or course.stop > today)
        }
    )
    ended = _ended_follow_ons(courses, priors[-1], today)
    if kind == DOCTOR:
        doses = {prior.dose for prior in priors if prior.dose}
        dose = f" ({', '.join(sorted(doses))})" if doses else ""
        yield f"Denosumab{dose} was given before: {_spans(priors, 'dose')}.", RULES
        for course in ended:
            yield f"{_doctor_follow_on(course)}.", RULES
        keep = (
            f"; the {' and '.join(following)} that followed it is there to prevent this, so "
            "please do not let it lapse"
            if following
            else ""
        )
        yield (
            "Bone loss can rebound once denosumab has stopped, and multiple vertebral fractures "
            f"can follow{keep}.",
            RULES,
        )
        return
    yield f"You had denosumab injections before, {_spans(priors, 'injection')}.", RULES
    for course in ended:
        yield _patient_follow_on(course), RULES
    if following:
        yield (
            f"The {' and '.join(following)} you are having now helps keep the bone that "
            "denosumab built.",
            RULES,
        )


def _ended_follow_ons(
    courses: list[CourseFacts], prior: PriorDenosumab, today: date
) -> list[CourseFacts]:
    """The bisphosphonate courses given after the last denosumab course (`prior`: started on or
    after its last injection, or its start with none recorded) and stopped by `today`: the
    follow-on actually given, named with its dates though it has stopped (phys14 #5: after one
    zoledronic acid infusion, the letter named the denosumab alone)."""
    after = prior.doses[-1] if prior.doses else prior.start
    return [
        course
        for course in courses
        if course.drug in BISPHOSPHONATES
        and course.start is not None
        and after <= course.start <= today
        and course.stop is not None
        and course.stop <= today
        and (course.drug != BoneTherapyDrug.ZOLEDRONIC_ACID or course.doses)
    ]


def _doctor_follow_on(course: CourseFacts) -> str:
    """ "Zoledronic acid followed it (1 infusion, on 2025-08-01), stopped 2025-08-01"."""
    if course.drug == BoneTherapyDrug.ZOLEDRONIC_ACID:
        return f"Zoledronic acid followed it ({_infusions(course)}), stopped {course.stop:%Y-%m-%d}"
    return (
        f"{course.name.capitalize()} followed it, from {course.start:%Y-%m-%d} to "
        f"{course.stop:%Y-%m-%d}"
    )


def _patient_follow_on(course: CourseFacts) -> str:
    if course.drug == BoneTherapyDrug.ZOLEDRONIC_ACID:
        return (
            f"Zoledronic acid followed them ({_infusions(course)}), to keep the bone denosumab "
            "built."
        )
    return (
        f"You then took {course.name} from {course.start:%Y-%m-%d} to {course.stop:%Y-%m-%d}, to "
        "keep the bone denosumab built."
    )


def _infusions(course: CourseFacts) -> str:
    """ "1 infusion, on 2025-08-01" or "2 infusions, the last on 2026-02-01"."""
    if len(course.doses) == 1:
        return f"1 infusion, on {course.doses[0]:%Y-%m-%d}"
    return f"{len(course.doses)} infusions, the last on {course.doses[-1]:%Y-%m-%d}"
