"""A patient marked entered in error while care is recorded for her (sec10 F1), as real concurrent
transactions on PostgreSQL.

A nurse marked a patient in error at the moment a physician started her alendronate: both were
saved, and the patient was hidden with a running course ("Therapy saved", then a 404). Labs and
scans were written into a patient being marked in the same way. Now her writers and her mark take
turns on her row (`patients.services.patient_lock`), and the second reads what the first
committed: a record saved after the mark is refused, and a mark after a therapy start is refused
for a nurse, each with the form back and nothing saved.
"""

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import Site, User
from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring.assessment.refresh import assessments_refresh
from monitoring.models import Alert, BoneTherapyCourse, DexaScan, LabResult
from monitoring.records.history_import import history_import
from monitoring.records.history_records import HistoryImportError
from monitoring.records.services.labs import LabEntry, lab_results_record
from monitoring.records.services.therapy import bone_therapy_start
from patients import in_error
from patients.models import AromataseInhibitorCourse, Patient
from tests.conftest import login
from tests.factories import (
    PatientFactory,
    ScannerFactory,
    UserFactory,
    results_in_range,
)
from tests.races import POSTGRESQL_ONLY, at_once, holding, in_thread

pytestmark = POSTGRESQL_ONLY

TODAY = timezone.localdate()
REASON = "registered twice by mistake"
MARKED_MEANWHILE = "was marked entered in error by nurse"
PHYSICIAN_NEEDED = "A physician must mark this patient entered in error"


@pytest.fixture
def nurse(ward: Site) -> User:
    return UserFactory(username="nurse", role="nurse", sites=[ward])


@pytest.fixture
def physician(ward: Site) -> User:
    return UserFactory(username="physician", role="physician", sites=[ward])


def _therapy(patient: Patient) -> tuple[str, dict[str, str]]:
    # Bloods in range, so the start passes its pre-treatment checks and the race is the lock's.
    results_in_range(patient, TODAY - timedelta(days=10))
    return reverse("monitoring:therapy_create", args=[patient.pk]), {
        "drug": "alendronate",
        "dose": "70 mg weekly",
        "start_date": (TODAY - timedelta(days=1)).isoformat(),
    }


def _lab(patient: Patient) -> tuple[str, dict[str, str]]:
    return reverse("monitoring:labs_create", args=[patient.pk]), {
        "sample_date": (TODAY - timedelta(days=2)).isoformat(),
        "vitamin_d_25oh_value": "31",
        "vitamin_d_25oh_unit": "ng/mL",
    }


def _scan(patient: Patient) -> tuple[str, dict[str, str]]:
    scanner = ScannerFactory(site=patient.site)
    return reverse("monitoring:scan_create", args=[patient.pk]), {
        "scan_date": (TODAY - timedelta(days=4)).isoformat(),
        "scanner": str(scanner.pk),
        "lumbar_spine_bmd": "0.912",
        "lumbar_spine_t_score": "-1.2",
    }


# What each form saves, and the model it saves it in.
ENTRIES: dict[str, tuple[Callable[[Patient], tuple[str, dict[str, str]]], type]] = {
    "therapy": (_therapy, BoneTherapyCourse),
    "lab": (_lab, LabResult),
    "scan": (_scan, DexaScan),
}


def _mark(client: Client, patient: Patient) -> Any:
    url = reverse("patients:mark_in_error", args=[patient.pk])
    return client.post(url, {"reason": REASON, "version": str(patient.version)})


def _in_error(patient: Patient) -> bool:
    return Patient.objects.get(pk=patient.pk).entered_in_error


def _refused_form(response: Any, message: str) -> None:
    """The form came back (never a 500, never a redirect to a saved page) saying why."""
    assert getattr(response, "status_code", response) == 200
    assert any(message in error for error in response.context["form"].non_field_errors())


@pytest.mark.parametrize("kind", list(ENTRIES))
def test_the_testers_race_never_leaves_a_record_written_after_the_mark(
    ward: Site, nurse: User, physician: User, kind: str
) -> None:
    """sec10 F1's steps, released together several times: whichever commits first, nothing is
    written into a patient after she was marked, and a therapy saved first refuses the nurse."""
    form, model = ENTRIES[kind]
    marker = login(nurse)
    writer = login(physician)  # a physician may write every one of these forms
    for attempt in range(4):
        patient = PatientFactory(site=ward, mrn=f"TOC-{attempt}")
        url, data = form(patient)
        marked, saved = at_once(
            [
                lambda p=patient: _mark(marker, p),
                lambda u=url, d=data: writer.post(u, d),
            ]
        )
        records = model.objects.filter(patient=patient)
        if _in_error(patient):
            assert marked.status_code == 302
            stamp = Patient.objects.get(pk=patient.pk).error_marked_at
            if saved.status_code == 302:  # saved first: the mark waited for it
                assert kind != "therapy", "a nurse hid a patient whose therapy was running"
                assert all(record.entered_at < stamp for record in records)
            else:  # saved after the mark: refused, nothing written
                _refused_form(saved, MARKED_MEANWHILE)
                assert not records.exists()
        else:  # the care was saved first, and hiding it needs a physician
            assert kind == "therapy"
            assert saved.status_code == 302
            _refused_form(marked, PHYSICIAN_NEEDED)
            assert records.count() == 1
            assert not AuditEvent.objects.filter(
                action=AuditAction.MARK_ERROR, object_id=str(patient.pk)
            ).exists()


@pytest.mark.parametrize("kind", list(ENTRIES))
def test_a_save_waiting_for_the_mark_is_refused_with_the_form_back(
    ward: Site, nurse: User, physician: User, kind: str
) -> None:
    form, model = ENTRIES[kind]
    patient = PatientFactory(site=ward, mrn="TOC-1")
    url, data = form(patient)
    writer = login(physician)
    with holding(
        lambda: in_error.patient_mark_in_error(actor=nurse, patient=patient, reason=REASON)
    ):
        saving = in_thread(lambda: writer.post(url, data))
        assert saving.waits(1), "the save did not wait for the mark's uncommitted lock"
    response: Any = saving.outcome()
    _refused_form(response, MARKED_MEANWHILE)
    assert REASON in response.text  # who marked her, when and why
    assert _in_error(patient)
    assert not model.objects.filter(patient=patient).exists()
    assert not AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type=model._meta.label_lower
    ).exists()


def test_a_nurses_mark_waiting_for_a_therapy_start_is_refused(
    ward: Site, nurse: User, physician: User
) -> None:
    patient = PatientFactory(site=ward, mrn="TOC-2")
    results_in_range(patient, TODAY - timedelta(days=10))  # the start's checks pass
    marker = login(nurse)
    with holding(
        lambda: bone_therapy_start(
            actor=physician,
            patient=patient,
            values={"drug": "alendronate", "start_date": TODAY - timedelta(days=1)},
        )
    ):
        marking = in_thread(lambda: _mark(marker, patient))
        assert marking.waits(1), "the mark did not wait for the therapy's uncommitted lock"
    response: Any = marking.outcome()
    _refused_form(response, PHYSICIAN_NEEDED)
    assert REASON in response.text  # what was typed is kept
    assert not _in_error(patient)
    assert BoneTherapyCourse.objects.filter(patient=patient, entered_in_error=False).count() == 1


def test_a_physicians_mark_waiting_for_a_therapy_start_needs_it_confirmed(
    ward: Site, physician: User
) -> None:
    """A physician may hide running care, but only care the form showed and she ticked: a course
    started while her mark waited was never shown to her."""
    patient = PatientFactory(site=ward, mrn="TOC-3")
    results_in_range(patient, TODAY - timedelta(days=10))  # the start's checks pass
    colleague = UserFactory(username="doc2", role="physician", sites=[ward])
    marker = login(physician)
    with holding(
        lambda: bone_therapy_start(
            actor=colleague,
            patient=patient,
            values={"drug": "alendronate", "start_date": TODAY - timedelta(days=1)},
        )
    ):
        marking = in_thread(lambda: _mark(marker, patient))
        assert marking.waits(1)
    response: Any = marking.outcome()
    assert getattr(response, "status_code", response) == 200
    assert "Not marked: this would hide from everyone" in response.text
    assert not _in_error(patient)


def test_a_lab_service_call_after_the_mark_raises_the_conflict(
    ward: Site, nurse: User, physician: User
) -> None:
    """The service itself refuses (not only the page): the history and results imports call it."""
    patient = PatientFactory(site=ward, mrn="TOC-4")
    with holding(
        lambda: in_error.patient_mark_in_error(actor=physician, patient=patient, reason=REASON)
    ):
        saving = in_thread(
            lambda: lab_results_record(
                actor=nurse,
                patient=patient,
                sample_date=TODAY - timedelta(days=2),
                fasting=False,
                entries=[LabEntry(analyte="vitamin_d_25oh", value=Decimal(40), unit="nmol/L")],
            )
        )
        assert saving.waits(1)
    refused = saving.outcome()
    assert type(refused).__name__ == "PatientInErrorError"
    assert "was marked entered in error by physician" in str(refused)
    assert not LabResult.objects.filter(patient=patient).exists()


def test_an_ai_course_waiting_for_the_mark_is_refused(ward: Site, nurse: User) -> None:
    """Aromatase-inhibitor courses took the patient's lock but never read the mark under it: a
    course waiting for a mark was written into the hidden patient too."""
    patient = PatientFactory(site=ward, mrn="TOC-5")
    url = reverse("patients:ai_course_create", args=[patient.pk])
    writer = login(UserFactory(username="nurse2", role="nurse", sites=[ward]))
    with holding(
        lambda: in_error.patient_mark_in_error(actor=nurse, patient=patient, reason=REASON)
    ):
        saving = in_thread(
            lambda: writer.post(url, {"drug": "letrozole", "start_date": "2026-11-20"})
        )
        assert saving.waits(1)
    _refused_form(saving.outcome(), MARKED_MEANWHILE)
    assert not AromataseInhibitorCourse.objects.filter(patient=patient).exists()


def test_a_history_import_waiting_for_the_mark_saves_nothing(ward: Site, nurse: User) -> None:
    patient = PatientFactory(site=ward, mrn="TOC-6")
    data = {
        "as_of": TODAY.isoformat(),
        "patient": {
            "mrn": patient.mrn,
            "name": patient.name,
            "sex": patient.sex,
            "birth_date": patient.birth_date.isoformat(),
        },
        "aromatase_inhibitors": [{"drug": "anastrozole", "start_date": "2024-01-01"}],
    }
    physician = UserFactory(username="doc2", role="physician", sites=[ward])
    with holding(
        lambda: in_error.patient_mark_in_error(actor=nurse, patient=patient, reason=REASON)
    ):
        importing = in_thread(lambda: history_import(data=data, site=ward, actor=physician))
        assert importing.waits(1)
    refused = importing.outcome()
    assert isinstance(refused, HistoryImportError)
    assert "was marked entered in error while this file was being imported" in str(refused)
    assert not AromataseInhibitorCourse.objects.filter(patient=patient).exists()
    assert Patient.objects.filter(mrn="TOC-6").count() == 1  # no second patient either


def test_an_acknowledgement_waiting_for_the_mark_is_refused(
    ward: Site, nurse: User, physician: User
) -> None:
    patient = PatientFactory(site=ward, mrn="TOC-7")
    assessments_refresh([patient.pk])  # the assessment row an acknowledgement locks
    alert = Alert.objects.create(
        patient=patient,
        code="DENOSUMAB_DUE",
        severity="warning",
        severity_rank=1,
        message="due",
        raised_at=timezone.now(),
    )
    url = reverse("monitoring:alert_acknowledge", args=[alert.pk])
    acknowledging = login(UserFactory(username="nurse2", role="nurse", sites=[ward]))
    with holding(
        lambda: in_error.patient_mark_in_error(actor=physician, patient=patient, reason=REASON)
    ):
        saving = in_thread(lambda: acknowledging.post(url, {"note": "phoned the patient"}))
        assert saving.waits(1)
    response: Any = saving.outcome()
    assert getattr(response, "status_code", response) == 409
    assert "was marked entered in error by physician" in response.text
    alert.refresh_from_db()
    assert alert.acknowledged_at is None
    assert not AuditEvent.objects.filter(object_type="monitoring.alert").exists()
