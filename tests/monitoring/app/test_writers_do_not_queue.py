"""Two clinical writes for different patients at one site never wait for each other: no per-site
row (a site's data version or dashboard tally) is locked by a write until its commit."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.utils import timezone

from bonehealth.accounts.models import Site, User
from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.models import LabResult
from monitoring.records.services.labs import LabEntry, lab_results_record
from tests.factories import PatientFactory, UserFactory
from tests.races import holding

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="two open write transactions need PostgreSQL: SQLite lets one writer in at a time",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SAMPLE_DAY = timezone.localdate() - timedelta(days=3)
VITAMIN_D = [LabEntry(analyte="vitamin_d_25oh", value=Decimal(40), unit="nmol/L")]


@pytest.fixture
def nurses(ward: Site) -> tuple[User, User]:
    return (
        UserFactory(username="nurse1", role="nurse", sites=[ward]),
        UserFactory(username="nurse2", role="nurse", sites=[ward]),
    )


def test_a_lab_saved_for_another_patient_at_the_site_does_not_wait_for_an_open_transaction(
    ward: Site, nurses: tuple[User, User]
) -> None:
    first, second = PatientFactory(site=ward, mrn="A1"), PatientFactory(site=ward, mrn="A2")
    for patient in (first, second):
        patient_assessment_refresh(patient=patient)  # both have their stored assessment
    # Connection A saves a lab for the first patient and keeps its transaction open.
    with holding(
        lambda: lab_results_record(
            actor=nurses[0],
            patient=first,
            sample_date=SAMPLE_DAY,
            fasting=False,
            entries=VITAMIN_D,
        )
    ):
        # Connection B: any lock held by A's open transaction would stop it; lock_timeout turns
        # a wait into an error instead of a hang.
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            lab_results_record(
                actor=nurses[1],
                patient=second,
                sample_date=SAMPLE_DAY,
                fasting=False,
                entries=VITAMIN_D,
            )
        # Committed while A is still open.
        assert LabResult.objects.filter(patient=second).count() == 1
        assert not LabResult.objects.filter(patient=first).exists()
    assert LabResult.objects.filter(patient=first).count() == 1
