"""Export patients' records as one FHIR R4 Bundle (JSON) on stdout."""

import json
from typing import Any

from django.core.management.base import CommandParser
from django.db import transaction
from fhir.resources.R4B.bundle import Bundle

from bonehealth.commands import StrictCommand, UsageError, add_actor_argument, command_actor
from monitoring.overview import fhir
from monitoring.overview.exports import cohort_export_record
from monitoring.overview.mrns import patient_ids_by_mrn
from monitoring.records.selectors import open_alerts_for, patients_with_records
from patients.selectors import patients_for_user


class Command(StrictCommand):
    help = (
        "Print one FHIR R4 Bundle (JSON) of the records of the MRNs: Patient, Observations, "
        "MedicationStatements and a Flag per open alert. The Bundle is checked against the FHIR "
        "R4B models first; one EXPORT audit row names the actor, the host and the patients."
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
        mrns = list(dict.fromkeys(mrns))
        ids = patient_ids_by_mrn(mrns, site)
        patients = patients_with_records(ids.values())
        if runner.user is not None:
            # A named user exports only the patients of their own sites (the access gate).
            patients = patients.filter(pk__in=patients_for_user(user=runner.user))
        with transaction.atomic():
            loaded = {patient.mrn: patient for patient in patients}
            refused = [mrn for mrn in mrns if mrn not in loaded]
            if refused:
                raise UsageError(f"--actor may not see MRN {', '.join(refused)}")
            alerts: dict[int, list[Any]] = {pk: [] for pk in ids.values()}
            for alert in open_alerts_for(ids.values()).order_by("-severity_rank", "raised_at"):
                alerts[alert.patient_id].append(alert)
            resources = [
                resource
                for mrn in mrns
                for resource in fhir.patient_resources(loaded[mrn], alerts[loaded[mrn].pk])
            ]
            cohort_export_record(
                actor=runner.user,
                username=runner.username,
                export="FHIR Bundle (export_fhir)",
                filters={"host": runner.host, "mrns": sorted(mrns), "site": site},
                patient_ids=list(ids.values()),
            )
        bundle = fhir.bundle(resources)
        Bundle.model_validate(bundle)
        self.stdout.write(json.dumps(bundle, indent=2, ensure_ascii=False))
