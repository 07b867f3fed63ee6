"""Reassess every patient on active follow-up, in batches (nightly, and on demand).

Each batch is one transaction. With `jobs` above 1 on PostgreSQL the batches run in that many
forked processes at once, each on its own database connection: the patients of two batches never
overlap, so the batches are independent. SQLite allows one writer at a time, so there (and inside a
caller's transaction, which other processes could not see) the batches always run one after the
other, whatever `jobs` says.
"""

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from datetime import date, datetime

from django.db import connection, connections
from django.utils import timezone

from monitoring.assessment.refresh import RefreshSummary, assessments_refresh
from monitoring.records.selectors import active_patient_ids

BATCH_SIZE = 500
# Processes for the nightly job: one per core up to this many. The database needs the cores too;
# more processes than cores only makes them wait for each other.
MAX_DEFAULT_JOBS = 2


def default_jobs() -> int:
    """The number of processes the nightly reassessment uses on this machine and database:
    min(MAX_DEFAULT_JOBS, CPU count) on PostgreSQL, 1 elsewhere (SQLite has a single writer)."""
    if connection.vendor != "postgresql":
        return 1
    return max(1, min(MAX_DEFAULT_JOBS, os.cpu_count() or 1))


def reassess_patients(
    patient_ids: Sequence[int],
    *,
    as_of: date | None = None,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int], None] = lambda n: None,
    jobs: int = 1,
) -> RefreshSummary:
    """Reassess the patients for `as_of` (default today) in batches, one transaction each
    (inside the caller's transaction when there is one).

    `jobs` > 1 runs the batches in that many processes at once on PostgreSQL outside a
    transaction; otherwise they run one after the other. `progress` gets each finished batch's size.
    """
    as_of = as_of or timezone.localdate()
    now = timezone.now()
    batches = [
        patient_ids[start : start + batch_size] for start in range(0, len(patient_ids), batch_size)
    ]
    jobs = min(jobs, len(batches))
    if jobs > 1 and _can_run_in_processes():
        refreshed = _refresh_in_processes(batches, as_of=as_of, now=now, jobs=jobs)
    else:
        refreshed = ((len(b), assessments_refresh(b, as_of=as_of, now=now)) for b in batches)
    total = RefreshSummary()
    for size, summary in refreshed:
        total.add(summary)
        progress(size)
    return total


def _can_run_in_processes() -> bool:
    return (
        connection.vendor == "postgresql"
        # Other processes cannot see (or join) the caller's transaction.
        and not connection.in_atomic_block
        and "fork" in multiprocessing.get_all_start_methods()
    )


def _refresh_in_processes(
    batches: list[Sequence[int]], *, as_of: date, now: datetime, jobs: int
) -> Iterator[tuple[int, RefreshSummary]]:
    """Refresh the batches in `jobs` forked processes; yield (size, summary) as each one commits.

    The first failure cancels the batches not yet started and is raised here, with the child's
    traceback; batches already committed stay committed, as when the batches run one by one.
    """
    # A forked child must not use a connection of the parent: close them all, and let each batch
    # in a child open (and close) its own.
    connections.close_all()
    with ProcessPoolExecutor(
        max_workers=jobs, mp_context=multiprocessing.get_context("fork")
    ) as pool:
        sizes = {pool.submit(_refresh_batch, list(b), as_of, now): len(b) for b in batches}
        try:
            for future in as_completed(sizes):
                yield sizes[future], future.result()
        except BaseException:
            pool.shutdown(cancel_futures=True)
            raise


def _refresh_batch(patient_ids: list[int], as_of: date, now: datetime) -> RefreshSummary:
    """One batch in a child process, on a connection of its own."""
    try:
        return assessments_refresh(patient_ids, as_of=as_of, now=now)
    finally:
        connections.close_all()


def reassess_all(
    *,
    as_of: date | None = None,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int], None] = lambda n: None,
    jobs: int = 1,
) -> RefreshSummary:
    """Reassess every patient on active follow-up (the nightly job), in `jobs` processes."""
    return reassess_patients(
        list(active_patient_ids()),
        as_of=as_of,
        batch_size=batch_size,
        progress=progress,
        jobs=jobs,
    )


def reassess_all_count() -> int:
    return active_patient_ids().count()
