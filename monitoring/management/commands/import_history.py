"""Import patient histories (history-format.md JSON files), each file all or nothing."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from bonehealth.accounts.models import Site
from monitoring.services.history_import import HistoryImportError, history_import


class Command(BaseCommand):
    help = (
        "Import one patient history per JSON file. Each file is imported whole or not at all; "
        "importing the same file again changes nothing. Exit 2 if any file failed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument(
            "--site", help="site name or code (overrides patient.site in the files)"
        )

    def handle(self, *args: Any, files: list[str], site: str | None, **options: Any) -> None:
        target = None
        if site:
            target = Site.objects.filter(Q(code=site) | Q(name=site)).first()
            if target is None:
                raise CommandError(f"--site: no site named {site!r}")
        failed = 0
        for name in files:
            try:
                data = json.loads(Path(name).read_text(encoding="utf-8"))
            except (OSError, ValueError) as error:
                self.stderr.write(f"{name}: cannot read: {error}")
                failed += 1
                continue
            if not isinstance(data, dict):
                self.stderr.write(f"{name}: the file must hold one JSON object")
                failed += 1
                continue
            try:
                report = history_import(data=data, site=target)
            except HistoryImportError as error:
                for line in error.errors:
                    self.stderr.write(f"{name}: {line}")
                failed += 1
                continue
            created = ", ".join(f"{n} {kind}" for kind, n in sorted(report.created.items()))
            self.stdout.write(f"{name}: {report.mrn}: {created or 'nothing new'}")
            for note in report.notes:
                self.stdout.write(f"{name}: {note}")
        if failed:
            self.stderr.write(f"{failed} of {len(files)} files not imported")
            raise SystemExit(2)
