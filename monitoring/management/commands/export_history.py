"""Export patient histories as JSON, in the format `import_history` and `assess` read."""

import json
from typing import Any

from django.core.management.base import CommandParser
from django.db import transaction
from django.db.models import Q

from bonehealth.accounts.models import Site
from bonehealth.commands import StrictCommand, UsageError, add_actor_argument, command_actor
from monitoring.assessment.history import history_json
from monitoring.overview.exports import history_export_record
from monitoring.records.selectors import patients_with_records
from patients.models import Patient
from patients.selectors import patients_for_user


class Command(StrictCommand):
    help = (
        "Print the history JSON of each MRN (one object, or a list for several MRNs); "
        "one EXPORT audit row names the actor, the host and the patients."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("mrns", nargs="+", metavar="MRN", help="medical record number")
        parser.add_argument(
            "--site", help="site name or code (needed when an MRN is at several sites)"
        )
        add_actor_argument(parser)

    def handle(
        self, *args: Any, mrns: list[str], site: str | None, actor: str | None, **options: Any
    ) -> None:
        runner = command_actor(actor)
        # The actor's patients (the access gate); the demo actor of a DEBUG install, who is no
        # user, every patient not entered in error.
        patients = (
            patients_for_user(user=runner.user)
            if runner.user is not None
            else Patient.objects.filter(entered_in_error=False)
        ).filter(mrn__in=mrns)
        if site:
            target = Site.objects.filter(Q(code=site) | Q(name=site)).first()
            if target is None:
                raise UsageError(f"--site: no site named {site!r}")
            patients = patients.filter(site=target)
        found: dict[str, list[int]] = {}
        for pk, mrn in patients.values_list("pk", "mrn"):
            found.setdefault(mrn, []).append(pk)
        missing = [mrn for mrn in mrns if mrn not in found]
        if missing:
            raise UsageError(f"no patient with MRN {', '.join(missing)}")
        ambiguous = [mrn for mrn, pks in found.items() if len(pks) > 1]
        if ambiguous:
            raise UsageError(f"MRN {', '.join(ambiguous)} exists at several sites: use --site")
        with transaction.atomic():
            loaded = {
                p.mrn: p for p in patients_with_records(pk for pks in found.values() for pk in pks)
            }
            histories = [history_json(loaded[mrn]) for mrn in mrns]
            history_export_record(
                actor=runner.user,
                username=runner.username,
                host=runner.host,
                patients=list(loaded.values()),
            )
        output = histories[0] if len(histories) == 1 else histories
        self.stdout.write(json.dumps(output, indent=2, ensure_ascii=False))
