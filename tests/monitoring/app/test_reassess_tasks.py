"""The nightly reassessment as queued tasks (one per batch): the same stored
results as `reassess_all` in one process.

The tests' ImmediateBackend runs each task as it is queued; one test queues them in the database
(django-tasks-db, as in production) and works them off with `db_worker --batch`, as a worker does.
"""

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.tasks import TaskResultStatus
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from monitoring.assessment.reassessment import reassess_all, reassess_all_count
from monitoring.assessment.refresh import RefreshSummary
from monitoring.assessment.tasks import reassess_all_enqueue
from monitoring.demo import demo_clinical_data_create
from monitoring.models import Alert, PatientAssessment, ScheduledItem
from patients.demo import demo_patients_create
from tests.factories import SiteFactory

pytestmark = pytest.mark.django_db
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

TODAY = date(2026, 1, 15)
# The first assessment, the next night, and later nights when scans, doses and labs fall due.
NIGHTS = (
    TODAY,
    TODAY + timedelta(days=1),
    TODAY + timedelta(days=200),
    TODAY + timedelta(days=800),
)
BATCH = 7  # several batches for a few dozen patients


@pytest.fixture
def patients() -> int:
    """Demo patients with their records; returns how many are on active follow-up."""
    sites = [SiteFactory(name="North General", code="north"), SiteFactory()]
    created = demo_patients_create(sites=sites, count=45, today=TODAY)
    demo_clinical_data_create(patients=created, sites=sites, today=TODAY)
    return reassess_all_count()


def stored() -> dict[str, list[tuple[Any, ...]]]:
    """Everything the reassessment writes, without the ids new rows happen to get."""
    return {
        "assessments": list(PatientAssessment.objects.order_by("pk").values_list()),
        "alerts": sorted(
            Alert.objects.values_list(
                "patient_id",
                "code",
                "site",
                "severity",
                "severity_rank",
                "message",
                "rules",
                "sources",
                "raised_at",
                "cleared_at",
                "superseded",
                "acknowledged_at",
            ),
            key=repr,
        ),
        "schedule": sorted(ScheduledItem.objects.values_list("patient_id", "item", "due")),
    }


def run_nights(
    monkeypatch: pytest.MonkeyPatch, reassess: Callable[[date], object]
) -> tuple[dict[str, list[tuple[Any, ...]]], list[object]]:
    """Start from no stored assessment and reassess every night of NIGHTS (at 02:00 UTC)."""
    Alert.objects.all().delete()
    ScheduledItem.objects.all().delete()
    PatientAssessment.objects.all().delete()
    summaries = []
    for night in NIGHTS:
        at = datetime.combine(night, time(2), tzinfo=UTC)
        monkeypatch.setattr(timezone, "now", lambda at=at: at)
        summaries.append(reassess(night))
    return stored(), summaries


def in_process(night: date) -> RefreshSummary:
    return reassess_all(as_of=night, batch_size=BATCH)


def queued(night: date) -> RefreshSummary:
    """Queue the night's tasks (run at once by the immediate backend); add up their summaries."""
    results = reassess_all_enqueue(as_of=night, batch_size=BATCH)
    assert all(r.status == TaskResultStatus.SUCCESSFUL for r in results)
    total = RefreshSummary()
    for result in results:
        total.add(RefreshSummary(**result.return_value))
    return total


def test_queued_batches_store_exactly_what_one_process_stores(
    patients: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    one, one_summaries = run_nights(monkeypatch, in_process)
    tasks, task_summaries = run_nights(monkeypatch, queued)

    assert tasks == one
    assert task_summaries == one_summaries
    # Every patient is stored, and the nights differ: alerts open and clear.
    assert len(one["assessments"]) == patients
    assert all(isinstance(s, RefreshSummary) and s.patients == patients for s in one_summaries)
    assert sum(s.alerts_cleared for s in one_summaries if isinstance(s, RefreshSummary)) > 0


def test_one_task_per_batch(patients: int) -> None:
    results = reassess_all_enqueue(as_of=TODAY, batch_size=BATCH)
    batches = -(-patients // BATCH)
    assert [r.task.name for r in results] == ["reassess_batch_task"] * batches
    assert sum(len(r.args[0]) for r in results) == patients


# The worker closes its database connections (as between tasks): committed, no test transaction.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_runs_the_queued_tasks_from_the_database(
    patients: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As in production: the tasks are rows (their arguments JSON), a worker claims them."""
    one, _ = run_nights(monkeypatch, in_process)

    def queue_and_work(night: date) -> None:
        with override_settings(TASKS=DATABASE_QUEUE):
            reassess_all_enqueue(as_of=night, batch_size=BATCH)
            call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    from_worker, _ = run_nights(monkeypatch, queue_and_work)

    assert from_worker == one
    done = DBTaskResult.objects.all()
    assert set(done.values_list("status", flat=True)) == {TaskResultStatus.SUCCESSFUL}
    assert set(done.values_list("task_path", flat=True)) == {
        "monitoring.assessment.tasks.reassess_batch_task"
    }
    assert done.count() == -(-patients // BATCH) * len(NIGHTS)


def test_progress_counts_every_patient_once(patients: int) -> None:
    done: list[int] = []
    summary = reassess_all(as_of=TODAY, batch_size=BATCH, progress=done.append)
    assert sum(done) == summary.patients == patients
    rest = [patients % BATCH] if patients % BATCH else []
    assert done == [BATCH] * (patients // BATCH) + rest


def test_the_command_enqueues_the_batches(patients: int) -> None:
    out = StringIO()
    call_command(
        "reassess_all", "--enqueue", "--as-of", TODAY.isoformat(), "--batch-size", "10", stdout=out
    )
    batches = -(-patients // 10)
    assert f"queued as tasks: {batches} batches (last task " in out.getvalue()
    # Tests use the immediate backend: the queued tasks ran at once.
    assert PatientAssessment.objects.count() == patients


def test_the_command_runs_in_process_without_enqueue(patients: int) -> None:
    out = StringIO()
    call_command("reassess_all", "--as-of", TODAY.isoformat(), "--no-progress", stdout=out)
    assert f"{patients} patients reassessed" in out.getvalue()
    assert PatientAssessment.objects.count() == patients
