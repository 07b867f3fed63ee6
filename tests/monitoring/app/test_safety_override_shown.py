"""The override of a failed pre-treatment check is part of the clinical record: kept on the course
or dose it let through (written with it, in the same transaction as its audit row, whose content
is unchanged), and shown to the clinicians who read the patient page and its summary. It was kept
only in the audit trail, where administrators see no values and clinicians have no view."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps as django_apps
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import Site, User
from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring.models import BoneTherapyCourse, BoneTherapyDose, LabResult
from monitoring.records.history_import import history_import
from monitoring.records.services.safety_gate import SafetyCheckError
from monitoring.records.services.therapy import (
    bone_therapy_dose_record,
    bone_therapy_start,
    bone_therapy_update,
)
from patients.models import Patient
from tests.factories import LabResultFactory, ScannerFactory, UserFactory
from tests.monitoring.imports.test_history_import_safety import (
    _zoledronic_without_dental_review,
)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
REASON = "vitamin D loading started; MDT agreed not to delay"
DENOSUMAB = {"drug": "denosumab", "dose": "60 mg", "start_date": TODAY, "stop_date": None}
OVERRIDE_FIELDS = {
    "safety_override_reason",
    "safety_checks_failed",
    "safety_override_by",
    "safety_override_at",
}


@pytest.fixture(autouse=True)
def vitamin_d_18(patient: Patient) -> None:
    """A low vitamin D, no calcium, no dental review: a denosumab start fails three checks."""
    LabResultFactory(
        patient=patient, sample_date=TODAY - timedelta(days=7), value=18, entered_value=18
    )


@pytest.fixture
def physician(site: Site) -> User:
    return UserFactory(
        username="physician", role="physician", sites=[site], first_name="Ada", last_name="Marsh"
    )


@pytest.fixture
def overridden(physician: User, patient: Patient) -> BoneTherapyCourse:
    return bone_therapy_start(
        actor=physician, patient=patient, values=DENOSUMAB, override_reason=REASON
    )


def _page(client: Client, patient: Patient) -> str:
    response = client.get(reverse("monitoring:patient", args=[patient.pk]))
    assert response.status_code == 200
    return response.text


class TestStoredWithTheRecord:
    def test_a_start_keeps_the_reason_the_checks_who_and_when(
        self, physician: User, overridden: BoneTherapyCourse
    ) -> None:
        course = BoneTherapyCourse.objects.get(pk=overridden.pk)
        assert course.safety_override_reason == REASON
        assert course.safety_checks_failed == ["vitamin_d", "calcium", "renal", "dental"]
        assert course.safety_checks_failed_labels == [
            "25-OH vitamin D",
            "Albumin-adjusted calcium",
            "Kidney function (creatinine clearance or eGFR)",
            "Dental review",
        ]
        assert course.safety_override_by == physician
        assert course.safety_override_at is not None
        # The audit row keeps what it kept: the override once, under safety_override.
        event = AuditEvent.objects.get(action=AuditAction.CREATE, object_id=str(course.pk))
        assert event.changes["safety_override"]["reason"] == REASON
        assert not OVERRIDE_FIELDS & set(event.changes)

    def test_a_refused_start_writes_no_record(self, physician: User, patient: Patient) -> None:
        with pytest.raises(SafetyCheckError):
            bone_therapy_start(actor=physician, patient=patient, values=DENOSUMAB)
        assert not BoneTherapyCourse.objects.exists()

    def test_a_course_the_gate_did_not_judge_has_none(
        self, physician: User, patient: Patient
    ) -> None:
        course = bone_therapy_start(
            actor=physician,
            patient=patient,
            values={"drug": "alendronate", "start_date": TODAY - timedelta(days=900)}
            | {"stop_date": TODAY - timedelta(days=100)},
        )
        course.refresh_from_db()
        assert (course.safety_override_reason, course.safety_checks_failed) == ("", [])
        assert course.safety_override_by is None

    def test_starting_a_planned_course_keeps_its_override_and_stopping_it_keeps_it(
        self, physician: User, patient: Patient
    ) -> None:
        planned = BoneTherapyCourse.objects.create(
            patient=patient, drug="denosumab", entered_by=physician
        )
        started = bone_therapy_update(
            actor=physician,
            course=planned,
            values={"start_date": TODAY},
            expected_version=planned.version,
            override_reason=REASON,
        )
        started.refresh_from_db()
        assert started.safety_override_reason == REASON
        assert "dental" in started.safety_checks_failed
        change = AuditEvent.objects.get(action=AuditAction.CHANGE, object_id=str(planned.pk))
        assert not OVERRIDE_FIELDS & set(change.changes)
        bone_therapy_update(
            actor=physician,
            course=started,
            values={"stop_date": TODAY, "stop_reason": "completed"},
            expected_version=started.version,
        )
        started.refresh_from_db()
        assert (started.stop_date, started.safety_override_reason) == (TODAY, REASON)

    def test_a_dose_keeps_the_physicians_reason(
        self, nurse: User, physician: User, patient: Patient
    ) -> None:
        course = BoneTherapyCourse.objects.create(
            patient=patient,
            drug="zoledronic_acid",
            start_date=TODAY - timedelta(days=30),
            entered_by=physician,
        )
        # A deficient vitamin D within 3 months of the start (high) and a month after the start
        # (too early): only a physician overrides them.
        dose = bone_therapy_dose_record(
            actor=physician, course=course, given_on=TODAY, override_reason=REASON
        )
        dose.refresh_from_db()
        assert dose.safety_override_reason == REASON
        assert "renal" in dose.safety_checks_failed
        assert dose.safety_override_by == physician

    def test_a_history_import_keeps_its_reason_on_each_record_it_let_through(
        self, site: Site
    ) -> None:
        ScannerFactory(site=site, name="S1")
        history_import(data=_zoledronic_without_dental_review(), site=site, override_reason=REASON)
        course = BoneTherapyCourse.objects.get(drug="zoledronic_acid")
        dose = BoneTherapyDose.objects.get()
        for record in (course, dose):
            assert record.safety_override_reason == REASON
            assert "dental" in record.safety_checks_failed
            assert record.safety_override_by is None  # no --actor: the import's name shows


class TestShownToClinicians:
    def test_the_physician_and_the_nurse_read_the_override_on_the_patient_page(
        self, physician_client: Client, nurse_client: Client, overridden: BoneTherapyCourse
    ) -> None:
        for client in (physician_client, nurse_client):
            page = _page(client, overridden.patient)
            assert "Checks overridden:" in page
            assert "Started despite failed checks: 25-OH vitamin D, Albumin-adjusted calcium" in (
                page
            )
            assert f"reason: {REASON} (Ada Marsh, {TODAY:%Y-%m-%d})" in page

    def test_a_patient_without_an_override_shows_none(
        self, physician: User, physician_client: Client, patient: Patient
    ) -> None:
        BoneTherapyCourse.objects.create(
            patient=patient, drug="alendronate", start_date=TODAY, entered_by=physician
        )
        page = _page(physician_client, patient)
        assert "Alendronate" in page
        assert "Checks overridden" not in page
        assert "despite failed checks" not in page

    def test_an_administrator_still_reads_no_clinical_page(
        self, admin_client_: Client, overridden: BoneTherapyCourse
    ) -> None:
        url = reverse("monitoring:patient", args=[overridden.patient.pk])
        assert admin_client_.get(url).status_code == 403

    def test_a_dose_given_despite_a_failed_check_shows_on_the_page(
        self, nurse: User, nurse_client: Client, physician: User, patient: Patient
    ) -> None:
        course = BoneTherapyCourse.objects.create(
            patient=patient,
            drug="zoledronic_acid",
            start_date=TODAY - timedelta(days=30),
            entered_by=physician,
        )
        assert "despite failed checks" not in _page(nurse_client, patient)
        bone_therapy_dose_record(
            actor=physician, course=course, given_on=TODAY, override_reason=REASON
        )
        page = _page(nurse_client, patient)  # the service raised records_version: shown at once
        assert f"Dose of {TODAY:%Y-%m-%d} given despite failed checks:" in page
        assert f"reason: {REASON} (Ada Marsh, {TODAY:%Y-%m-%d})" in page

    def test_doses_overridden_alike_share_one_note(
        self, nurse: User, nurse_client: Client, physician: User, patient: Patient
    ) -> None:
        course = BoneTherapyCourse.objects.create(
            patient=patient,
            drug="zoledronic_acid",
            start_date=TODAY - timedelta(days=400),
            entered_by=physician,
        )
        # Both doses more than 3 months after the start (no dental check), each judged on its day
        # with no results on file: the same checks fail for both. (The vitamin D of last week
        # would be a result after the first dose's date, a check of its own: nurse12 F3.)
        LabResult.objects.filter(patient=patient).delete()
        first, second = TODAY - timedelta(days=190), TODAY
        for day in (first, second):
            bone_therapy_dose_record(
                actor=nurse, course=course, given_on=day, override_reason=REASON
            )
        page = _page(nurse_client, patient)
        assert f"Doses of {first:%Y-%m-%d}, {second:%Y-%m-%d} given despite failed checks:" in page
        assert page.count(f"reason: {REASON}") == 1

    def test_renaming_whoever_overrode_shows_at_once(
        self, physician: User, physician_client: Client, overridden: BoneTherapyCourse
    ) -> None:
        assert "(Ada Marsh," in _page(physician_client, overridden.patient)
        User.objects.filter(pk=physician.pk).update(last_name="King")  # no service, no version
        page = _page(physician_client, overridden.patient)
        assert "(Ada King," in page
        assert "Marsh" not in page

    def test_the_printable_summary_lists_it_with_the_course(
        self, nurse_client: Client, overridden: BoneTherapyCourse
    ) -> None:
        url = reverse("monitoring:patient_summary", args=[overridden.patient.pk])
        page = nurse_client.get(url).text
        assert "Bone therapy checks overridden:" in page
        assert "Started despite failed checks: 25-OH vitamin D" in page
        assert REASON in page


def test_the_migration_fills_the_overrides_already_given_from_their_audit_rows(
    physician: User, patient: Patient
) -> None:
    """Overrides given before the records kept them: the latest audit row of each record fills
    it (its reason, checks, who and when); a record without one stays blank."""
    migration = importlib.import_module("monitoring.migrations.0015_safety_override_on_therapy")
    course = bone_therapy_start(
        actor=physician, patient=patient, values=DENOSUMAB, override_reason=REASON
    )
    untouched = BoneTherapyCourse.objects.create(
        patient=patient,
        drug="alendronate",
        start_date=TODAY - timedelta(days=900),
        stop_date=TODAY - timedelta(days=100),
    )
    BoneTherapyCourse.objects.filter(pk=course.pk).update(
        safety_override_reason="", safety_checks_failed=[], safety_override_by=None
    )
    migration.fill(django_apps, None)
    course.refresh_from_db()
    assert course.safety_override_reason == REASON
    assert course.safety_checks_failed == ["vitamin_d", "calcium", "renal", "dental"]
    assert course.safety_override_by == physician
    untouched.refresh_from_db()
    assert untouched.safety_override_reason == ""
