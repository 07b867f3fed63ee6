"""Fill the database with demo sites, one user per role, and synthetic patients with records."""

from typing import Any

from django.core.management.base import CommandParser
from django.utils import timezone
from tqdm import tqdm

from bonehealth.accounts.demo import (
    DEMO_PASSWORD,
    DEMO_USERS,
    demo_database_required,
    demo_sites_and_users,
)
from bonehealth.accounts.models import User
from bonehealth.commands import StrictCommand, UsageError
from monitoring.assessment.reassessment import reassess_patients
from monitoring.demo import demo_clinical_data_create
from monitoring.demo_showcase import demo_showcase_import
from monitoring.records.history_import import HistoryImportError
from patients.demo import demo_patients_create


class Command(StrictCommand):
    help = (
        "Create demo sites, demo users (one per role) and N synthetic patients with scans, labs, "
        "FRAX results and therapy, then assess them. Runs on a demo database only "
        "(DJANGO_DEBUG=true, as `make demo` sets, or BONEHEALTH_DEMO_DATABASE=true), never on a "
        "real install. Safe to re-run: existing patients are kept, and so is every existing "
        "site and account (nurse, physician, admin, nurse.riverside): the seed sets the "
        "password, two-factor device, role and sites only of an account it creates in that run."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--patients", type=int, default=200, help="How many patients (200).")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (2026).")
        parser.add_argument("--no-progress", action="store_true", help="Hide the progress bars.")
        parser.add_argument(
            "--scan-density",
            type=float,
            default=1.0,
            help="Scan this many times as often as the demo's clinics (1.0); the benchmark uses "
            "2.5 for about 5 scans per patient.",
        )

    def handle(
        self,
        *args: Any,
        patients: int,
        seed: int,
        no_progress: bool,
        scan_density: float,
        **options: Any,
    ) -> None:
        demo_database_required("seed_demo")
        if patients < 0:
            raise UsageError(f"--patients: {patients} is below 0")
        if not 0.1 <= scan_density <= 12:
            raise UsageError(f"--scan-density: {scan_density} is not between 0.1 and 12")
        usernames = [username for username, *_ in DEMO_USERS]
        existing = User.objects.filter(username__in=usernames)
        kept = sorted(existing.values_list("username", flat=True))
        sites = demo_sites_and_users()
        if kept:
            self.stderr.write(f"existing accounts left as they are: {', '.join(kept)}")
        today = timezone.localdate()
        hide = no_progress or None  # None: show the bars on a terminal only
        with tqdm(
            total=patients, desc="patients", unit="pt", disable=hide, file=self.stderr
        ) as bar:
            created = demo_patients_create(
                sites=sites, count=patients, today=today, seed=seed, progress=bar.update
            )
        with tqdm(
            total=len(created), desc="records", unit="pt", disable=hide, file=self.stderr
        ) as bar:
            counts = demo_clinical_data_create(
                patients=created,
                sites=sites,
                today=today,
                seed=seed,
                progress=bar.update,
                scan_density=scan_density,
            )
        ids = [patient.pk for patient in created]
        with tqdm(
            total=len(ids), desc="assessing", unit="pt", disable=hide, file=self.stderr
        ) as bar:
            reassess_patients(ids, as_of=today, progress=bar.update)
        try:
            showcase = demo_showcase_import(site=sites[0], today=today)
        except HistoryImportError as refused:  # a showcase patient changed since the last seed
            raise UsageError(f"showcase patients not imported: {refused.errors[0]}") from None
        records = ", ".join(f"{n} {kind}" for kind, n in counts.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(created)} new demo patients ({patients} requested) at {len(sites)} sites: "
                f"{records}; {showcase} new showcase patients at {sites[0]}."
            )
        )
        users = ", ".join(username for username in usernames if username not in kept)
        if users:
            self.stdout.write(f"Demo users: {users}; password: {DEMO_PASSWORD}")
