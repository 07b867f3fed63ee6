"""Import patient histories (docs/history-format.md JSON files), each file all or nothing."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from bonehealth.accounts.models import Site
from bonehealth.accounts.selectors import sites_for_user
from bonehealth.commands import add_actor_argument, command_actor
from monitoring.domain import HistoryError
from monitoring.domain.cli import shown_name
from monitoring.domain.document import decode, read_file
from monitoring.records.imports.access import may_import
from monitoring.records.imports.files import FileRefusedError
from monitoring.records.imports.history_upload import history_import_as


def _one_line(problems: list[str]) -> str:
    """Return the first problem, on one line, saying how many more there are."""
    first = " ".join(problems[0].split())
    more = len(problems) - 1
    return f"{first} (and {more} more)" if more else first


class Command(BaseCommand):
    help = (
        "Import one patient history per JSON file. Each file is imported whole or not at all, "
        "and a bad file does not stop the others; importing the same file again changes nothing. "
        "A record of the file that the patient holds marked entered in error is not imported "
        "(printed with the mark), and a file of a patient marked entered in error is refused. "
        "One line on stderr per bad file (file, field, problem); exit 2 if any file failed. "
        "A file whose therapy starts or doses fail their pre-treatment checks is refused unless "
        "--override-reason gives the reason, kept in the audit row of each such record. "
        "The actor imports only what the upload page lets them import: at one of their sites, "
        "records of the kinds their role records (and overrides), at most IMPORT_MAX_ROWS "
        "records per file unless --max-records says more."
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
        parser.add_argument(
            "--max-records",
            type=int,
            metavar="N",
            help="the most records (scans, labs, courses, doses...) one file may hold (default "
            "IMPORT_MAX_ROWS, the upload page's bound, which keeps a page inside the web "
            "server's timeout; a command has none, so a long history may be allowed more)",
        )
        add_actor_argument(parser)

    def handle(
        self,
        *args: Any,
        files: list[str],
        site: str | None,
        actor: str | None,
        override_reason: str | None,
        max_records: int | None,
        **options: Any,
    ) -> None:
        runner = command_actor(actor)
        # What refuses every file is said once, before any is read (history_import_as checks
        # it again for each, with what refuses a file).
        if runner.user is not None and not may_import(runner.user):
            raise CommandError(
                f"--actor: {runner.username} may not import records (nurses and physicians do)",
                returncode=2,
            )
        if max_records is not None and max_records < 1:
            raise CommandError(f"--max-records: {max_records} is below 1", returncode=2)
        target = None
        if site:
            sites = Site.objects if runner.user is None else sites_for_user(user=runner.user)
            target = sites.filter(Q(code=site) | Q(name=site)).first()
            if target is None:
                where = "no site" if runner.user is None else f"{runner.username} works at no site"
                raise CommandError(f"--site: {where} named {site!r}", returncode=2)
        failed = 0
        for name in files:
            shown = shown_name(name)
            try:
                report = history_import_as(
                    decode(read_file(name)),
                    site=target,
                    actor=runner.user,
                    username=runner.username,
                    host=runner.host,
                    override_reason=override_reason,
                    max_records=max_records,
                )
            except HistoryError as error:
                problem = _one_line([str(error)])
            except FileRefusedError as refused:
                problem = _one_line([str(p) for p in refused.problems])
            else:
                created = ", ".join(f"{n} {kind}" for kind, n in sorted(report.created.items()))
                self.stdout.write(f"{shown}: {report.mrn}: {created or 'nothing new'}")
                for note in report.notes:
                    self.stdout.write(f"{shown}: {note}")
                for line in report.in_error:
                    self.stdout.write(f"{shown}: {line}")
                for line in report.failed_checks:
                    self.stdout.write(f"{shown}: {line}: overridden ({override_reason})")
                continue
            self.stderr.write(f"{shown}: {problem}")
            failed += 1
        if failed:
            # The count goes to stdout: stderr holds exactly one line per bad file.
            self.stdout.write(f"{len(files) - failed} of {len(files)} files imported")
            raise SystemExit(2)
