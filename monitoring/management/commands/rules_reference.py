"""Print the clinical rules reference, built from the domain code (docs/clinical-rules.md)."""

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from bonehealth.commands import StrictCommand, UsageError
from monitoring.domain.reference.markdown import markdown


class Command(StrictCommand):
    help = (
        "Print the clinical rules reference (Markdown) built from monitoring/domain: every rule "
        "id, what it checks, its thresholds, severities and sources. docs/clinical-rules.md is "
        "this output."
    )
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output", metavar="FILE", help="write the reference to FILE instead of stdout"
        )

    def handle(self, *args: Any, output: str | None, **options: Any) -> None:
        text = markdown()
        if output is None:
            self.stdout.write(text, ending="")
            return
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as error:
            raise UsageError(f"--output: cannot write {output}: {error.strerror}") from None
        self.stderr.write(f"wrote {output}")
