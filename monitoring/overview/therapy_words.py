"""What the pages and printouts say of a patient's bone-therapy courses: those running now (or the
last one stopped, and a denosumab course stopped with no follow-on yet), with the last dose on
paper, and each pre-treatment check overridden, with the reason, who and when.

The template filters of the same names (`monitoring_display`) call these.
"""

from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from monitoring.models.choices import BoneTherapyDrug
from patients.templatetags.patient_display import started


def _courses_now(courses: Iterable[Any], stopped: Any = None) -> list[Any]:
    """The bone-therapy courses not stopped; with none, the last stopped one; and the denosumab
    course `stopped` with no follow-on yet (a `StoppedDenosumab`: DMAB-STOP stands), which a
    later course stopped hid (phys11 F9: "Alendronate stopped 2026-12-06" alone, after the
    denosumab stop the critical alert is about). In the record's order."""
    courses = list(courses)
    listed = [course for course in courses if course.stop_date is None]
    if not listed:
        last = max(courses, key=lambda course: course.stop_date, default=None)
        listed = [] if last is None else [last]
    if stopped is not None:
        listed += [c for c in courses if _is_stopped_denosumab(c, stopped) and c not in listed]
    return [course for course in courses if course in listed]


def _is_stopped_denosumab(course: Any, stopped: Any) -> bool:
    return (
        course.drug == BoneTherapyDrug.DENOSUMAB
        and course.start_date == stopped.start
        and course.stop_date == stopped.stop
    )


def therapy_now(courses: Iterable[Any], stopped: Any = None) -> list[tuple[str, str]]:
    """(drug, when) of each bone-therapy course not stopped; with none, the last stopped one; and
    the denosumab course `stopped` with no follow-on yet (`_courses_now`)."""
    return [
        (
            course.get_drug_display(),
            f"stopped {course.stop_date:%Y-%m-%d}"
            if course.stop_date
            else started(course.start_date),
        )
        for course in _courses_now(courses, stopped)
    ]


def therapy_now_on_paper(courses: Iterable[Any], stopped: Any = None) -> list[str]:
    """`therapy_now` with the last dose given of each course (a printout, read without the
    patient page's dose table): "Denosumab since 2024-08-29, last dose 2026-12-07"; for the
    denosumab course `stopped`, the rules' last dose (DMAB-STOP's, on any course)."""
    lines = []
    listed = _courses_now(courses, stopped)
    for course, (drug, when) in zip(listed, therapy_now(courses, stopped), strict=True):
        last = max((dose.given_on for dose in course.valid_doses), default=None)
        if stopped is not None and _is_stopped_denosumab(course, stopped):
            last = stopped.last_dose
        lines.append(f"{drug} {when}, last dose {last:%Y-%m-%d}" if last else f"{drug} {when}")
    return lines


def _override(record: Any) -> tuple[str, str, str] | None:
    """(checks, reason, who and when) of a course or dose given despite failed pre-treatment
    checks (`models.therapy.SafetyOverride`), or None when no check was overridden."""
    if not record.safety_checks_failed and not record.safety_override_reason:
        return None
    checks = ", ".join(record.safety_checks_failed_labels) or "not recorded"
    who = str(record.safety_override_by) if record.safety_override_by else "history import"
    at = record.safety_override_at
    when = f", {timezone.localdate(at):%Y-%m-%d}" if at else ""
    return checks, record.safety_override_reason, f"{who}{when}"


def _despite(what: str, override: tuple[str, str, str]) -> str:
    checks, reason, by = override
    return f"{what} despite failed checks: {checks} — reason: {reason} ({by})"


def _overridden(course: Any) -> list[tuple[str, tuple[str, str, str]]]:
    """(what was given, its override) of a course and its doses (`valid_doses`), doses
    overridden alike (one import's) together."""
    found = []
    override = _override(course)
    if override is not None:
        planned = course.start_date is None or course.start_date > timezone.localdate()
        found.append(("Planned" if planned else "Started", override))
    alike: dict[tuple[str, str, str], list[str]] = {}
    for dose in course.valid_doses:
        override = _override(dose)
        if override is not None:
            alike.setdefault(override, []).append(f"{dose.given_on:%Y-%m-%d}")
    for override, days in alike.items():
        what = f"Dose of {days[0]} given" if len(days) == 1 else f"Doses of {', '.join(days)} given"
        found.append((what, override))
    return found


def override_notes(course: Any) -> list[str]:
    """The overrides of a bone-therapy course and its doses (`valid_doses`), in words: which
    checks, the reason, who and when; doses overridden alike (one import's) in one note. The
    words say it, so it reads without colour."""
    return [_despite(what, override) for what, override in _overridden(course)]


def therapy_now_overrides_brief(courses: Iterable[Any], stopped: Any = None) -> str:
    """The overrides `therapy_now_overrides` states, in brief for a full summary (phys12 F18):
    what was given despite failed checks, the checks, reasons and who left to the patient page;
    "" without any."""
    whats = [what for course in _courses_now(courses, stopped) for what, _ in _overridden(course)]
    if not whats:
        return ""
    listed = "; ".join([whats[0], *(what[:1].lower() + what[1:] for what in whats[1:])])
    return f"{listed} despite failed checks (which checks, why and by whom: on the patient page)"


def therapy_now_overrides(courses: Iterable[Any], stopped: Any = None) -> list[str]:
    """The override notes of the courses `therapy_now` lists (a printout)."""
    return [note for course in _courses_now(courses, stopped) for note in override_notes(course)]
