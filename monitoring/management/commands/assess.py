"""`manage.py assess FILE|- [--as-of DATE]`: print the assessment of one history; no database."""

import sys
from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from monitoring.domain import cli


class Command(BaseCommand):
    help = (
        "Assess one patient history (JSON file, or - for standard input) and print the assessment "
        "JSON. Touches no database. Exit 2 with a one-line message on invalid input."
    )
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="history JSON file, or - for standard input")
        parser.add_argument("--as-of", dest="as_of", help="assess for this date (YYYY-MM-DD)")

    def handle(self, *args: Any, file: str, as_of: str | None, **options: Any) -> None:
        # The CLI writes whole lines itself; Django's wrappers would add a newline to every write.
        self.stdout.ending = ""
        self.stderr.ending = ""
        argv = [file] if as_of is None else [file, "--as-of", as_of]
        status = cli.main(
            argv,
            stdin=sys.stdin,
            stdout=cast(TextIO, self.stdout),
            stderr=cast(TextIO, self.stderr),
            today=timezone.localdate(),
        )
        if status:
            raise SystemExit(status)
