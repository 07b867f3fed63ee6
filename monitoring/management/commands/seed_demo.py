"""Fill the database with demo sites, one demo user per role, and synthetic patients."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone
from tqdm import tqdm

from bonehealth.accounts.demo import DEMO_PASSWORD, DEMO_USERS, demo_sites_and_users
from patients.demo import demo_patients_create


class Command(BaseCommand):
    help = "Create demo sites, demo users (one per role) and N synthetic patients. Safe to re-run."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--patients", type=int, default=200, help="How many patients (200).")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (2026).")
        parser.add_argument("--no-progress", action="store_true", help="Hide the progress bar.")

    def handle(
        self, *args: Any, patients: int, seed: int, no_progress: bool, **options: Any
    ) -> None:
        if patients < 0:
            self.stderr.write("--patients must be 0 or more")
            raise SystemExit(2)
        sites = demo_sites_and_users()
        today = timezone.localdate()
        with tqdm(
            total=patients,
            desc="patients",
            unit="pt",
            disable=no_progress or None,
            file=self.stderr,
        ) as bar:
            created = demo_patients_create(
                sites=sites, count=patients, today=today, seed=seed, progress=bar.update
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{created} new demo patients ({patients} requested) at {len(sites)} sites."
            )
        )
        users = ", ".join(username for username, *_ in DEMO_USERS)
        self.stdout.write(f"Demo users: {users}; password: {DEMO_PASSWORD}")
