"""The pre-treatment gate is the services' (issue 17): whoever calls them, a failed check without an
override reason writes nothing, and a reason is audited with the record in the same transaction."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from bonehealth.accounts.models import User
from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring.models import BoneTherapyCourse, BoneTherapyDose, MonitoringPlan
from monitoring.records.services.guards import EntryConflictError
from monitoring.records.services.plan import monitoring_plan_set
from monitoring.records.services.safety_gate import OverrideNotPermittedError, SafetyCheckError
from monitoring.records.services.therapy import (
    bone_therapy_dose_record,
    bone_therapy_start,
    bone_therapy_update,
)
from patients.models import Patient
from patients.switching import CourseSwitch
from tests.factories import LabResultFactory, results_in_range

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
REASON = "loading dose of vitamin D given; MDT agreed"
DENOSUMAB = {"drug": "denosumab", "dose": "60 mg", "start_date": TODAY, "stop_date": None}


@pytest.fixture(autouse=True)
def vitamin_d_18(patient: Patient) -> None:
    LabResultFactory(
        patient=patient, sample_date=TODAY - timedelta(days=7), value=18, entered_value=18
    )


def _created(model: type) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(object_type=model._meta.label_lower, action=AuditAction.CREATE)
    )


@pytest.fixture
def zoledronic(patient: Patient, physician: User) -> BoneTherapyCourse:
    return BoneTherapyCourse.objects.create(
        patient=patient,
        drug="zoledronic_acid",
        start_date=TODAY - timedelta(days=30),
        entered_by=physician,
    )


class TestStart:
    def test_a_failed_check_without_a_reason_writes_nothing(
        self, physician: User, patient: Patient
    ) -> None:
        with pytest.raises(SafetyCheckError, match="Failed pre-treatment checks") as refused:
            bone_therapy_start(actor=physician, patient=patient, values=DENOSUMAB)
        assert refused.value.field == "safety_override"
        assert {check.key for check in refused.value.checklist.failed} == {
            "vitamin_d",
            "calcium",
            "renal",
            "dental",
        }
        assert not BoneTherapyCourse.objects.exists()
        assert _created(BoneTherapyCourse) == []

    @pytest.mark.parametrize("reason", ["  ", "x", " ok ", "  labs   "])
    def test_a_blank_or_token_reason_is_refused_on_the_reason(
        self, physician: User, patient: Patient, reason: str
    ) -> None:
        with pytest.raises(SafetyCheckError) as refused:
            bone_therapy_start(
                actor=physician, patient=patient, values=DENOSUMAB, override_reason=reason
            )
        assert refused.value.field == "override_reason"
        assert "at least 8 characters" in str(refused.value)
        assert not BoneTherapyCourse.objects.exists()

    def test_a_reason_saves_and_is_audited_with_the_failed_checks(
        self, physician: User, patient: Patient
    ) -> None:
        course = bone_therapy_start(
            actor=physician, patient=patient, values=DENOSUMAB, override_reason=f" {REASON} "
        )
        (event,) = _created(BoneTherapyCourse)
        assert event.object_id == str(course.pk)
        override = event.changes["safety_override"]
        assert override["reason"] == REASON
        assert override["as_of"] == TODAY.isoformat()
        assert [c["check"] for c in override["failed_checks"]] == [
            "vitamin_d",
            "calcium",
            "renal",
            "dental",
        ]

    def test_passing_checks_need_no_reason_and_audit_no_override(
        self, physician: User, patient: Patient
    ) -> None:
        for analyte, value, unit in (
            ("calcium", "2.4", "mmol/L"),
            ("vitamin_d_25oh", "35", "ng/mL"),
            ("egfr", "70", "mL/min/1.73m2"),
        ):
            LabResultFactory(
                patient=patient,
                sample_date=TODAY - timedelta(days=1),
                analyte=analyte,
                value=Decimal(value),
                entered_value=Decimal(value),
                entered_unit=unit,
            )
        bone_therapy_start(
            actor=physician,
            patient=patient,
            values=DENOSUMAB | {"dental_review_date": TODAY},
        )
        (event,) = _created(BoneTherapyCourse)
        assert "safety_override" not in event.changes

    def test_a_stopped_course_recorded_after_the_fact_is_not_gated(
        self, physician: User, patient: Patient
    ) -> None:
        past = {
            "drug": "alendronate",
            "start_date": TODAY - timedelta(days=900),
            "stop_date": TODAY - timedelta(days=100),
        }
        bone_therapy_start(actor=physician, patient=patient, values=past)
        assert BoneTherapyCourse.objects.count() == 1

    def test_a_refused_switch_keeps_the_other_course_running(
        self, physician: User, patient: Patient
    ) -> None:
        alendronate = BoneTherapyCourse.objects.create(
            patient=patient, drug="alendronate", start_date=TODAY - timedelta(days=400)
        )
        stop = CourseSwitch(
            course_pk=alendronate.pk, stop_date=TODAY, expected_version=alendronate.version
        )
        with pytest.raises(SafetyCheckError):
            bone_therapy_start(
                actor=physician, patient=patient, values=DENOSUMAB, stop_current=stop
            )
        alendronate.refresh_from_db()
        assert (alendronate.stop_date, alendronate.version) == (None, 1)
        assert BoneTherapyCourse.objects.count() == 1
        assert not AuditEvent.objects.filter(action=AuditAction.CHANGE).exists()

    def test_a_switch_with_a_reason_stops_one_and_starts_the_other(
        self, physician: User, patient: Patient
    ) -> None:
        alendronate = BoneTherapyCourse.objects.create(
            patient=patient, drug="alendronate", start_date=TODAY - timedelta(days=400)
        )
        stop = CourseSwitch(
            course_pk=alendronate.pk, stop_date=TODAY, expected_version=alendronate.version
        )
        bone_therapy_start(
            actor=physician,
            patient=patient,
            values=DENOSUMAB,
            stop_current=stop,
            override_reason=REASON,
        )
        alendronate.refresh_from_db()
        assert alendronate.stop_date == TODAY
        assert BoneTherapyCourse.objects.filter(stop_date=None).get().drug == "denosumab"


class TestUpdate:
    def test_starting_a_planned_course_is_gated(self, physician: User, patient: Patient) -> None:
        planned = BoneTherapyCourse.objects.create(
            patient=patient, drug="denosumab", entered_by=physician
        )
        with pytest.raises(SafetyCheckError):
            bone_therapy_update(
                actor=physician,
                course=planned,
                values={"start_date": TODAY},
                expected_version=planned.version,
            )
        planned.refresh_from_db()
        assert (planned.start_date, planned.version) == (None, 1)
        bone_therapy_update(
            actor=physician,
            course=planned,
            values={"start_date": TODAY},
            expected_version=planned.version,
            override_reason=REASON,
        )
        event = AuditEvent.objects.get(action=AuditAction.CHANGE, object_id=str(planned.pk))
        assert event.changes["safety_override"]["reason"] == REASON

    def test_a_model_form_s_values_already_on_the_instance_do_not_skip_the_gate(
        self, physician: User, patient: Patient
    ) -> None:
        planned = BoneTherapyCourse.objects.create(
            patient=patient, drug="denosumab", entered_by=physician
        )
        planned.start_date = TODAY  # as a ModelForm's is_valid leaves it
        with pytest.raises(SafetyCheckError):
            bone_therapy_update(
                actor=physician,
                course=planned,
                values={"start_date": TODAY},
                expected_version=1,
            )
        assert BoneTherapyCourse.objects.get().start_date is None

    def test_reopening_a_course_beside_another_is_refused_though_the_form_set_its_values(
        self, physician: User, patient: Patient, zoledronic: BoneTherapyCourse
    ) -> None:
        """The overlap refusal compares with the course as saved: comparing with the instance a
        model form had already changed found no new overlap, so the form let it through."""
        stopped = BoneTherapyCourse.objects.create(
            patient=patient,
            drug="risedronate",
            start_date=TODAY - timedelta(days=900),
            stop_date=TODAY - timedelta(days=500),
        )
        stopped.stop_date = None  # as a ModelForm's is_valid leaves it
        with pytest.raises(EntryConflictError, match="two antiresorptives"):
            bone_therapy_update(
                actor=physician,
                course=stopped,
                values={"stop_date": None, "stop_reason": ""},
                expected_version=1,
                override_reason=REASON,
            )
        stopped.refresh_from_db()
        assert stopped.stop_date == TODAY - timedelta(days=500)

    def test_moving_a_start_is_judged_again_and_replaces_the_override(
        self, physician: User, patient: Patient
    ) -> None:
        """A tester moved a start to before any results, unchecked, and an old override note
        stayed on a start whose checks passed once moved."""
        course = bone_therapy_start(
            actor=physician, patient=patient, values=DENOSUMAB, override_reason=REASON
        )
        assert course.safety_override_reason == REASON  # vitamin D 18 a week ago fails
        long_before = TODAY - timedelta(days=400)  # before any result: the checks fail again
        with pytest.raises(SafetyCheckError):
            bone_therapy_update(
                actor=physician,
                course=course,
                values={"start_date": long_before},
                expected_version=course.version,
            )
        course.refresh_from_db()
        assert course.start_date == TODAY
        # Moved to a day with vitamin D and calcium in range: passes, and the note goes.
        results_in_range(patient, TODAY - timedelta(days=60))
        bone_therapy_update(
            actor=physician,
            course=course,
            values={
                "start_date": TODAY - timedelta(days=50),
                "dental_review_date": TODAY - timedelta(days=55),
            },
            expected_version=course.version,
        )
        course.refresh_from_db()
        assert course.start_date == TODAY - timedelta(days=50)
        assert course.safety_override_reason == ""
        assert course.safety_checks_failed == []

    def test_stopping_a_course_is_not_gated(
        self, physician: User, zoledronic: BoneTherapyCourse
    ) -> None:
        bone_therapy_update(
            actor=physician,
            course=zoledronic,
            values={"stop_date": TODAY, "stop_reason": "completed"},
            expected_version=zoledronic.version,
        )
        zoledronic.refresh_from_db()
        assert zoledronic.stop_date == TODAY


class TestDose:
    def test_refused_without_a_reason_then_audited_with_one(
        self, nurse: User, physician: User, zoledronic: BoneTherapyCourse
    ) -> None:
        with pytest.raises(SafetyCheckError) as refused:
            bone_therapy_dose_record(actor=nurse, course=zoledronic, given_on=TODAY)
        assert "renal" in {check.key for check in refused.value.checklist.failed}
        assert not BoneTherapyDose.objects.exists()
        assert _created(BoneTherapyDose) == []
        # A month after the start, counted as the first infusion: too early, a physician's call.
        with pytest.raises(OverrideNotPermittedError):
            bone_therapy_dose_record(
                actor=nurse, course=zoledronic, given_on=TODAY, override_reason=REASON
            )
        assert not BoneTherapyDose.objects.exists()
        assert _created(BoneTherapyDose) == []
        dose = bone_therapy_dose_record(
            actor=physician, course=zoledronic, given_on=TODAY, override_reason=REASON
        )
        (event,) = _created(BoneTherapyDose)
        assert event.object_id == str(dose.pk)
        assert event.changes["safety_override"]["reason"] == REASON


class TestPlanResult:
    def test_the_plan_service_says_whether_it_wrote(
        self, physician: User, patient: Patient
    ) -> None:
        due = TODAY + timedelta(days=90)
        first = monitoring_plan_set(
            actor=physician, patient=patient, next_dexa_due=due, reason="MDT"
        )
        again = monitoring_plan_set(
            actor=physician, patient=patient, next_dexa_due=due, reason="MDT"
        )
        assert first.changed
        assert not again.changed
        assert again.plan == first.plan
        assert MonitoringPlan.objects.count() == 1
        assert not hasattr(again.plan, "unchanged")
