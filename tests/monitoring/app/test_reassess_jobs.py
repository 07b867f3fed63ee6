"""reassess_all in several processes (--jobs): the same stored results as one process.

On PostgreSQL the batches run in forked processes, each with its own connection, so these tests
commit (transaction=True). On SQLite they run one after the other whatever `jobs` says.
"""

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from monitoring.assessment import reassessment
from monitoring.assessment.reassessment import reassess_all, reassess_all_count
from monitoring.assessment.refresh import RefreshSummary
from monitoring.demo import demo_clinical_data_create
from monitoring.models import Alert, PatientAssessment, ScheduledItem
from patients.demo import demo_patients_create
from tests.factories import SiteFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="processes in parallel on PostgreSQL only"
)
on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite runs one at a time")

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
    monkeypatch: pytest.MonkeyPatch, reassess: Callable[[date], RefreshSummary | None]
) -> tuple[dict[str, list[tuple[Any, ...]]], list[RefreshSummary | None]]:
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


def with_jobs(jobs: int) -> Callable[[date], RefreshSummary]:
    return lambda night: reassess_all(as_of=night, batch_size=BATCH, jobs=jobs)


def spy_on_processes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Record the `jobs` of every run that used processes."""
    calls: list[int] = []
    original = reassessment._refresh_in_processes

    def spy(*args: Any, jobs: int, **kwargs: Any) -> Any:
        calls.append(jobs)
        return original(*args, jobs=jobs, **kwargs)

    monkeypatch.setattr(reassessment, "_refresh_in_processes", spy)
    return calls


@on_postgresql
def test_two_processes_store_exactly_what_one_stores(
    patients: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    one, one_summaries = run_nights(monkeypatch, with_jobs(1))
    used = spy_on_processes(monkeypatch)
    two, two_summaries = run_nights(monkeypatch, with_jobs(2))

    assert used == [2] * len(NIGHTS)
    assert two == one
    assert two_summaries == one_summaries
    # Every patient is stored, and the nights differ: alerts open and clear.
    assert len(one["assessments"]) == patients
    assert all(s and s.patients == patients for s in one_summaries)
    assert sum(s.alerts_cleared for s in one_summaries if s) > 0


@on_postgresql
def test_the_jobs_option_of_the_command_gives_the_same_results(
    patients: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    outputs: list[str] = []

    def command(jobs: int) -> Callable[[date], None]:
        def run(night: date) -> None:
            out = StringIO()
            call_command(
                "reassess_all",
                "--as-of",
                night.isoformat(),
                "--batch-size",
                str(BATCH),
                "--jobs",
                str(jobs),
                "--no-progress",
                stdout=out,
            )
            outputs.append(out.getvalue())

        return run

    one, _ = run_nights(monkeypatch, command(1))
    used = spy_on_processes(monkeypatch)
    two, _ = run_nights(monkeypatch, command(2))

    assert used == [2] * len(NIGHTS)
    assert two == one
    assert outputs[: len(NIGHTS)] == outputs[len(NIGHTS) :]
    assert f"{patients} patients reassessed" in outputs[-1]


@on_postgresql
def test_progress_counts_every_patient_once_with_two_processes(patients: int) -> None:
    done: list[int] = []
    summary = reassess_all(as_of=TODAY, batch_size=BATCH, jobs=2, progress=done.append)
    assert sum(done) == summary.patients == patients
    assert sorted(done) == sorted([BATCH] * (patients // BATCH) + [patients % BATCH])


@on_postgresql
def test_a_failing_batch_in_a_child_fails_the_run(
    patients: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*args: Any, **kwargs: Any) -> RefreshSummary:
        raise RuntimeError("batch failed")

    # The children are forks of this process, so they see the patched module.
    monkeypatch.setattr(reassessment, "assessments_refresh", fail)
    with pytest.raises(RuntimeError, match="batch failed"):
        reassess_all(as_of=TODAY, batch_size=BATCH, jobs=2)
    # This process's connection works after the children are gone.
    assert not PatientAssessment.objects.exists()


@on_postgresql
def test_inside_a_transaction_the_batches_run_in_this_process(
    patients: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import transaction

    used = spy_on_processes(monkeypatch)
    with transaction.atomic():
        summary = reassess_all(as_of=TODAY, batch_size=BATCH, jobs=2)
    assert used == []
    assert summary.patients == patients


@on_sqlite
def test_on_sqlite_two_jobs_run_one_after_the_other_with_the_same_results(
    patients: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    one, one_summaries = run_nights(monkeypatch, with_jobs(1))
    used = spy_on_processes(monkeypatch)
    two, two_summaries = run_nights(monkeypatch, with_jobs(2))
    assert used == []
    assert (two, two_summaries) == (one, one_summaries)


@on_sqlite
def test_the_command_defaults_to_one_job_on_sqlite(
    patients: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    jobs: list[int] = []
    original = reassessment.reassess_patients

    def spy(*args: Any, **kwargs: Any) -> RefreshSummary:
        jobs.append(kwargs["jobs"])
        return original(*args, **kwargs)

    monkeypatch.setattr(reassessment, "reassess_patients", spy)
    out = StringIO()
    call_command("reassess_all", "--as-of", TODAY.isoformat(), "--no-progress", stdout=out)
    assert jobs == [1]
    assert f"{patients} patients reassessed" in out.getvalue()


def test_the_default_jobs_follow_the_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reassessment.os, "cpu_count", lambda: 8)
    expected = reassessment.MAX_DEFAULT_JOBS if connection.vendor == "postgresql" else 1
    assert reassessment.default_jobs() == expected
    monkeypatch.setattr(reassessment.os, "cpu_count", lambda: 1)
    assert reassessment.default_jobs() == 1


def test_jobs_must_be_a_positive_number() -> None:
    with pytest.raises(CommandError, match="not a positive number"):
        call_command("reassess_all", "--jobs", "0", "--no-progress", stdout=StringIO())


def test_enqueue_passes_jobs_to_the_task(patients: int, monkeypatch: pytest.MonkeyPatch) -> None:
    jobs: list[int] = []
    original = reassessment.reassess_patients

    def spy(*args: Any, **kwargs: Any) -> RefreshSummary:
        jobs.append(kwargs["jobs"])
        return original(*args, **kwargs)

    monkeypatch.setattr(reassessment, "reassess_patients", spy)
    # Tests use the immediate backend: the queued task runs at once.
    for args in (["--jobs", "3"], []):
        call_command(
            "reassess_all", "--enqueue", "--as-of", TODAY.isoformat(), *args, stdout=StringIO()
        )
    assert jobs == [3, reassessment.default_jobs()]
    assert PatientAssessment.objects.count() == patients
