"""A switch of drug in one save, for aromatase inhibitors (`patients.ai_switch`) and for
bone-protective therapy (`monitoring.records.services.therapy`) alike: the course a new one
replaces is stopped in the new course's transaction, under the patient's lock its caller holds,
and the patient is reassessed once, with the new course in place (physician7 F8: an acknowledged
alert that still holds stays the same alert).

The form names the course it offered to stop and the version it showed (security8 N1): a switch
stops that course only while it is still the current one, unchanged; otherwise a colleague's
newer course (or a change to the shown one) would be stopped by a user who never saw it."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from django.db.models import Model
from django.http import HttpRequest

from bonehealth.accounts.models import User
from bonehealth.audit.records import versioned_update
from patients.models import Patient


class VersionedCourse(Protocol):
    pk: Any
    version: int
    stop_reason: str


@dataclass(frozen=True)
class CourseSwitch:
    """The course a new one replaces, as the form showed it (id and version), and the day it
    stops: None for the day the new course starts."""

    course_pk: int
    expected_version: int
    stop_date: date | None = None


def still_offered(current: VersionedCourse | None, *, course_pk: Any, version: Any) -> bool:
    """Whether `current` (the course current now, read under the patient's lock) is the course
    the form offered to stop, at the version it showed."""
    return current is not None and (current.pk, current.version) == (course_pk, version)


def switch_day_error(*, start: date | None, stop_day: date, course_words: str) -> str | None:
    """Why the current course (`course_words`, starting on `start`) cannot stop on `stop_day` for
    a switch; None when it can. It stops after its first day: not before it began, and not on
    that day, which would leave a course of no day at all (nurse9 F10: a switch's form opened
    again with the browser's Back button offered the course just saved, and saving it again
    stopped that course on its own start and stored it twice)."""
    if start is None or stop_day > start:
        return None
    if stop_day < start:
        return f"{course_words} starts on {start:%Y-%m-%d}, after this day: it cannot stop first."
    return (
        f"{course_words} starts on {start:%Y-%m-%d}, this same day: a switch would leave it no day "
        "at all. If this form repeats a switch already saved, it is saved (see the courses); if "
        "that course was never given, mark it entered in error instead."
    )


def stop_replaced_course(
    *,
    actor: User,
    patient: Patient,
    course: Model,
    stop_date: date,
    new_drug: str,
    fields: Sequence[str],
    expected_version: int,
    request: HttpRequest | None,
) -> None:
    """Stop `course` on `stop_date` for a switch to `new_drug`, audited, without reassessing;
    its stop reason says the switch unless one was already given. Raises what `versioned_update`
    raises when the course changed or was marked in error meanwhile."""
    values: dict[str, Any] = {"stop_date": stop_date}
    if not getattr(course, "stop_reason", ""):
        values["stop_reason"] = f"switched to {new_drug.replace('_', ' ')}"
    versioned_update(
        actor=actor,
        instance=course,
        values=values,
        fields=list(fields),
        expected_version=expected_version,
        patient=patient,
        request=request,
    )
