"""Reassess every patient with active follow-up (alerts such as DEXA_OVERDUE appear with time)."""

import argparse
from datetime import date
from typing import Any

from django.core.management.base import CommandParser
from tqdm import tqdm

from bonehealth.commands import StrictCommand, UsageError
from monitoring.assessment.reassessment import reassess_all, reassess_all_count
from monitoring.assessment.tasks import reassess_all_enqueue


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
            "--no-progress", action="store_true", help="Hide the progress bar (stderr)."
        )
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help=(
                "Queue one task per batch for the task workers (the nightly job; several "
                "`db_worker` processes share the batches). Without it the batches run one after "
                "the other in this process."
            ),
        )

    def handle(
        self,
        *args: Any,
        as_of: str | None,
        batch_size: int,
        no_progress: bool,
        enqueue: bool,
        **options: Any,
    ) -> None:
        try:
            day = date.fromisoformat(as_of) if as_of else None
        except ValueError:
            raise UsageError(f"--as-of: {as_of!r} is not a date (YYYY-MM-DD)") from None
        if enqueue:
            results = reassess_all_enqueue(as_of=day, batch_size=batch_size)
            self.stdout.write(
                f"Reassessment queued as tasks: {len(results)} batches"
                + (f" (last task {results[-1].id}, {results[-1].status})." if results else ".")
            )
            return
        with tqdm(
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
            )
        self.stdout.write(
            f"{summary.patients} patients reassessed: {summary.alerts_opened} alerts opened, "
            f"{summary.alerts_cleared} cleared, {summary.alerts_changed} changed."
        )
