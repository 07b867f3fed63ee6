"""Reassess every patient on active follow-up, in batches (nightly, and on demand).

Each batch is one transaction, and the patients of two batches never overlap, so the batches are
independent. Here they run one after the other, in this process. The nightly job
(`reassess_all --enqueue`, `monitoring.assessment.tasks.reassess_all_enqueue`) queues one task per
batch instead, and the task workers (`manage.py db_worker`, one process per core) run them at the
same time, each on its own database connection.
"""

from collections.abc import Callable, Sequence
from datetime import date

from django.utils import timezone

from monitoring.assessment.causes import ReassessmentCause
from monitoring.assessment.refresh import RefreshSummary, assessments_refresh
from monitoring.records.selectors import active_patient_ids

BATCH_SIZE = 500


def batches_of(patient_ids: Sequence[int], batch_size: int = BATCH_SIZE) -> list[list[int]]:
    """The patients in batches of `batch_size`, in order."""
    return [
        list(patient_ids[start : start + batch_size])
        for start in range(0, len(patient_ids), batch_size)
    ]


def reassess_patients(
    patient_ids: Sequence[int],
    *,
    as_of: date | None = None,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int], None] = lambda n: None,
    cause: ReassessmentCause | None = None,
) -> RefreshSummary:
    """Reassess the patients for `as_of` (default today) in batches, one transaction each
    (inside the caller's transaction when there is one); `progress` gets each batch's size.
    `cause`: why, written on the trail of each patient whose alerts moved."""
    as_of = as_of or timezone.localdate()
    now = timezone.now()
    total = RefreshSummary()
    for batch in batches_of(patient_ids, batch_size):
        total.add(assessments_refresh(batch, as_of=as_of, now=now, cause=cause))
        progress(len(batch))
    return total


def reassess_all(
    *,
    as_of: date | None = None,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int], None] = lambda n: None,
) -> RefreshSummary:
    """Reassess every patient on active follow-up, one batch after the other in this process."""
    return reassess_patients(
        list(active_patient_ids()), as_of=as_of, batch_size=batch_size, progress=progress
    )


def reassess_all_count() -> int:
    return active_patient_ids().count()
