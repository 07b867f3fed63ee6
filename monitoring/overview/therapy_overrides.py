"""A bone-therapy course or dose given or planned despite failed pre-treatment checks
(`models.therapy.SafetyOverride`): which checks, the reason, who and when. The summary
(`therapy_words`) and the doctor's letter (`letter_overrides`) word them.
"""

from typing import Any, NamedTuple

from django.utils import timezone


class Override(NamedTuple):
    """A course or dose given despite failed pre-treatment checks: the checks' labels, the
    reason, who and when, and the checks' keys (`SafetyCheck` values)."""

    checks: str
    reason: str
    by: str
    failed: tuple[str, ...]


def _override(record: Any) -> Override | None:
    """The override of a course or dose given despite failed pre-treatment checks
    (`models.therapy.SafetyOverride`), or None when no check was overridden."""
    if not record.safety_checks_failed and not record.safety_override_reason:
        return None
    checks = ", ".join(record.safety_checks_failed_labels) or "not recorded"
    who = str(record.safety_override_by) if record.safety_override_by else "history import"
    at = record.safety_override_at
    when = f", {timezone.localdate(at):%Y-%m-%d}" if at else ""
    return Override(
        checks, record.safety_override_reason, f"{who}{when}", tuple(record.safety_checks_failed)
    )


def overridden(course: Any) -> list[tuple[str, Override]]:
    """(what was given, its override) of a course and its doses (`valid_doses`), doses
    overridden alike (one import's) together: "Started", "Planned", "Dose of <day> given" or
    "Doses of <day>, <day> given"."""
    found = []
    override = _override(course)
    if override is not None:
        planned = course.start_date is None or course.start_date > timezone.localdate()
        found.append(("Planned" if planned else "Started", override))
    alike: dict[Override, list[str]] = {}
    for dose in course.valid_doses:
        override = _override(dose)
        if override is not None:
            alike.setdefault(override, []).append(f"{dose.given_on:%Y-%m-%d}")
    for override, days in alike.items():
        what = f"Dose of {days[0]} given" if len(days) == 1 else f"Doses of {', '.join(days)} given"
        found.append((what, override))
    return found
