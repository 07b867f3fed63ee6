"""Marking one record entered in error (a scan, a lab, a FRAX result, a bone therapy course, a dose,
an aromatase-inhibitor course) while the patient is marked entered in error, as real concurrent
transactions on PostgreSQL.

Marking a record locked only its own row, not the patient's. So:
- a record's mark waiting for the patient's mark was then saved into the hidden patient, and the
  page said "marked entered in error; the assessment is updated";
- a patient's mark did not wait for a record's mark: it read the care it would hide before that
  mark committed. Marking the newer of two scans in error brings the older one's osteoporosis
  back and raises a high alert (therapy indicated): a nurse's mark of the patient at that moment
  hid her with the alert open, which only a physician may do, and only having confirmed it
  (sec9 F7).
Now a record's mark takes the patient's lock first, as every writer of her records does: the
second of the two reads what the first committed.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.db import models
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import Site, User
from monitoring.assessment.refresh import assessments_refresh
from monitoring.models import Alert, BoneTherapyCourse, BoneTherapyDose, FraxResult
from monitoring.records.services.in_error import entry_mark_in_error
from patients import in_error
from patients.models import Patient
from tests.conftest import login
from tests.factories import (
    AromataseInhibitorCourseFactory,
    DexaScanFactory,
    LabResultFactory,
    PatientFactory,
    UserFactory,
)
from tests.races import POSTGRESQL_ONLY, holding, in_thread
from tests.record_edits import entry_mark_url, marks_of

pytestmark = POSTGRESQL_ONLY

TODAY = timezone.localdate()
REASON = "registered twice by mistake"
ENTRY_REASON = "entered for the wrong patient"
MARKED_MEANWHILE = "was marked entered in error by physician"
PHYSICIAN_NEEDED = "A physician must mark this patient entered in error"
NOT_CONFIRMED = "Not marked: this would hide from everyone"


@pytest.fixture
def physician(ward: Site) -> User:
    return UserFactory(username="physician", role="physician", sites=[ward])


def _course(patient: Patient) -> BoneTherapyCourse:
    return BoneTherapyCourse.objects.create(
        patient=patient, drug="alendronate", start_date=TODAY - timedelta(days=400)
    )


def _dose(patient: Patient) -> BoneTherapyDose:
    return BoneTherapyDose.objects.create(
        course=_course(patient), given_on=TODAY - timedelta(days=30)
    )


@dataclass(frozen=True)
class Kind:
    make: Callable[[Patient], models.Model]
    url: Callable[[Patient, models.Model], str]


KINDS = {
    "scan": Kind(lambda patient: DexaScanFactory(patient=patient), entry_mark_url("scan")),
    "lab": Kind(lambda patient: LabResultFactory(patient=patient), entry_mark_url("lab")),
    "frax": Kind(
        lambda patient: FraxResult.objects.create(
            patient=patient, assessed_on=TODAY, major_osteoporotic_pct=12, hip_pct=2
        ),
        entry_mark_url("frax"),
    ),
    "therapy": Kind(_course, entry_mark_url("therapy")),
    "dose": Kind(
        _dose,
        lambda patient, dose: reverse(
            "monitoring:dose_mark_in_error",
            args=[patient.pk, dose.course_id, dose.pk],  # type: ignore[attr-defined]
        ),
    ),
    "ai_course": Kind(
        lambda patient: AromataseInhibitorCourseFactory(
            patient=patient, start_date=TODAY - timedelta(days=900), stop_date=TODAY
        ),
        lambda patient, course: reverse(
            "patients:ai_course_mark_in_error", args=[patient.pk, course.pk]
        ),
    ),
}


def _in_error(record: models.Model) -> bool:
    return type(record)._default_manager.get(pk=record.pk).entered_in_error  # type: ignore[attr-defined]


def _refused_form(response: Any, message: str) -> None:
    """The form came back (never a 500, never a redirect to a saved page) saying why."""
    assert getattr(response, "status_code", response) == 200, response
    assert any(message in error for error in response.context["form"].non_field_errors())


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_records_mark_waiting_for_the_patients_mark_is_refused(
    ward: Site, physician: User, kind: str
) -> None:
    patient = PatientFactory(site=ward, mrn="M-1")
    record = KINDS[kind].make(patient)
    assessments_refresh([patient.pk])  # her stored assessment, as registering her creates it
    marker = login(UserFactory(username="doc2", role="physician", sites=[ward]))
    url = KINDS[kind].url(patient, record)
    assert marker.get(url).status_code == 200  # the page opened before the patient's mark
    with holding(
        lambda: in_error.patient_mark_in_error(
            actor=physician,
            patient=patient,
            reason=REASON,
            # A course running: what the physician's form showed her, and she confirmed.
            confirmed=in_error.patient_hidden_care(patient=patient),
        )
    ):
        marking = in_thread(
            lambda: marker.post(url, {"reason": ENTRY_REASON, "version": record.version})  # type: ignore[attr-defined]
        )
        assert marking.waits_for_a_lock(), "the record's mark did not wait for the patient's"
    response: Any = marking.outcome()
    _refused_form(response, MARKED_MEANWHILE)
    assert REASON in response.text  # who marked her, when and why
    assert Patient.objects.get(pk=patient.pk).entered_in_error
    assert not _in_error(record)
    assert marks_of(record) == 0


def _patient_whose_newer_scan_hides_osteoporosis(ward: Site) -> tuple[Patient, Any]:
    """Two scans: osteoporosis two years ago, normal last year. Without the newer one, therapy
    is indicated (a high alert) and nothing is running."""
    patient = PatientFactory(site=ward, mrn="M-2")
    DexaScanFactory(patient=patient, scan_date=TODAY - timedelta(days=730), t=-2.8)
    newer = DexaScanFactory(patient=patient, scan_date=TODAY - timedelta(days=365), t=-1.0)
    assessments_refresh([patient.pk])
    assert in_error.patient_hidden_care(patient=patient) == []
    return patient, newer


@pytest.mark.parametrize(
    ("role", "refusal"), [("nurse", PHYSICIAN_NEEDED), ("physician", NOT_CONFIRMED)]
)
def test_a_patients_mark_waiting_for_a_scans_mark_sees_the_alert_it_raised(
    ward: Site, role: str, refusal: str
) -> None:
    """A nurse marks the newer scan in error (a high alert is raised) while a colleague marks the
    whole patient, whose form showed nothing running or open."""
    patient, newer = _patient_whose_newer_scan_hides_osteoporosis(ward)
    scan_marker = UserFactory(username="nurse1", role="nurse", sites=[ward])
    marker = login(UserFactory(username=f"{role}2", role=role, sites=[ward]))
    url = reverse("patients:mark_in_error", args=[patient.pk])
    with holding(
        lambda: entry_mark_in_error(
            actor=scan_marker, entry=newer, patient=patient, reason=ENTRY_REASON
        )
    ):
        marking = in_thread(
            lambda: marker.post(url, {"reason": REASON, "version": patient.version})
        )
        assert marking.waits_for_a_lock(), "the patient's mark did not wait for the scan's"
    response: Any = marking.outcome()
    assert getattr(response, "status_code", response) == 200, response
    assert refusal in response.text
    if role == "physician":
        assert "Bone therapy indicated" in response.text  # the alert she did not confirm
    assert not Patient.objects.get(pk=patient.pk).entered_in_error
    assert Alert.objects.filter(
        patient=patient, code="BONE_THERAPY_INDICATED", cleared_at__isnull=True
    ).exists()
    assert _in_error(newer)
