"""Background tasks (Django's tasks framework; production backend: django-tasks-db's db_worker).

The nightly reassessment is one task per batch of patients, so that several workers share it:
each batch is its own transaction on its worker's connection, and no two batches share a patient.
Under the tests' ImmediateBackend each task runs as it is queued.
"""

from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from django.tasks import TaskResult, task
from django.utils import timezone

from monitoring.assessment.reassessment import BATCH_SIZE, batches_of
from monitoring.assessment.refresh import assessments_refresh
from monitoring.records.selectors import active_patient_ids


@task()
def reassess_batch_task(patient_ids: list[int], as_of: str, now: str) -> dict[str, int]:
    """Reassess one batch of patients for `as_of` (ISO date); return the summary's counts."""
    summary = assessments_refresh(
        patient_ids, as_of=date.fromisoformat(as_of), now=datetime.fromisoformat(now)
    )
    return asdict(summary)


def reassess_all_enqueue(
    *, as_of: date | None = None, batch_size: int = BATCH_SIZE
) -> list[TaskResult[..., Any]]:
    """Queue the reassessment of every patient on active follow-up for `as_of` (default today):
    one task per batch. Return the queued tasks' results."""
    as_of = as_of or timezone.localdate()
    now = timezone.now().isoformat()
    return [
        reassess_batch_task.enqueue(batch, as_of.isoformat(), now)
        for batch in batches_of(list(active_patient_ids()), batch_size)
    ]
