"""Reassess every patient with active follow-up (alerts such as DEXA_OVERDUE appear with time)."""

import argparse
from datetime import date
from typing import Any

from django.core.management.base import CommandParser
from tqdm import tqdm

from bonehealth.commands import StrictCommand, UsageError
from monitoring.assessment.reassessment import (
    MAX_DEFAULT_JOBS,
    default_jobs,
    reassess_all,
    reassess_all_count,
)
from monitoring.assessment.tasks import reassess_all_task


class _Progress(tqdm):
    # No tqdm monitor thread: the parallel reassessment forks, and forking a process that runs
    # other threads can deadlock the child.
    monitor_interval = 0


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value} is not a positive number")
    return number


class Command(StrictCommand):
    help = "Reassess every patient on active follow-up, in batches, for today or --as-of DATE."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", dest="as_of", help="assess for this date (YYYY-MM-DD)")
        parser.add_argument(
            "--batch-size",
            type=_positive,
            default=500,
            help="Patients per transaction (500); each batch commits on its own.",
        )
        parser.add_argument(
            "--jobs",
            type=_positive,
            default=None,
            help=(
                "Reassess batches in this many processes at once (default on PostgreSQL: one per "
                f"CPU, at most {MAX_DEFAULT_JOBS}). SQLite allows one writer at a time, so there "
                "the batches always run one after the other, whatever N."
            ),
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="Hide the progress bar (stderr)."
        )
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Queue the reassessment as a task for the worker (the nightly job).",
        )

    def handle(
        self,
        *args: Any,
        as_of: str | None,
        batch_size: int,
        jobs: int | None,
        no_progress: bool,
        enqueue: bool,
        **options: Any,
    ) -> None:
        try:
            day = date.fromisoformat(as_of) if as_of else None
        except ValueError:
            raise UsageError(f"--as-of: {as_of!r} is not a date (YYYY-MM-DD)") from None
        if enqueue:
            # Without --jobs the worker picks the default for its own machine.
            result = reassess_all_task.enqueue(as_of=day.isoformat() if day else None, jobs=jobs)
            self.stdout.write(f"Reassessment queued as task {result.id} ({result.status}).")
            return
        with _Progress(
            total=reassess_all_count(),
            desc="patients",
            unit="pt",
            disable=no_progress or None,
            file=self.stderr,
        ) as bar:
            summary = reassess_all(
                as_of=day,
                batch_size=batch_size,
                progress=bar.update,
                jobs=jobs or default_jobs(),
            )
        self.stdout.write(
            f"{summary.patients} patients reassessed: {summary.alerts_opened} alerts opened, "
            f"{summary.alerts_cleared} cleared, {summary.alerts_changed} changed."
        )
