"""Import patient histories (docs/history-format.md JSON files), each file all or nothing."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from bonehealth.accounts.models import Site
from bonehealth.commands import add_actor_argument, command_actor
from monitoring.domain import HistoryError
from monitoring.domain.cli import shown_name
from monitoring.domain.document import decode, read_file
from monitoring.records.history_import import HistoryImportError, history_import


def _one_line(problems: list[str]) -> str:
    """Return the first problem, on one line, saying how many more there are."""
    first = " ".join(problems[0].split())
    more = len(problems) - 1
    return f"{first} (and {more} more)" if more else first


class Command(BaseCommand):
    help = (
        "Import one patient history per JSON file. Each file is imported whole or not at all, "
        "and a bad file does not stop the others; importing the same file again changes nothing. "
        "One line on stderr per bad file (file, field, problem); exit 2 if any file failed. "
        "A file whose therapy starts or doses fail their pre-treatment checks is refused unless "
        "--override-reason gives the reason, kept in the audit row of each such record."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "files", nargs="+", metavar="FILE", help="history JSON files (docs/history-format.md)"
        )
        parser.add_argument(
            "--site", help="site name or code (overrides patient.site in the files)"
        )
        parser.add_argument(
            "--override-reason",
            help="why therapy starts or doses failing their pre-treatment checks (vitamin D, "
            "calcium, kidney function, dental review) are imported all the same; audited with "
            "each of them",
        )
        add_actor_argument(parser)

    def handle(
        self,
        *args: Any,
        files: list[str],
        site: str | None,
        actor: str | None,
        override_reason: str | None,
        **options: Any,
    ) -> None:
        runner = command_actor(actor)
        target = None
        if site:
            target = Site.objects.filter(Q(code=site) | Q(name=site)).first()
            if target is None:
                raise CommandError(f"--site: no site named {site!r}", returncode=2)
        failed = 0
        for name in files:
            shown = shown_name(name)
            try:
                report = history_import(
                    data=decode(read_file(name)),
                    site=target,
                    actor=runner.user,
                    username=runner.username,
                    host=runner.host,
                    override_reason=override_reason,
                )
            except HistoryError as error:
                problem = _one_line([str(error)])
            except HistoryImportError as error:
                problem = _one_line(error.errors)
            else:
                created = ", ".join(f"{n} {kind}" for kind, n in sorted(report.created.items()))
                self.stdout.write(f"{shown}: {report.mrn}: {created or 'nothing new'}")
                for note in report.notes:
                    self.stdout.write(f"{shown}: {note}")
                for line in report.failed_checks:
                    self.stdout.write(f"{shown}: {line}: overridden ({override_reason})")
                continue
            self.stderr.write(f"{shown}: {problem}")
            failed += 1
        if failed:
            # The count goes to stdout: stderr holds exactly one line per bad file.
            self.stdout.write(f"{len(files) - failed} of {len(files)} files imported")
            raise SystemExit(2)
