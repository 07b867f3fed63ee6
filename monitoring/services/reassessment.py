"""Reassess every patient on active follow-up, in batches (nightly, and on demand)."""

from collections.abc import Callable
from datetime import date

from django.utils import timezone

from monitoring.selectors import active_patient_ids
from monitoring.services.assessment import RefreshSummary, assessments_refresh

BATCH_SIZE = 500


def reassess_all(
    *,
    as_of: date | None = None,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int], None] = lambda n: None,
) -> RefreshSummary:
    """Reassess all active patients for `as_of` (default today); one transaction per batch."""
    as_of = as_of or timezone.localdate()
    now = timezone.now()
    ids = list(active_patient_ids())
    total = RefreshSummary()
    for start in range(0, len(ids), batch_size):
        batch = ids[start : start + batch_size]
        summary = assessments_refresh(batch, as_of=as_of, now=now)
        total.patients += summary.patients
        total.alerts_opened += summary.alerts_opened
        total.alerts_cleared += summary.alerts_cleared
        total.alerts_changed += summary.alerts_changed
        progress(len(batch))
    return total


def reassess_all_count() -> int:
    return active_patient_ids().count()
