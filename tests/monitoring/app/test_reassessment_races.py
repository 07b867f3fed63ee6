"""The nightly (or bulk) reassessment and a patient's writers at the same time, as real concurrent
transactions on PostgreSQL.

The reassessment does not take the patient's lock: it takes her stored assessment's lock
(`refresh.assessments_lock`) before reading her records, as every writer does before reassessing
her. Whichever waits reads, under that lock, what the other committed (each statement of a READ
COMMITTED transaction sees the latest commits), so the stored alerts never reflect a history
older than the last write. Those first two tests show it.

What went wrong was a deadlock: a change to the patient's own row (her details, marking her in
error, ending her follow-up) locked that row FOR UPDATE before her assessment, and a reassessment
holding her assessment then inserted an alert for her, whose foreign key needs a key-share lock
on her row. Each waited for the other until PostgreSQL killed one of them: the user's save failed
(a server error), or the batch of 500 patients was not reassessed.
"""

import threading
from collections.abc import Callable, Iterable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from bonehealth.accounts.models import Site, User
from monitoring.assessment import refresh
from monitoring.assessment.reassessment import reassess_patients
from monitoring.assessment.refresh import assessments_refresh
from monitoring.models import Alert, PatientAssessment
from monitoring.records.services.labs import LabEntry, lab_results_record
from patients import in_error
from patients.models import Patient
from patients.services import patient_end_follow_up, patient_update
from tests.factories import DexaScanFactory, PatientFactory, UserFactory
from tests.races import POSTGRESQL_ONLY, TIMEOUT, holding, in_thread

pytestmark = POSTGRESQL_ONLY

TODAY = timezone.localdate()
SCAN_DAY = TODAY - timedelta(days=800)  # a low-risk scan: the next one was due 24 months after
VITAMIN_D = [LabEntry(analyte="vitamin_d_25oh", value=Decimal(40), unit="ng/mL")]


@pytest.fixture
def physician(ward: Site) -> User:
    return UserFactory(username="physician", role="physician", sites=[ward])


@pytest.fixture
def patient(ward: Site) -> Patient:
    """A patient assessed last a month after her scan: tonight's reassessment raises DEXA_OVERDUE
    (a new alert row for her)."""
    patient = PatientFactory(site=ward, mrn="R-1")
    DexaScanFactory(patient=patient, scan_date=SCAN_DAY, t=-0.5)
    assessments_refresh([patient.pk], as_of=SCAN_DAY + timedelta(days=30))
    assert not _open(patient, "DEXA_OVERDUE")
    return patient


def _open(patient: Patient, code: str) -> bool:
    return Alert.objects.filter(patient=patient, code=code, cleared_at__isnull=True).exists()


def _reassess(patient: Patient) -> Callable[[], object]:
    return lambda: reassess_patients([patient.pk], as_of=TODAY)


def test_a_write_committed_while_the_reassessment_waited_is_in_its_alerts(
    patient: Patient, physician: User
) -> None:
    """The write holds her assessment's lock; the reassessment waits, then reads the new lab."""
    assert _open(patient, "VITAMIN_D_NOT_MEASURED")
    with holding(
        lambda: lab_results_record(
            actor=physician,
            patient=patient,
            sample_date=TODAY - timedelta(days=2),
            fasting=False,
            entries=VITAMIN_D,
        )
    ):
        reassessing = in_thread(_reassess(patient))
        assert reassessing.waits_for_a_lock(), (
            "the reassessment did not wait for the write's assessment"
        )
    assert not isinstance(reassessing.outcome(), BaseException), reassessing.outcome()
    assert not _open(patient, "VITAMIN_D_NOT_MEASURED")  # the lab is in tonight's history
    assert _open(patient, "DEXA_OVERDUE")  # and tonight's date


def test_a_write_waiting_for_the_reassessment_reassesses_her_after_it(
    patient: Patient, physician: User
) -> None:
    """The reassessment holds her assessment's lock, its history read before the lab: the write
    waits for it, then stores the assessment with the lab."""
    with holding(_reassess(patient)):
        saving = in_thread(
            lambda: lab_results_record(
                actor=physician,
                patient=patient,
                sample_date=TODAY - timedelta(days=2),
                fasting=False,
                entries=VITAMIN_D,
            )
        )
        assert saving.waits_for_a_lock(), "the write did not wait for the reassessment's lock"
        assert _open(patient, "VITAMIN_D_NOT_MEASURED")  # nothing committed yet
    assert not isinstance(saving.outcome(), BaseException), saving.outcome()
    assert not _open(patient, "VITAMIN_D_NOT_MEASURED")
    assert _open(patient, "DEXA_OVERDUE")


class PausedReassessment:
    """A reassessment in a thread of its own that stops after locking the assessments, before
    reading the records (where a batch of 500 spends its seconds), until `go`."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, patient_ids: Iterable[int]) -> None:
        self.locked, self._go = threading.Event(), threading.Event()
        original = refresh.assess_patients

        def paused(ids: Iterable[int], **kwargs: Any) -> Any:
            if threading.current_thread() is self._thread:
                self.locked.set()
                self._go.wait(TIMEOUT)
            return original(ids, **kwargs)

        monkeypatch.setattr(refresh, "assess_patients", paused)
        ids = list(patient_ids)
        self._outcome: list[object] = []
        self._running = in_thread(lambda: reassess_patients(ids, as_of=TODAY))
        self._thread = self._running._thread
        assert self.locked.wait(TIMEOUT)

    def go(self) -> object:
        self._go.set()
        return self._running.outcome()


def _edit(patient: Patient, physician: User) -> object:
    return patient_update(
        actor=physician,
        patient=patient,
        values={"weight_kg": Decimal(58)},
        expected_version=patient.version,
    )


def _mark(patient: Patient, physician: User) -> object:
    return in_error.patient_mark_in_error(
        actor=physician, patient=patient, reason="registered twice by mistake"
    )


def _end(patient: Patient, physician: User) -> object:
    return patient_end_follow_up(
        actor=physician, patient=patient, ended_on=TODAY, reason="moved away"
    )


PATIENT_WRITES: dict[str, Callable[[Patient, User], object]] = {
    "edit": _edit,
    "mark in error": _mark,
    "end follow-up": _end,
}


@pytest.mark.parametrize("write", list(PATIENT_WRITES))
def test_a_change_to_her_record_during_the_reassessment_does_not_deadlock(
    monkeypatch: pytest.MonkeyPatch, patient: Patient, physician: User, write: str
) -> None:
    """The reassessment holds her assessment; the change to her row waits for it; then the
    reassessment inserts tonight's new alert for her. Both must be saved."""
    reassessment = PausedReassessment(monkeypatch, [patient.pk])
    saving = in_thread(lambda: PATIENT_WRITES[write](patient, physician))
    assert saving.waits_for_a_lock(), "the change did not wait for the reassessment's lock"
    reassessed = reassessment.go()
    saved = saving.outcome()
    assert not isinstance(reassessed, BaseException), reassessed
    assert not isinstance(saved, BaseException), saved
    assert _open(patient, "DEXA_OVERDUE")  # tonight's alert, stored
    fresh = Patient.objects.get(pk=patient.pk)
    assert fresh.version == patient.version + 1  # and her change
    stored = PatientAssessment.objects.get(patient=patient)
    assert stored.followed == (write == "edit")  # her assessment after both


def test_the_reassessment_of_a_batch_waits_for_no_write_of_another_patient(
    monkeypatch: pytest.MonkeyPatch, ward: Site, patient: Patient, physician: User
) -> None:
    """A batch holds only its own patients' assessments: a patient outside it is written at once
    (the save would raise past lock_timeout if it waited)."""
    other = PatientFactory(site=ward, mrn="R-2")
    assessments_refresh([other.pk])
    reassessment = PausedReassessment(monkeypatch, [patient.pk])
    try:
        saving = in_thread(lambda: _edit(other, physician))
        assert not saving.waits(5)
        assert not isinstance(saving.outcome(), BaseException), saving.outcome()
    finally:
        assert not isinstance(reassessment.go(), BaseException)
