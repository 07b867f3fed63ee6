"""seed_demo --scan-density: denser follow-up for the benchmark, the default demo unchanged."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from bonehealth.accounts.demo import demo_sites_and_users
from monitoring.demo import demo_clinical_data_create
from patients.demo import demo_patients_create

pytestmark = pytest.mark.django_db
TODAY = date(2026, 1, 15)


def test_a_higher_scan_density_gives_more_scans_for_the_same_patients() -> None:
    sites = demo_sites_and_users()
    patients = demo_patients_create(sites=sites, count=40, today=TODAY)
    with transaction.atomic():
        default = demo_clinical_data_create(patients=patients, sites=sites, today=TODAY)
        transaction.set_rollback(True)
    dense = demo_clinical_data_create(patients=patients, sites=sites, today=TODAY, scan_density=2.2)
    assert dense["scans"] > 1.5 * default["scans"]
    assert dense["labs"] == default["labs"]  # only the scans are denser


def test_scan_density_out_of_range_is_refused() -> None:
    with pytest.raises(CommandError, match="--scan-density") as error:
        call_command("seed_demo", "--patients", "0", "--scan-density", "0", stderr=StringIO())
    assert error.value.returncode == 2
