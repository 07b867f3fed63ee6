"""Export patient histories as JSON, in the format `import_history` and `assess` read."""

import json
from typing import Any

from django.core.management.base import CommandParser
from django.db import transaction

from bonehealth.commands import StrictCommand, command_actor
from monitoring.assessment.history_document import history_json
from monitoring.overview.exports import history_export_record
from monitoring.overview.mrns import add_mrn_arguments, command_patients, patient_ids_by_mrn
from monitoring.records.selectors import patients_with_records


class Command(StrictCommand):
    help = (
        "Print the history JSON of each MRN (one object, or a list for several MRNs); "
        "one EXPORT audit row names the actor, the host and the patients."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_mrn_arguments(parser)

    def handle(
        self, *args: Any, mrns: list[str], site: str | None, actor: str | None, **options: Any
    ) -> None:
        runner = command_actor(actor)
        ids = patient_ids_by_mrn(mrns, site, among=command_patients(runner.user))
        with transaction.atomic():
            loaded = {p.mrn: p for p in patients_with_records(ids.values())}
            histories = [history_json(loaded[mrn]) for mrn in mrns]
            history_export_record(
                actor=runner.user,
                username=runner.username,
                host=runner.host,
                patients=list(loaded.values()),
            )
        output = histories[0] if len(histories) == 1 else histories
        self.stdout.write(json.dumps(output, indent=2, ensure_ascii=False))
