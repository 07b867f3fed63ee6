"""What the pages and printouts say of a patient's bone-therapy courses: those running now (or the
last one stopped, and a denosumab course stopped with no follow-on yet), with the last dose on
paper (and the denosumab given before), and each pre-treatment check overridden, with the
reason, who and when.

The template filters of the same names (`monitoring_display`) call these.
"""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.utils import timezone

from monitoring.models.choices import BoneTherapyDrug
from monitoring.overview.letter_prior_denosumab import prior_denosumab
from monitoring.overview.letter_therapy import course_facts
from monitoring.overview.therapy_overrides import Override, overridden
from patients.templatetags.patient_display import started


def _courses_now(courses: Iterable[Any], stopped: Any = None) -> list[Any]:
    """The bone-therapy courses not stopped; with none, the last stopped one (on the same stop
    date, the one started later: the follow-on stopped the day denosumab was) and, when it is a
    bisphosphonate given after denosumab, that denosumab course (`_followed`); and the denosumab
    course `stopped` with no follow-on yet (a `StoppedDenosumab`: DMAB-STOP stands), which a
    later course stopped hid (phys11 F9: "Alendronate stopped 2026-12-06" alone, after the
    denosumab stop the critical alert is about). In the record's order."""
    courses = list(courses)
    listed = [course for course in courses if course.stop_date is None]
    if not listed:
        last = max(courses, key=_stopped_then_started, default=None)
        listed = [] if last is None else [*_followed(courses, last), last]
    if stopped is not None:
        listed += [c for c in courses if _is_stopped_denosumab(c, stopped) and c not in listed]
    return [course for course in courses if course in listed]


def _stopped_then_started(course: Any) -> tuple[date, date]:
    return (course.stop_date, course.start_date or date.min)


def _followed(courses: list[Any], last: Any) -> list[Any]:
    """The denosumab course a stopped bisphosphonate course `last` followed (the latest stopped
    denosumab course started before it), or none: phys14 #5, the header read "Denosumab stopped
    2025-08-01" alone, the zoledronic acid infusion that followed it the same day unnamed."""
    if last.drug == BoneTherapyDrug.DENOSUMAB or last.start_date is None:
        return []
    before = [
        course
        for course in courses
        if course.drug == BoneTherapyDrug.DENOSUMAB
        and course.stop_date is not None
        and course.start_date is not None
        and course.start_date <= last.start_date
    ]
    return [max(before, key=_stopped_then_started)] if before else []


def _follow_on_when(course: Any) -> str:
    """When a stopped bisphosphonate listed after the denosumab it followed ran: "follow-on: 1
    infusion, on 2025-08-01; stopped 2025-08-01" (the infusion given, not only the stop), or
    "follow-on from 2025-08-01, stopped 2026-08-01" for tablets."""
    if course.drug == BoneTherapyDrug.ZOLEDRONIC_ACID:
        given = sorted(dose.given_on for dose in course.valid_doses)
        if given:
            count = "1 infusion, on" if len(given) == 1 else f"{len(given)} infusions, the last on"
            return f"follow-on: {count} {given[-1]:%Y-%m-%d}; stopped {course.stop_date:%Y-%m-%d}"
    return f"follow-on from {course.start_date:%Y-%m-%d}, stopped {course.stop_date:%Y-%m-%d}"


def _is_stopped_denosumab(course: Any, stopped: Any) -> bool:
    return (
        course.drug == BoneTherapyDrug.DENOSUMAB
        and course.start_date == stopped.start
        and course.stop_date == stopped.stop
    )


def _when(course: Any, stopped: Any) -> str:
    """When a listed course ran: "stopped ...", "since ...", or, for the zoledronic acid course
    started as the follow-on of the denosumab course `stopped` with its infusion not recorded
    (`StoppedDenosumab.infusion_awaited`), "planned from ..., no infusion yet", as the letters
    say it (phys14 #7: the rules count no infusion before one is recorded)."""
    if course.stop_date:
        return f"stopped {course.stop_date:%Y-%m-%d}"
    awaited = getattr(stopped, "infusion_awaited", None)
    if (
        awaited is not None
        and course.drug == BoneTherapyDrug.ZOLEDRONIC_ACID
        and course.start_date == awaited
    ):
        return f"planned from {awaited:%Y-%m-%d}, no infusion yet"
    return started(course.start_date)


def therapy_now(courses: Iterable[Any], stopped: Any = None) -> list[tuple[str, str]]:
    """(drug, when) of each bone-therapy course not stopped; with none, the last stopped one (and
    the denosumab it followed, `_follow_on_when`); and the denosumab course `stopped` with no
    follow-on yet (`_courses_now`)."""
    listed = _courses_now(courses, stopped)
    follow_ons = _follow_ons(listed, stopped)
    return [
        (
            course.get_drug_display(),
            _follow_on_when(course) if course in follow_ons else _when(course, stopped),
        )
        for course in listed
    ]


def _follow_ons(listed: list[Any], stopped: Any) -> list[Any]:
    """The stopped bisphosphonate courses listed after a denosumab course they followed; none
    while DMAB-STOP stands (`stopped`): the rules count none of them as the follow-on."""
    if stopped is not None or not any(c.drug == BoneTherapyDrug.DENOSUMAB for c in listed):
        return []
    return [
        course
        for course in listed
        if course.drug != BoneTherapyDrug.DENOSUMAB
        and course.stop_date is not None
        and _followed(listed, course)
    ]


def therapy_now_on_paper(courses: Iterable[Any], stopped: Any = None) -> list[str]:
    """`therapy_now` with the last dose given of each course (a printout, read without the
    patient page's dose table): "Denosumab since 2024-08-29, last dose 2026-12-07"; for the
    denosumab course `stopped`, the rules' last dose (DMAB-STOP's, on any course)."""
    lines = []
    listed = _courses_now(courses, stopped)
    follow_ons = _follow_ons(listed, stopped)
    for course, (drug, when) in zip(listed, therapy_now(courses, stopped), strict=True):
        last = max((dose.given_on for dose in course.valid_doses), default=None)
        if stopped is not None and _is_stopped_denosumab(course, stopped):
            last = stopped.last_dose
        if course in follow_ons:
            last = None  # its infusions are in its words
        lines.append(f"{drug} {when}, last dose {last:%Y-%m-%d}" if last else f"{drug} {when}")
    return lines + _prior_denosumab_on_paper(courses, listed, stopped)


def _prior_denosumab_on_paper(courses: Iterable[Any], listed: list[Any], stopped: Any) -> list[str]:
    """The denosumab courses given and stopped that `therapy_now` does not list (their follow-on
    in place): the rebound risk stays relevant to whoever reads the printout (phys13 #6)."""
    named = {(c.start_date, c.stop_date) for c in listed if c.drug == BoneTherapyDrug.DENOSUMAB}
    return [
        f"Prior denosumab {prior.start:%Y-%m-%d} to {prior.stop:%Y-%m-%d} ({prior.doses_words()})"
        for prior in prior_denosumab(course_facts(courses), timezone.localdate(), stopped)
        if (prior.start, prior.stop) not in named
    ]


def _despite(what: str, override: Override) -> str:
    checks, reason, by = override.checks, override.reason, override.by
    return f"{what} despite failed checks: {checks} — reason: {reason} ({by})"


def override_notes(course: Any) -> list[str]:
    """The overrides of a bone-therapy course and its doses (`valid_doses`), in words: which
    checks, the reason, who and when; doses overridden alike (one import's) in one note. The
    words say it, so it reads without colour."""
    return [_despite(what, override) for what, override in overridden(course)]


def therapy_now_overrides_brief(courses: Iterable[Any], stopped: Any = None) -> str:
    """The overrides `therapy_now_overrides` states, in brief for a full summary (phys12 F18):
    what was given despite failed checks, the checks, reasons and who left to the patient page;
    "" without any."""
    whats = [what for course in _courses_now(courses, stopped) for what, _ in overridden(course)]
    if not whats:
        return ""
    listed = "; ".join([whats[0], *(what[:1].lower() + what[1:] for what in whats[1:])])
    return f"{listed} despite failed checks (which checks, why and by whom: on the patient page)"


def therapy_now_overrides(courses: Iterable[Any], stopped: Any = None) -> list[str]:
    """The override notes of the courses `therapy_now` lists (a printout)."""
    return [note for course in _courses_now(courses, stopped) for note in override_notes(course)]
