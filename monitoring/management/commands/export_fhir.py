"""Export patients' records as one FHIR R4 Bundle (JSON) on stdout."""

import json
from typing import Any

from django.core.management.base import CommandParser
from django.db import transaction
from fhir.resources.R4B.bundle import Bundle

from bonehealth.commands import StrictCommand, command_actor
from monitoring.overview import fhir
from monitoring.overview.exports import cohort_export_record
from monitoring.overview.mrns import add_mrn_arguments, command_patients, patient_ids_by_mrn
from monitoring.records.selectors import open_alerts_for, patients_with_records


class Command(StrictCommand):
    help = (
        "Print one FHIR R4 Bundle (JSON) of the records of the MRNs: Patient, Observations, "
        "MedicationStatements and a Flag per open alert. The Bundle is checked against the FHIR "
        "R4B models first; one EXPORT audit row names the actor, the host and the patients."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_mrn_arguments(parser)

    def handle(
        self, *args: Any, mrns: list[str], site: str | None, actor: str | None, **options: Any
    ) -> None:
        runner = command_actor(actor)
        mrns = list(dict.fromkeys(mrns))
        # Only the actor's patients (the access gate), looked up before anything is read.
        ids = patient_ids_by_mrn(mrns, site, among=command_patients(runner.user))
        patients = patients_with_records(ids.values())
        with transaction.atomic():
            loaded = {patient.mrn: patient for patient in patients}
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
