"""A denosumab dose recorded the day after the previous one was saved without a word (testers
posted 2026-11-28, 11-29 and 11-30 after a dose on 11-27). A dose more than 4 weeks before it is
due is now a failed pre-dose check: refused without the override, saved with its reason, which
only a physician gives (nurse11 F3). The doses already on file were entered when they were given:
one entered in the last hours asks whether it is the same injection (test_dose_double_entry)."""

from datetime import date, datetime, time, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import User
from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring.domain.dates import add_months
from monitoring.models import BoneTherapyCourse, BoneTherapyDose
from monitoring.records.dose_safety import dose_checklist
from monitoring.records.services.safety_gate import OverrideNotPermittedError, SafetyCheckError
from monitoring.records.services.therapy import bone_therapy_dose_record
from patients.models import Patient
from tests.factories import results_in_range

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
PREVIOUS = TODAY - timedelta(days=200)
DUE = add_months(PREVIOUS, 6)
REASON = "previous injection recorded on the wrong patient; checked with pharmacy"


@pytest.fixture(autouse=True)
def labs_in_range(patient: Patient) -> None:
    """Every other pre-dose check passes, so only the interval can fail: the results come before
    every dose judged (each is judged on its own day) and within 12 months of the last."""
    results_in_range(patient, PREVIOUS - timedelta(days=7))


def _course(patient: Patient, physician: User, drug: str, *doses: date) -> BoneTherapyCourse:
    course = BoneTherapyCourse.objects.create(
        patient=patient,
        drug=drug,
        start_date=TODAY - timedelta(days=400),
        dental_review_date=TODAY - timedelta(days=420),
        entered_by=physician,
    )
    for day in doses:
        dose = BoneTherapyDose.objects.create(course=course, given_on=day, entered_by=physician)
        # Entered on the day it was given, not in the last hours (`auto_now_add` stamps now).
        entered = timezone.make_aware(datetime.combine(day, time(12)))
        BoneTherapyDose.objects.filter(pk=dose.pk).update(entered_at=entered)
    return course


@pytest.fixture
def denosumab(patient: Patient, physician: User) -> BoneTherapyCourse:
    return _course(patient, physician, "denosumab", PREVIOUS)


def _doses(course: BoneTherapyCourse) -> list[date]:
    return list(course.doses.order_by("given_on").values_list("given_on", flat=True))


class TestService:
    @pytest.mark.parametrize("days_after", [1, 2, 3])
    def test_a_dose_days_after_the_previous_is_refused_without_an_override(
        self, nurse: User, denosumab: BoneTherapyCourse, days_after: int
    ) -> None:
        given_on = PREVIOUS + timedelta(days=days_after)
        with pytest.raises(SafetyCheckError, match="Failed pre-treatment checks") as refused:
            bone_therapy_dose_record(actor=nurse, course=denosumab, given_on=given_on)
        (failed,) = refused.value.checklist.failed
        assert failed.key == "dose_interval"
        (message,) = failed.messages
        assert f"previous denosumab dose was given on {PREVIOUS:%Y-%m-%d}" in message
        assert f"the next is due on {DUE:%Y-%m-%d}" in message
        assert _doses(denosumab) == [PREVIOUS]
        assert not AuditEvent.objects.filter(
            object_type="monitoring.bonetherapydose", action=AuditAction.CREATE
        ).exists()

    def test_a_physicians_override_with_a_reason_saves_it_on_the_dose_and_its_audit(
        self, nurse: User, physician: User, denosumab: BoneTherapyCourse
    ) -> None:
        given_on = PREVIOUS + timedelta(days=1)
        with pytest.raises(OverrideNotPermittedError) as nurses:
            bone_therapy_dose_record(
                actor=nurse, course=denosumab, given_on=given_on, override_reason=REASON
            )
        assert nurses.value.field == "safety_override"
        assert "Only a physician may override Time since the previous dose" in str(nurses.value)
        assert _doses(denosumab) == [PREVIOUS]
        with pytest.raises(SafetyCheckError) as blank:
            bone_therapy_dose_record(
                actor=physician, course=denosumab, given_on=given_on, override_reason=" "
            )
        assert blank.value.field == "override_reason"
        dose = bone_therapy_dose_record(
            actor=physician, course=denosumab, given_on=given_on, override_reason=REASON
        )
        dose.refresh_from_db()
        assert (dose.safety_override_reason, dose.safety_checks_failed) == (
            REASON,
            ["dose_interval"],
        )
        assert dose.safety_override_by == physician
        assert dose.safety_checks_failed_labels == ["Time since the previous dose"]
        event = AuditEvent.objects.get(object_id=str(dose.pk), action=AuditAction.CREATE)
        assert event.changes["safety_override"]["reason"] == REASON
        assert _doses(denosumab) == [PREVIOUS, given_on]

    @pytest.mark.parametrize(("before_due", "passes"), [(27, True), (28, True), (29, False)])
    def test_four_weeks_before_due_is_the_earliest_without_an_override(
        self, nurse: User, denosumab: BoneTherapyCourse, before_due: int, passes: bool
    ) -> None:
        given_on = DUE - timedelta(days=before_due)
        if passes:
            dose = bone_therapy_dose_record(actor=nurse, course=denosumab, given_on=given_on)
            assert dose.safety_checks_failed == []
        else:
            with pytest.raises(SafetyCheckError):
                bone_therapy_dose_record(actor=nurse, course=denosumab, given_on=given_on)
        assert (given_on in _doses(denosumab)) is passes

    def test_a_dose_entered_late_between_two_others_is_checked_against_both(
        self, nurse: User, patient: Patient, physician: User
    ) -> None:
        first = add_months(PREVIOUS, -6)
        course = _course(patient, physician, "zoledronic_acid", first, PREVIOUS)
        between = first + timedelta(days=90)
        with pytest.raises(SafetyCheckError) as refused:
            bone_therapy_dose_record(actor=nurse, course=course, given_on=between)
        # Judged on its own day, before the results of the fixture: those checks fail too.
        failed = next(c for c in refused.value.checklist.failed if c.key == "dose_interval")
        assert len(failed.messages) == 2
        assert f"given on {first:%Y-%m-%d}" in failed.messages[0]
        later = f"later zoledronic acid dose is recorded on {PREVIOUS:%Y-%m-%d}"
        assert later in failed.messages[1]
        assert _doses(course) == [first, PREVIOUS]

    def test_a_dose_marked_in_error_is_not_a_previous_dose(
        self, nurse: User, patient: Patient, physician: User
    ) -> None:
        course = _course(patient, physician, "denosumab", PREVIOUS, TODAY - timedelta(days=2))
        course.doses.filter(given_on=TODAY - timedelta(days=2)).update(entered_in_error=True)
        checks = dose_checklist(patient=patient, course=course, given_on=DUE - timedelta(days=10))
        assert not checks.failed

    def test_oral_intakes_are_not_spaced(
        self, nurse: User, patient: Patient, physician: User
    ) -> None:
        course = _course(patient, physician, "alendronate", TODAY - timedelta(days=2))
        checks = dose_checklist(patient=patient, course=course, given_on=TODAY - timedelta(days=1))
        assert "dose_interval" not in {check.key for check in checks.checks}
        dose = bone_therapy_dose_record(
            actor=nurse, course=course, given_on=TODAY - timedelta(days=1)
        )
        assert dose.safety_checks_failed == []


class TestDoseForm:
    def _url(self, patient: Patient, course: BoneTherapyCourse) -> str:
        return reverse("monitoring:dose_create", args=[patient.pk, course.pk])

    def test_refused_next_to_the_override_with_the_reason_and_nothing_saved(
        self, nurse_client: Client, patient: Patient, denosumab: BoneTherapyCourse
    ) -> None:
        given_on = PREVIOUS + timedelta(days=1)
        response = nurse_client.post(
            self._url(patient, denosumab), {"given_on": given_on.isoformat()}
        )
        assert response.status_code == 200
        form = response.context["form"]
        assert "Time since the previous dose" in form.errors["safety_override"][0]
        # Only a physician overrides it: said, and the box cannot be ticked (the gate refuses).
        assert "Only a physician may override Time since the previous dose" in response.text
        assert "Override: a physician only." in response.text
        assert f"the next is due on {DUE:%Y-%m-%d}" in response.text
        assert f'value="{given_on:%Y-%m-%d}"' in response.text  # what was typed is kept
        assert 'data-check="dose_interval" data-status="failed"' in response.text
        assert _doses(denosumab) == [PREVIOUS]

    def test_saved_with_a_physicians_override_and_its_reason(
        self, physician_client: Client, patient: Patient, denosumab: BoneTherapyCourse
    ) -> None:
        given_on = PREVIOUS + timedelta(days=1)
        data = {
            "given_on": given_on.isoformat(),
            "safety_override": "on",
            "override_reason": REASON,
        }
        response = physician_client.post(self._url(patient, denosumab), data)
        assert response.status_code == 302
        dose = denosumab.doses.get(given_on=given_on)
        assert (dose.safety_override_reason, dose.safety_checks_failed) == (
            REASON,
            ["dose_interval"],
        )

    def test_a_dose_due_in_27_days_is_saved_without_an_override(
        self, nurse_client: Client, patient: Patient, denosumab: BoneTherapyCourse
    ) -> None:
        given_on = DUE - timedelta(days=27)
        response = nurse_client.post(
            self._url(patient, denosumab), {"given_on": given_on.isoformat()}
        )
        assert response.status_code == 302
        assert _doses(denosumab) == [PREVIOUS, given_on]
        assert denosumab.doses.get(given_on=given_on).safety_override_reason == ""


class TestAcrossCourses:
    """physician8 D12: a switch to a biosimilar (or a restart) opens a new course; the dose on it
    11 days after the last one on the previous course passed as "no earlier dose"."""

    SWITCH = PREVIOUS + timedelta(days=11)

    def _switch(self, patient: Patient, physician: User, drug: str) -> BoneTherapyCourse:
        old = _course(patient, physician, drug, PREVIOUS)
        old.stop_date, old.stop_reason = self.SWITCH, "switched to a biosimilar"
        old.save()
        return BoneTherapyCourse.objects.create(
            patient=patient,
            drug=drug,
            start_date=self.SWITCH,
            dental_review_date=TODAY - timedelta(days=420),
            entered_by=physician,
        )

    @pytest.mark.parametrize("drug", ["denosumab", "zoledronic_acid"])
    def test_a_dose_on_a_new_course_11_days_after_the_last_needs_an_override(
        self, nurse: User, patient: Patient, physician: User, drug: str
    ) -> None:
        new = self._switch(patient, physician, drug)
        with pytest.raises(SafetyCheckError) as refused:
            bone_therapy_dose_record(actor=nurse, course=new, given_on=self.SWITCH)
        (failed,) = refused.value.checklist.failed
        assert failed.key == "dose_interval"
        assert failed.date == PREVIOUS
        course_words = (
            f"{drug.replace('_', ' ')} course from {TODAY - timedelta(days=400):%Y-%m-%d}"
        )
        assert (
            failed.value == f"previous dose, on the {course_words}, stopped {self.SWITCH:%Y-%m-%d}"
        )
        (message,) = failed.messages
        assert f"dose was given on {PREVIOUS:%Y-%m-%d} (the {course_words}" in message
        assert f"is {(DUE - self.SWITCH).days} days early" in message
        assert not new.doses.exists()
        dose = bone_therapy_dose_record(
            actor=physician, course=new, given_on=self.SWITCH, override_reason=REASON
        )
        assert dose.safety_checks_failed == ["dose_interval"]

    def test_on_time_after_the_last_dose_of_the_previous_course_passes(
        self, nurse: User, patient: Patient, physician: User
    ) -> None:
        new = self._switch(patient, physician, "denosumab")
        dose = bone_therapy_dose_record(actor=nurse, course=new, given_on=DUE - timedelta(days=7))
        assert dose.safety_checks_failed == []

    def test_a_course_or_dose_entered_in_error_is_not_a_previous_dose(
        self, patient: Patient, physician: User
    ) -> None:
        new = self._switch(patient, physician, "denosumab")
        old = BoneTherapyCourse.objects.exclude(pk=new.pk).get()
        old.doses.update(entered_in_error=True)
        checks = dose_checklist(patient=patient, course=new, given_on=self.SWITCH)
        assert not checks.failed
        old.doses.update(entered_in_error=False)
        BoneTherapyCourse.objects.filter(pk=old.pk).update(entered_in_error=True)
        checks = dose_checklist(patient=patient, course=new, given_on=self.SWITCH)
        assert not checks.failed

    def test_another_drug_is_not_a_previous_dose(self, patient: Patient, physician: User) -> None:
        _course(patient, physician, "zoledronic_acid", PREVIOUS)
        new = BoneTherapyCourse.objects.create(
            patient=patient,
            drug="denosumab",
            start_date=self.SWITCH,
            dental_review_date=TODAY - timedelta(days=420),
            entered_by=physician,
        )
        checks = dose_checklist(patient=patient, course=new, given_on=self.SWITCH)
        assert not checks.failed
