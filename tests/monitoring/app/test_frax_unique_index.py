"""The unique index behind one FRAX result per patient, day and kind (with or without BMD), and
the one patient lock a correction takes.

The services refuse a second result under the patient's lock; the index stops any writer that
bypasses them, and when it does in a service (a race the lock missed) the refusal is the same one,
beside the field. Migration 0025 adds the index only on a database without such duplicates: with
some, it stops naming them and changes nothing.
"""

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from unittest.mock import ANY

import pytest
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bonehealth.accounts.models import User
from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring.models import FraxResult
from monitoring.records.services import frax as frax_services
from monitoring.records.services.frax import frax_record, frax_update
from monitoring.records.services.guards import EntryConflictError
from monitoring.records.services.in_error import entry_mark_in_error
from patients.models import Patient
from tests.factories import PatientFactory, SiteFactory, UserFactory

INDEX = "frax_once_per_day_and_kind"
ASSESSED = timezone.localdate() - timedelta(days=5)


def _values(day: date = ASSESSED, *, hip: str = "2.0", with_bmd: bool = False) -> dict[str, Any]:
    return {
        "assessed_on": day,
        "major_osteoporotic_pct": Decimal("12.0"),
        "hip_pct": Decimal(hip),
        "with_bmd": with_bmd,
    }


def _events(action: str) -> int:
    return AuditEvent.objects.filter(object_type="monitoring.fraxresult", action=action).count()


def _index_exists() -> bool:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, FraxResult._meta.db_table)
    return INDEX in found and found[INDEX]["unique"]


# --- The index: what it refuses and what it leaves alone -----------------------------------------


@pytest.mark.django_db
def test_the_index_refuses_a_second_valid_result_of_a_day_and_kind(
    nurse: User, patient: Patient
) -> None:
    assert _index_exists()
    FraxResult.objects.create(patient=patient, entered_by=nurse, **_values())
    with pytest.raises(IntegrityError), transaction.atomic():
        FraxResult.objects.create(patient=patient, entered_by=nurse, **_values(hip="2.5"))
    # The other kind of the same day, and a repeat of a result marked in error, are allowed.
    FraxResult.objects.create(patient=patient, entered_by=nurse, **_values(with_bmd=True))
    FraxResult.objects.filter(with_bmd=False).update(entered_in_error=True)
    FraxResult.objects.create(patient=patient, entered_by=nurse, **_values(hip="2.5"))
    assert FraxResult.objects.filter(entered_in_error=False).count() == 2


# --- A service whose check missed the other result: the index's refusal, beside the field ------


class _MissFirstLook:
    """`_same_kind` as a writer racing another would see it: the first look finds nothing."""

    def __init__(self) -> None:
        self.looks = 0
        self.real = frax_services._same_kind

    def __call__(self, **kwargs: Any) -> FraxResult | None:
        self.looks += 1
        return None if self.looks == 1 else self.real(**kwargs)


@pytest.mark.django_db
def test_a_new_result_refused_by_the_index_gets_the_refusal_beside_the_date(
    monkeypatch: pytest.MonkeyPatch, nurse: User, patient: Patient
) -> None:
    frax_record(actor=nurse, patient=patient, values=_values())
    monkeypatch.setattr(frax_services, "_same_kind", _MissFirstLook())
    with pytest.raises(EntryConflictError) as refused:
        frax_record(actor=nurse, patient=patient, values=_values(hip="2.5"))
    assert refused.value.field == "assessed_on"
    assert str(refused.value).startswith(
        f"A FRAX result without BMD from {ASSESSED:%Y-%m-%d} is already recorded "
        "(12.0 % / 2.0 %); correct that one instead (entered by nurse at "
    )
    # The transaction is still usable, and holds one row and one creation event.
    assert list(FraxResult.objects.values_list("hip_pct", flat=True)) == [Decimal("2.0")]
    assert _events(AuditAction.CREATE) == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [({"assessed_on": ASSESSED}, "assessed_on"), ({"with_bmd": False}, "with_bmd")],
)
@pytest.mark.django_db
def test_a_correction_refused_by_the_index_gets_the_refusal_beside_the_field_changed(
    monkeypatch: pytest.MonkeyPatch,
    nurse: User,
    patient: Patient,
    change: dict[str, Any],
    field: str,
) -> None:
    frax_record(actor=nurse, patient=patient, values=_values())
    # Another day without BMD (moved onto ASSESSED), or the same day with BMD (ticked off).
    other_day = ASSESSED - timedelta(days=30)
    start = _values(other_day) if field == "assessed_on" else _values(with_bmd=True)
    moved = frax_record(actor=nurse, patient=patient, values=start)
    monkeypatch.setattr(frax_services, "_same_kind", _MissFirstLook())
    with pytest.raises(EntryConflictError, match="is already recorded") as refused:
        frax_update(actor=nurse, frax=moved, values={**start, **change}, expected_version=1)
    assert refused.value.field == field
    moved.refresh_from_db()
    assert (moved.assessed_on, moved.with_bmd, moved.version) == (
        start["assessed_on"],
        start["with_bmd"],
        1,
    )
    assert _events(AuditAction.CHANGE) == 0


# --- Migration 0025 on a database that already holds duplicates ---------------------------------

BEFORE = ("monitoring", "0024_alert_work_renal_hypocalcemia")
MIGRATION = ("monitoring", "0025_frax_once_per_day_and_kind")


def _migrate(target: tuple[str, str]) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate([target])


def _applied() -> bool:
    return MIGRATION in MigrationRecorder(connection).applied_migrations()


@pytest.fixture
def before_the_index(roles: None) -> Iterator[None]:
    """The database as it was before migration 0025, migrated forward again afterwards."""
    _migrate(BEFORE)
    assert not _index_exists()
    yield
    # Whatever the test left, the database goes back to the code's schema for the tests after.
    FraxResult.objects.filter(entered_in_error=False).update(entered_in_error=True)
    _migrate_to_latest()


def _migrate_to_latest() -> None:
    """Every migration applied again, the ones after 0025 too (going back to 0024 unapplied
    them): a later test in this process (the backup's `migrate --check`) sees the code's schema."""
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def _stored() -> list[tuple[Any, ...]]:
    return list(
        FraxResult.objects.order_by("pk").values_list(
            "pk", "assessed_on", "with_bmd", "hip_pct", "entered_in_error", "version"
        )
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_stops_on_duplicates_naming_them_and_changes_nothing(
    before_the_index: None,
) -> None:
    ward = SiteFactory(name="North General", code="north")
    nurse = UserFactory(username="nurse", role="nurse", sites=[ward])
    jane = PatientFactory(site=ward, mrn="A1001")
    first, second = (
        FraxResult.objects.create(patient=jane, entered_by=nurse, **_values(hip=hip))
        for hip in ("2.0", "2.5")
    )
    # Not duplicates: the other kind of that day, and another patient's result of that day.
    FraxResult.objects.create(patient=jane, entered_by=nurse, **_values(with_bmd=True))
    FraxResult.objects.create(patient=PatientFactory(site=ward), entered_by=nurse, **_values())
    stored, events = _stored(), AuditEvent.objects.count()

    with pytest.raises(CommandError) as stopped:
        _migrate(MIGRATION)
    message = str(stopped.value)
    assert message.startswith("Not migrated (monitoring.0025")
    assert "nothing was changed" in message
    assert "mark every one but the right one entered in error" in message
    (group,) = (line for line in message.splitlines() if line.startswith("- "))
    assert group.startswith(
        f"- patient #{jane.pk} (MRN A1001, site north), {ASSESSED:%Y-%m-%d}, without BMD: "
        f"FRAX #{first.pk} (12.0 % / 2.0 %, entered by nurse at "
    )
    assert f"FRAX #{second.pk} (12.0 % / 2.5 %, entered by nurse at " in group
    assert (_stored(), AuditEvent.objects.count()) == (stored, events)
    assert not _index_exists()
    assert not _applied()

    # Resolved as the message says, in the app: then the migration adds the index.
    entry_mark_in_error(actor=nurse, entry=second, patient=jane, reason="recorded twice")
    _migrate(MIGRATION)
    assert _applied()
    assert _index_exists()
    assert FraxResult.objects.filter(entered_in_error=False).count() == 3


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_adds_the_index_when_there_are_no_duplicates(
    before_the_index: None,
) -> None:
    ward = SiteFactory(name="North General", code="north")
    nurse = UserFactory(username="nurse", role="nurse", sites=[ward])
    jane = PatientFactory(site=ward, mrn="A1001")
    for values in (_values(), _values(with_bmd=True), _values(ASSESSED - timedelta(days=1))):
        FraxResult.objects.create(patient=jane, entered_by=nurse, **values)
    stored = _stored()
    _migrate(MIGRATION)
    assert _applied()
    assert _index_exists()
    assert _stored() == stored


# --- One lock per correction --------------------------------------------------------------------


@pytest.mark.django_db
def test_a_correction_takes_the_patients_lock_once(nurse: User, patient: Patient) -> None:
    frax = frax_record(actor=nurse, patient=patient, values=_values())
    with CaptureQueriesContext(connection) as queries:
        frax_update(actor=nurse, frax=frax, values=_values(hip="2.5"), expected_version=1)
    # `patients.services.patient_lock`: the patient's row, read for its in-error mark.
    lock = 'SELECT "patients_patient"."entered_in_error" AS "entered_in_error" FROM'
    assert [q["sql"] for q in queries if q["sql"].startswith(lock)] == [ANY]
