"""`manage.py import_results [--site SITE] [--dry-run] --actor USER FILE.csv`: the results CSV."""

import hashlib
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.db.models import Q

from bonehealth.accounts.selectors import sites_for_user
from bonehealth.commands import StrictCommand, UsageError, add_actor_argument, command_actor
from monitoring.domain.cli import shown_name
from monitoring.records.imports.access import may_import
from monitoring.records.imports.files import FileRefusedError, decoded
from monitoring.records.imports.plan import ImportPlan, build_plan, counted
from monitoring.records.imports.results_csv import results_read
from monitoring.records.imports.writing import ImportSource, readings_import


class Command(StrictCommand):
    help = (
        "Import a results CSV (mrn, date, measure, value, unit, scanner, t_score, z_score, "
        "fasting) into the patients the actor may see, all or nothing; rows already recorded "
        "are skipped, and so are rows holding a record marked entered in error (printed with "
        "the mark). With --dry-run, print what would be created and write nothing. A refused "
        "file prints one line per problem (row, column, reason) on stderr and exits 2."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE", help="results CSV file (UTF-8, header row)")
        parser.add_argument("--site", help="site name or code: import into its patients only")
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file and show the plan only"
        )
        add_actor_argument(parser)

    def handle(
        self,
        *args: Any,
        file: str,
        site: str | None,
        dry_run: bool,
        actor: str | None,
        **options: Any,
    ) -> None:
        runner = command_actor(actor)
        if runner.user is None:
            raise UsageError("--actor USERNAME is required: an import writes in a person's name")
        if not may_import(runner.user):
            raise UsageError(
                f"--actor: {runner.username} may not record results (nurses and physicians do)"
            )
        target = None
        if site:
            target = sites_for_user(user=runner.user).filter(Q(code=site) | Q(name=site)).first()
            if target is None:
                raise UsageError(f"--site: {runner.username} works at no site named {site!r}")
        try:
            raw = Path(file).read_bytes()
        except OSError as error:
            raise UsageError(f"{file}: cannot be read ({error.strerror})") from None
        shown = shown_name(file)
        source = ImportSource(
            kind="results_csv",
            name=Path(file).name,
            sha256=hashlib.sha256(raw).hexdigest(),
            host=runner.host,
        )
        try:
            readings, problems = results_read(decoded(raw))
            if dry_run:
                plan = build_plan(readings, user=runner.user, site=target, problems=problems)
                if plan.problems:
                    raise FileRefusedError(plan.problems)
            else:
                plan = readings_import(
                    readings, actor=runner.user, source=source, site=target, problems=problems
                )
        except FileRefusedError as refused:
            for problem in refused.problems:
                self.stderr.write(f"{shown}: {problem}")
            self.stdout.write(
                f"{shown}: refused ({len(refused.problems)} problems); nothing written"
            )
            raise SystemExit(2) from None
        self._summary(shown, plan, dry_run=dry_run)

    def _summary(self, shown: str, plan: ImportPlan, *, dry_run: bool) -> None:
        verb = "would create" if dry_run else "created"
        for patient_plan in plan.patients:
            labs = sum(len(s.entries) for s in patient_plan.samples)
            self.stdout.write(
                f"{shown}: {patient_plan.patient.mrn}: {verb} "
                f"{counted(len(patient_plan.scans), 'DEXA scan')}, "
                f"{counted(labs, 'lab result')}; "
                f"{counted(len(patient_plan.existing), 'row')} already recorded"
            )
            for line in patient_plan.in_error:
                self.stdout.write(f"{shown}: {patient_plan.patient.mrn}: {line}")
        self.stdout.write(
            f"{shown}: {counted(plan.rows, 'row')}: {verb} {plan.summary}"
            + (" (dry run: nothing written)" if dry_run else "")
        )
