"""The guards every entry service shares to save a record once: the patient's lock, the refusal
of a duplicate naming who entered the record, and the unique index as the last line of defence."""

from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils import timezone

from bonehealth.audit.concurrency import RecordConflictError
from monitoring.models.records import ClinicalEntry

# The lock lives with the patients app, whose own writers (the AI courses) take it too.
from patients.services import patient_lock as patient_lock


class EntryConflictError(RecordConflictError):
    """The entry clashes with a record already saved; `field` names the form field to blame."""


def entered_by_line(entry: ClinicalEntry) -> str:
    """Who entered a record and when, for a refusal's message."""
    when = f"{timezone.localtime(entry.entered_at):%Y-%m-%d %H:%M}"
    return f"entered by {entry.entered_by} at {when}" if entry.entered_by else f"entered at {when}"


def saved_once[T](save: Callable[[], T], *, check: Callable[[], None]) -> T:
    """Run `save` in a savepoint; if a unique index refuses it, raise `check`'s conflict.

    The last line of defence: a concurrent writer that skipped the check committed the same record
    first. The savepoint keeps the transaction usable for `check` to read the row that won.
    """
    try:
        with transaction.atomic():
            return save()
    except IntegrityError as refused:
        check()
        raise EntryConflictError(
            None, "The same record was saved by someone else at the same time; reload the page."
        ) from refused
