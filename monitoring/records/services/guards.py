"""The guards every entry service shares to save a record once: the patient's lock, the refusal
of a duplicate naming who entered the record, and the unique index as the last line of defence."""

from collections.abc import Callable

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from bonehealth.audit.concurrency import RecordConflictError
from monitoring.models.records import ClinicalEntry
from patients.models import Patient


class EntryConflictError(RecordConflictError):
    """The entry clashes with a record already saved; `field` names the form field to blame."""


def patient_lock(patient_id: int) -> None:
    """Lock the patient's row until the commit: their writers take turns, and each one's duplicate
    check sees what the one before it committed.

    Taken before the assessment lock, as a patient's own edit takes them. FOR NO KEY UPDATE (on
    PostgreSQL) leaves alone the key-share locks of rows inserted for the patient by writers that
    take the assessment first (an acknowledgement's audit event), so they cannot deadlock with it.
    """
    rows = Patient.objects.filter(pk=patient_id)
    no_key = connection.features.has_select_for_no_key_update
    list(rows.select_for_update(no_key=no_key).values_list("pk"))


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
