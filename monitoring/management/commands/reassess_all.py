"""Reassess every patient with active follow-up (alerts such as DEXA_OVERDUE appear with time)."""

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from monitoring.services.reassessment import reassess_all, reassess_all_count


class Command(BaseCommand):
    help = "Reassess every patient on active follow-up, in batches, for today or --as-of DATE."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", dest="as_of", help="assess for this date (YYYY-MM-DD)")
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--no-progress", action="store_true")

    def handle(
        self, *args: Any, as_of: str | None, batch_size: int, no_progress: bool, **options: Any
    ) -> None:
        try:
            day = date.fromisoformat(as_of) if as_of else None
        except ValueError:
            raise CommandError(f"--as-of: {as_of!r} is not a date (YYYY-MM-DD)") from None
        with tqdm(
            total=reassess_all_count(),
            desc="patients",
            unit="pt",
            disable=no_progress or None,
            file=self.stderr,
        ) as bar:
            summary = reassess_all(as_of=day, batch_size=batch_size, progress=bar.update)
        self.stdout.write(
            f"{summary.patients} patients reassessed: {summary.alerts_opened} alerts opened, "
            f"{summary.alerts_cleared} cleared, {summary.alerts_changed} changed."
        )
