"""Reassess every patient on active follow-up, in batches (nightly, and on demand)."""

from collections.abc import Callable, Sequence
from datetime import date

from django.utils import timezone

from monitoring.selectors import active_patient_ids
from monitoring.services.assessment import RefreshSummary, assessments_refresh

BATCH_SIZE = 500


def reassess_patients(
    patient_ids: Sequence[int],
    *,
    as_of: date | None = None,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int], None] = lambda n: None,
) -> RefreshSummary:
    """Reassess the patients for `as_of` (default today) in batches, one transaction each
    (inside the caller's transaction when there is one)."""
    as_of = as_of or timezone.localdate()
    now = timezone.now()
    total = RefreshSummary()
    for start in range(0, len(patient_ids), batch_size):
        batch = patient_ids[start : start + batch_size]
        summary = assessments_refresh(batch, as_of=as_of, now=now)
        total.patients += summary.patients
        total.alerts_opened += summary.alerts_opened
        total.alerts_cleared += summary.alerts_cleared
        total.alerts_changed += summary.alerts_changed
        progress(len(batch))
    return total


def reassess_all(
    *,
    as_of: date | None = None,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int], None] = lambda n: None,
) -> RefreshSummary:
    """Reassess every patient on active follow-up (the nightly job)."""
    return reassess_patients(
        list(active_patient_ids()), as_of=as_of, batch_size=batch_size, progress=progress
    )


def reassess_all_count() -> int:
    return active_patient_ids().count()
