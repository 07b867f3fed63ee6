"""nurse12 F3: a dose dated before today is also judged by the results on file dated after it.

Stopped by a critical eGFR of 32 recorded today ("Override: a physician only"), a nurse dated the
zoledronic acid dose a day earlier and it saved silently: the checks judged the dose as of its
own day only. Now each later result that fails a check on its own day is a failed row of the
dose's checklist (`records/later_results.py`), overridden by whom that day's check would need, in
the form, in the service under the patient's lock, and in the history import."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import Site, User
from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring.models import BoneTherapyCourse, BoneTherapyDose
from monitoring.records.dose_safety import dose_checklist
from monitoring.records.history_import import SafetyOverrideRequiredError, history_import
from monitoring.records.services.safety_gate import OverrideNotPermittedError, SafetyCheckError
from monitoring.records.services.therapy import bone_therapy_dose_record
from patients.models import Patient
from tests.factories import (
    LabResultFactory,
    ScannerFactory,
    course_with_a_dose_due,
    results_in_range,
)
from tests.monitoring.imports.helpers import vignette

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
YESTERDAY = TODAY - timedelta(days=1)
REASON = "infusion given yesterday before the result; physician told"


def _egfr(patient: Patient, day: date, value: int) -> None:
    LabResultFactory(
        patient=patient,
        sample_date=day,
        analyte="egfr",
        value=Decimal(value),
        entered_value=Decimal(value),
        entered_unit="mL/min/1.73m2",
    )


@pytest.fixture
def course(patient: Patient) -> BoneTherapyCourse:
    """Zoledronic acid running, its last infusion 200 days ago (the next is due), every check of
    yesterday and today passing but for the kidney function each test records."""
    return course_with_a_dose_due(patient, "zoledronic_acid", days=200, since=400)


def _url(course: BoneTherapyCourse) -> str:
    return reverse("monitoring:dose_create", args=[course.patient_id, course.pk])


def _post(day: date, *, override: bool = False) -> dict[str, str]:
    data = {"given_on": day.isoformat()}
    if override:
        data |= {"safety_override": "on", "override_reason": REASON}
    return data


def _doses(course: BoneTherapyCourse) -> tuple[list[date], int]:
    """The course's doses and the dose creations audited: what a refusal leaves alone."""
    doses = list(course.doses.order_by("given_on").values_list("given_on", flat=True))
    created = AuditEvent.objects.filter(
        object_type="monitoring.bonetherapydose", action=AuditAction.CREATE
    ).count()
    return doses, created


def _row(page: str, key: str) -> str:
    found = re.search(rf'<tr data-check="{key}"[^>]*>(.*?)</tr>', page, re.S)
    assert found is not None, key
    return found.group(1)


class TestTheChecklist:
    def test_a_critical_egfr_after_the_dose_date_fails_it_for_a_physician(
        self, patient: Patient, course: BoneTherapyCourse
    ) -> None:
        _egfr(patient, TODAY, 32)
        today = dose_checklist(patient=patient, course=course, given_on=TODAY)
        assert [(c.key, c.physician_override) for c in today.failed] == [("renal", True)]
        yesterday = dose_checklist(patient=patient, course=course, given_on=YESTERDAY)
        assert yesterday.as_of == YESTERDAY  # the checks of its own day stay
        (later,) = yesterday.failed
        assert (later.key, later.label, later.date) == (
            "renal_after",
            "Kidney function after the dose date",
            TODAY,
        )
        assert later.physician_override
        assert later.after_dose
        assert yesterday.later_results == (later,)
        words = " ".join(later.messages)
        assert "zoledronic acid is contraindicated" in words
        assert f"Dated after this dose ({YESTERDAY.isoformat()}): check the dose date" in words
        assert "a kidney result after an infusion may be its harm" in words
        # The check of the dose's own day, on the results before it, still passes.
        own = {check.key: check.status for check in yesterday.checks if not check.after_dose}
        assert own["renal"] == "passed"

    def test_a_later_result_that_passes_changes_nothing(
        self, patient: Patient, course: BoneTherapyCourse
    ) -> None:
        _egfr(patient, TODAY, 75)
        results_in_range(patient, TODAY - timedelta(days=3), calcium="2.3")
        checklist = dose_checklist(patient=patient, course=course, given_on=YESTERDAY)
        assert checklist.failed == ()
        assert checklist.later_results == ()

    def test_a_result_dated_before_the_dose_is_the_dose_days_own(
        self, patient: Patient, course: BoneTherapyCourse
    ) -> None:
        _egfr(patient, YESTERDAY, 32)
        checklist = dose_checklist(patient=patient, course=course, given_on=YESTERDAY)
        assert [check.key for check in checklist.failed] == ["renal"]

    def test_the_worst_later_result_is_shown(
        self, patient: Patient, course: BoneTherapyCourse
    ) -> None:
        _egfr(patient, TODAY - timedelta(days=5), 45)  # a warning: check the dose
        _egfr(patient, TODAY - timedelta(days=2), 30)  # critical
        _egfr(patient, TODAY, 50)
        checklist = dose_checklist(
            patient=patient, course=course, given_on=TODAY - timedelta(days=10)
        )
        (later,) = checklist.failed
        assert (later.key, later.date, later.physician_override) == (
            "renal_after",
            TODAY - timedelta(days=2),
            True,
        )


class TestTheDoseForm:
    def test_a_nurse_is_refused_a_backdated_dose_and_told_why(
        self, nurse_client: Client, patient: Patient, course: BoneTherapyCourse
    ) -> None:
        _egfr(patient, TODAY, 32)
        before = _doses(course)
        page = nurse_client.get(_url(course)).text
        assert "Override: a physician only." in _row(page, "renal")
        refused = nurse_client.post(_url(course), _post(YESTERDAY))
        assert refused.status_code == 200
        assert _doses(course) == before
        page = refused.text
        row = _row(page, "renal_after")
        assert 'data-status="failed"' in page.split('data-check="renal_after"')[1][:40]
        assert "Kidney function after the dose date" in row
        assert "may be its harm" in row
        assert "Override: a physician only." in row
        assert 'data-testid="later-results"' in page
        assert "Only a physician may override Kidney function after the dose date" in page
        assert 'name="safety_override" disabled' in page

    def test_a_nurses_forged_override_is_refused(
        self, nurse_client: Client, patient: Patient, course: BoneTherapyCourse
    ) -> None:
        _egfr(patient, TODAY, 32)
        before = _doses(course)
        refused = nurse_client.post(_url(course), _post(YESTERDAY, override=True))
        assert refused.status_code == 200
        (error,) = refused.context["form"].errors["safety_override"]
        assert "Only a physician may override Kidney function after the dose date" in error
        assert _doses(course) == before

    def test_a_physician_needs_the_override_and_may_give_it(
        self,
        physician: User,
        physician_client: Client,
        patient: Patient,
        course: BoneTherapyCourse,
    ) -> None:
        _egfr(patient, TODAY, 32)
        before = _doses(course)
        refused = physician_client.post(_url(course), _post(YESTERDAY))
        assert refused.status_code == 200
        assert "safety_override" in refused.context["form"].errors
        assert _doses(course) == before
        saved = physician_client.post(_url(course), _post(YESTERDAY, override=True))
        assert saved.status_code == 302
        dose = course.doses.get(given_on=YESTERDAY)
        assert dose.safety_checks_failed == ["renal_after"]
        assert (dose.safety_override_reason, dose.safety_override_by) == (REASON, physician)
        event = AuditEvent.objects.get(
            object_type="monitoring.bonetherapydose", object_id=str(dose.pk)
        )
        (failed,) = event.changes["safety_override"]["failed_checks"]
        assert (failed["check"], failed["date"]) == ("renal_after", TODAY.isoformat())
        page = physician_client.get(reverse("monitoring:patient", args=[patient.pk])).text
        assert "Kidney function after the dose date" in page

    def test_a_warning_after_the_dose_date_is_the_nurses_tick(
        self, nurse: User, nurse_client: Client, patient: Patient, course: BoneTherapyCourse
    ) -> None:
        _egfr(patient, TODAY, 45)  # 35 to 60: check the zoledronic acid dose (a warning)
        before = _doses(course)
        refused = nurse_client.post(_url(course), _post(YESTERDAY))
        assert refused.status_code == 200
        assert "Override: with a reason." in _row(refused.text, "renal_after")
        assert 'name="safety_override" disabled' not in refused.text
        assert _doses(course) == before
        assert nurse_client.post(_url(course), _post(YESTERDAY, override=True)).status_code == 302
        dose = course.doses.get(given_on=YESTERDAY)
        assert (dose.safety_checks_failed, dose.safety_override_by) == (["renal_after"], nurse)

    def test_a_later_result_that_passes_saves_as_before(
        self, nurse_client: Client, patient: Patient, course: BoneTherapyCourse
    ) -> None:
        _egfr(patient, TODAY, 75)
        saved = nurse_client.post(_url(course), _post(YESTERDAY))
        assert saved.status_code == 302
        dose = course.doses.get(given_on=YESTERDAY)
        assert (dose.safety_checks_failed, dose.safety_override_reason) == ([], "")


class TestTheService:
    """The gate itself, called as a form that skipped its checklist would (under the lock)."""

    def test_refused_without_the_override_writing_nothing(
        self, nurse: User, patient: Patient, course: BoneTherapyCourse
    ) -> None:
        _egfr(patient, TODAY, 32)
        before = _doses(course)
        with pytest.raises(OverrideNotPermittedError):
            bone_therapy_dose_record(actor=nurse, course=course, given_on=YESTERDAY)
        with pytest.raises(OverrideNotPermittedError):
            bone_therapy_dose_record(
                actor=nurse, course=course, given_on=YESTERDAY, override_reason=REASON
            )
        assert _doses(course) == before

    def test_a_physician_without_a_reason_is_refused_with_one_saves(
        self, physician: User, patient: Patient, course: BoneTherapyCourse
    ) -> None:
        _egfr(patient, TODAY, 32)
        before = _doses(course)
        with pytest.raises(SafetyCheckError) as refused:
            bone_therapy_dose_record(actor=physician, course=course, given_on=YESTERDAY)
        assert [check.key for check in refused.value.checklist.failed] == ["renal_after"]
        assert _doses(course) == before
        dose = bone_therapy_dose_record(
            actor=physician, course=course, given_on=YESTERDAY, override_reason=REASON
        )
        dose.refresh_from_db()
        assert dose.safety_checks_failed == ["renal_after"]


class TestTheHistoryImport:
    """A file is another way to date a dose back: its line names the later result."""

    def _file(self) -> dict[str, object]:
        history = vignette("27-btm-adequate")
        start = TODAY - timedelta(days=40)
        history["as_of"] = TODAY.isoformat()
        history["labs"] = [
            {"date": (start - timedelta(days=5)).isoformat(), **lab}
            for lab in (
                {"analyte": "vitamin_d_25oh", "value": 35, "unit": "ng/mL"},
                {"analyte": "calcium", "value": 2.4, "unit": "mmol/L"},
                {"analyte": "egfr", "value": 80, "unit": "mL/min/1.73m2"},
            )
        ]
        history["bone_therapy"] = [
            {
                "drug": "zoledronic_acid",
                "start_date": start.isoformat(),
                "stop_date": None,
                "doses": [start.isoformat()],
                "dental_review_date": (start - timedelta(days=10)).isoformat(),
            }
        ]
        return history

    def test_a_later_result_that_passes_changes_nothing(self, site: Site) -> None:
        ScannerFactory(site=site, name="S1")
        history = self._file()
        history["labs"].append(_lab(YESTERDAY, 75))
        report = history_import(data=history, site=site)
        assert report.failed_checks == []
        assert BoneTherapyDose.objects.get().safety_checks_failed == []

    def test_a_dose_before_a_critical_later_result_needs_a_physicians_override(
        self, site: Site, nurse: User, physician: User
    ) -> None:
        ScannerFactory(site=site, name="S1")
        history = self._file()
        history["labs"].append(_lab(YESTERDAY, 32))
        with pytest.raises(SafetyOverrideRequiredError):
            history_import(data=history, site=site)  # no reason
        with pytest.raises(SafetyOverrideRequiredError) as refused:
            history_import(data=history, site=site, actor=nurse, override_reason=REASON)
        (line,) = refused.value.errors
        start = TODAY - timedelta(days=40)
        assert line.startswith(
            f"bone_therapy[0].doses[0]: Zoledronic acid dose given on {start.isoformat()}: failed "
            "pre-treatment checks (Kidney function after the dose date); eGFR 32"
        )
        assert "a kidney result after an infusion may be its harm" in line
        assert "only a physician may override Kidney function after the dose date" in line
        assert not BoneTherapyDose.objects.exists()
        assert not Patient.objects.exists()
        report = history_import(data=history, site=site, actor=physician, override_reason=REASON)
        assert len(report.failed_checks) == 1
        assert BoneTherapyDose.objects.get().safety_checks_failed == ["renal_after"]


def _lab(day: date, egfr: int) -> dict[str, object]:
    return {"date": day.isoformat(), "analyte": "egfr", "value": egfr, "unit": "mL/min/1.73m2"}
