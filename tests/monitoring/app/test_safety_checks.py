"""Safety checks before a drug is given (issue 17, item 1): the pre-treatment checklist (a what-if
assessment by the rules), its audited override, and no second concurrent antiresorptive."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import User
from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring import domain
from monitoring.models import BoneTherapyCourse, BoneTherapyDose
from monitoring.records.safety import CheckStatus, checklist, course_checklist
from monitoring.records.services.guards import EntryConflictError
from monitoring.records.services.therapy import bone_therapy_start
from patients.models import Patient
from patients.switching import CourseSwitch
from tests.factories import LabResultFactory
from tests.html_forms import posted_data

TODAY = timezone.localdate()
REASON = "vitamin D loading dose given today; MDT agreed"


# --- The checklist, a what-if of the rules -------------------------------------------------------


def _history(*labs: tuple[domain.Analyte, str, int]) -> domain.History:
    """A history with labs given as (analyte, value, days ago)."""
    return domain.History(
        patient=domain.Patient(
            mrn="W1",
            sex=domain.Sex.F,
            birth_date=date(1958, 4, 12),
            menopausal_status=domain.MenopausalStatus.POSTMENOPAUSAL,
        ),
        labs=tuple(
            domain.LabResult(analyte=a, value=Decimal(v), date=TODAY - timedelta(days=ago))
            for a, v, ago in labs
        ),
    )


def _statuses(result: object) -> dict[str, CheckStatus]:
    return {check.key: check.status for check in result.checks}  # type: ignore[attr-defined]


DENOSUMAB = domain.BoneTherapyCourse(drug=domain.BoneTherapyDrug.DENOSUMAB, start_date=TODAY)


def test_denosumab_with_vitamin_d_18_and_nothing_else_fails_as_if_started() -> None:
    history = _history((domain.Analyte.VITAMIN_D_25OH, "18", 10))
    result = checklist(history, course=DENOSUMAB, as_of=TODAY)
    assert _statuses(result) == {
        "vitamin_d": CheckStatus.FAILED,
        "calcium": CheckStatus.FAILED,
        # None on file fails before denosumab too: its hypocalcaemia risk below 30 mL/min
        # cannot be judged against an unknown value (physician10 F4).
        "renal": CheckStatus.FAILED,
        "dental": CheckStatus.FAILED,
    }
    vitamin_d = result.checks[0]
    assert (vitamin_d.value, vitamin_d.date, vitamin_d.rule) == (
        "18 ng/mL",
        TODAY - timedelta(days=10),
        domain.RuleId.VITD,
    )
    # A start on the day judged: the same words before the save and after it (phys13 #8).
    assert (
        f"replete now and check the calcium: denosumab starts on {TODAY}" in (vitamin_d.messages[0])
    )
    assert [c.rule for c in result.failed] == [
        domain.RuleId.VITD,
        domain.RuleId.CA_LOW,
        domain.RuleId.RENAL,
        domain.RuleId.DENTAL,
    ]


def test_the_same_history_without_the_planned_course_raises_no_drug_gate() -> None:
    """What-if, not what-is: the gates fire because of the planned course alone."""
    history = _history((domain.Analyte.VITAMIN_D_25OH, "18", 10))
    codes = {alert.code for alert in domain.assess(history, as_of=TODAY).alerts}
    assert not codes & {
        domain.AlertCode.CALCIUM_NOT_MEASURED,
        domain.AlertCode.DENTAL_REVIEW_MISSING,
    }


def test_zoledronic_acid_with_good_labs_and_a_dental_review_passes() -> None:
    history = _history(
        (domain.Analyte.VITAMIN_D_25OH, "42", 20),
        (domain.Analyte.CALCIUM, "2.35", 20),
        (domain.Analyte.EGFR, "80", 20),
    )
    course = domain.BoneTherapyCourse(
        drug=domain.BoneTherapyDrug.ZOLEDRONIC_ACID,
        start_date=TODAY,
        dental_review_date=TODAY - timedelta(days=5),
    )
    result = checklist(history, course=course, as_of=TODAY)
    assert set(_statuses(result).values()) == {CheckStatus.PASSED}
    assert not result.failed
    renal = result.checks[2]
    assert (renal.value, renal.rule) == ("80 mL/min/1.73m2", domain.RuleId.RENAL)


@pytest.mark.parametrize(
    ("labs", "key", "status"),
    [
        ([(domain.Analyte.CALCIUM, "2.00", 3)], "calcium", CheckStatus.FAILED),  # hypocalcaemia
        ([(domain.Analyte.EGFR, "30", 3)], "renal", CheckStatus.FAILED),  # contraindicated
        ([(domain.Analyte.EGFR, "40", 3)], "renal", CheckStatus.FAILED),  # a dose check (warning)
        ([(domain.Analyte.VITAMIN_D_25OH, "25", 3)], "vitamin_d", CheckStatus.CAUTION),
        ([], "vitamin_d", CheckStatus.FAILED),  # never measured, before zoledronic acid
        ([], "renal", CheckStatus.FAILED),  # unknown kidney function
    ],
)
def test_each_gate_of_zoledronic_acid(
    labs: list[tuple[domain.Analyte, str, int]], key: str, status: CheckStatus
) -> None:
    course = domain.BoneTherapyCourse(
        drug=domain.BoneTherapyDrug.ZOLEDRONIC_ACID, start_date=TODAY, dental_review_date=TODAY
    )
    result = checklist(_history(*labs), course=course, as_of=TODAY)
    assert _statuses(result)[key] is status


def test_an_oral_bisphosphonate_needs_no_dental_review_and_asks_for_calcium_as_a_caution() -> None:
    course = domain.BoneTherapyCourse(drug=domain.BoneTherapyDrug.ALENDRONATE, start_date=TODAY)
    result = checklist(_history(), course=course, as_of=TODAY)
    # Vitamin D never measured is the rules' information: a caution before an oral drug. So is
    # calcium (phys13 F9: hypocalcaemia contraindicates it; no alert of the rules asks for one).
    assert _statuses(result) == {
        "vitamin_d": CheckStatus.CAUTION,
        "calcium": CheckStatus.CAUTION,
        "renal": CheckStatus.FAILED,  # none on file: its limit cannot be judged (physician10 F4)
        "dental": CheckStatus.NOT_CHECKED,
    }
    assert [check.key for check in result.failed] == ["renal"]


@pytest.mark.django_db
def test_the_checklist_of_a_form_reads_the_patients_records(patient: Patient) -> None:
    LabResultFactory(
        patient=patient,
        sample_date=TODAY - timedelta(days=7),
        value=18,
        entered_value=18,
    )
    result = course_checklist(
        patient=patient, values={"drug": "denosumab", "start_date": TODAY, "dose": "60 mg"}
    )
    assert result.checks[0].value == "18 ng/mL"
    assert {check.key for check in result.failed} == {"vitamin_d", "calcium", "renal", "dental"}


# --- The forms: refused without an override, saved and audited with one -------------------------


def _start(client: Client, patient: Patient, **more: str):  # type: ignore[no-untyped-def]
    data = {"drug": "denosumab", "dose": "60 mg", "start_date": TODAY.isoformat(), **more}
    return client.post(reverse("monitoring:therapy_create", args=[patient.pk]), data)


@pytest.fixture
def vitamin_d_18(patient: Patient) -> None:
    LabResultFactory(
        patient=patient, sample_date=TODAY - timedelta(days=7), value=18, entered_value=18
    )


def _audit(model: type) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(object_type=model._meta.label_lower, action=AuditAction.CREATE)
    )


@pytest.mark.usefixtures("vitamin_d_18")
class TestTherapyForm:
    def test_a_failed_check_without_override_saves_nothing(
        self, physician_client: Client, patient: Patient
    ) -> None:
        response = _start(physician_client, patient)
        assert response.status_code == 200
        form = response.context["form"]
        assert "Failed pre-treatment checks" in form.errors["safety_override"][0]
        assert 'data-check="vitamin_d" data-status="failed"' in response.text
        assert "45 nmol/L" in response.text  # 18 ng/mL (44.93), at an SI site, in whole nmol/L
        assert "override_reason" in response.text  # shown now that a check fails
        assert form["dose"].value() == "60 mg"  # what was typed is kept
        assert not BoneTherapyCourse.objects.exists()
        assert _audit(BoneTherapyCourse) == []

    def test_an_override_without_a_reason_saves_nothing(
        self, physician_client: Client, patient: Patient
    ) -> None:
        response = _start(physician_client, patient, safety_override="on", override_reason=" ")
        assert "Give the reason" in response.context["form"].errors["override_reason"][0]
        assert not BoneTherapyCourse.objects.exists()

    def test_an_override_with_a_reason_saves_and_is_audited(
        self, physician_client: Client, patient: Patient
    ) -> None:
        response = _start(physician_client, patient, safety_override="on", override_reason=REASON)
        assert response.status_code == 302
        course = BoneTherapyCourse.objects.get()
        (event,) = _audit(BoneTherapyCourse)
        override = event.changes["safety_override"]
        assert override["reason"] == REASON
        assert [c["check"] for c in override["failed_checks"]] == [
            "vitamin_d",
            "calcium",
            "renal",
            "dental",
        ]
        assert override["failed_checks"][0]["value"] == "18 ng/mL"
        assert override["failed_checks"][0]["rule"] == "VITD"
        assert event.object_id == str(course.pk)

    def test_starting_a_planned_course_is_checked_too(
        self, physician_client: Client, patient: Patient, physician: User
    ) -> None:
        planned = BoneTherapyCourse.objects.create(
            patient=patient, drug="denosumab", entered_by=physician
        )
        url = reverse("monitoring:therapy_update", args=[patient.pk, planned.pk])
        data = posted_data(physician_client.get(url).text, having="version")
        started = data | {"start_date": TODAY.isoformat()}
        refused = physician_client.post(url, started)
        assert "safety_override" in refused.context["form"].errors
        planned.refresh_from_db()
        assert (planned.start_date, planned.version) == (None, 1)
        saved = physician_client.post(
            url, started | {"safety_override": "on", "override_reason": REASON}
        )
        assert saved.status_code == 302
        planned.refresh_from_db()
        assert planned.start_date == TODAY
        event = AuditEvent.objects.get(action=AuditAction.CHANGE, object_id=str(planned.pk))
        assert event.changes["safety_override"]["reason"] == REASON

    def test_no_override_is_asked_nor_audited_when_every_check_passes(
        self, physician_client: Client, patient: Patient
    ) -> None:
        for analyte, value, unit in (("calcium", "2.4", "mmol/L"), ("egfr", "75", "mL/min/1.73m2")):
            LabResultFactory(
                patient=patient,
                sample_date=TODAY - timedelta(days=7),
                analyte=analyte,
                value=Decimal(value),
                entered_value=Decimal(value),
                entered_unit=unit,
            )
        LabResultFactory(
            patient=patient, sample_date=TODAY - timedelta(days=1), value=35, entered_value=35
        )
        response = _start(physician_client, patient, dental_review_date=TODAY.isoformat())
        assert response.status_code == 302
        (event,) = _audit(BoneTherapyCourse)
        assert "safety_override" not in event.changes


@pytest.mark.usefixtures("vitamin_d_18")
class TestDoseForm:
    @pytest.fixture
    def course(self, patient: Patient, physician: User) -> BoneTherapyCourse:
        return BoneTherapyCourse.objects.create(
            patient=patient,
            drug="zoledronic_acid",
            start_date=TODAY - timedelta(days=30),
            entered_by=physician,
        )

    def test_the_checklist_shows_before_the_dose(
        self, nurse_client: Client, patient: Patient, course: BoneTherapyCourse
    ) -> None:
        page = nurse_client.get(reverse("monitoring:dose_create", args=[patient.pk, course.pk]))
        assert 'data-check="renal" data-status="failed"' in page.text
        assert "RENAL" in page.text
        assert "override_reason" in page.text

    def test_refused_without_override_then_saved_and_audited_with_one(
        self,
        nurse_client: Client,
        physician_client: Client,
        patient: Patient,
        course: BoneTherapyCourse,
    ) -> None:
        url = reverse("monitoring:dose_create", args=[patient.pk, course.pk])
        given = {"given_on": TODAY.isoformat()}
        refused = nurse_client.post(url, given)
        assert "safety_override" in refused.context["form"].errors
        assert not BoneTherapyDose.objects.exists()
        # A deficient vitamin D within 3 months of the start (high): a physician's override.
        overridden = given | {"safety_override": "on", "override_reason": REASON}
        assert nurse_client.post(url, overridden).status_code == 200
        assert not BoneTherapyDose.objects.exists()
        saved = physician_client.post(url, overridden)
        assert saved.status_code == 302
        dose = BoneTherapyDose.objects.get()
        (event,) = _audit(BoneTherapyDose)
        assert event.object_id == str(dose.pk)
        assert event.changes["safety_override"]["reason"] == REASON
        checks = {c["check"] for c in event.changes["safety_override"]["failed_checks"]}
        assert {"vitamin_d", "calcium", "renal"} <= checks


# --- One antiresorptive at a time ----------------------------------------------------------------


@pytest.fixture
def alendronate(patient: Patient, physician: User) -> BoneTherapyCourse:
    return BoneTherapyCourse.objects.create(
        patient=patient,
        drug="alendronate",
        start_date=TODAY - timedelta(days=400),
        entered_by=physician,
    )


@pytest.mark.django_db
class TestOneAntiresorptiveAtATime:
    values = {"drug": "denosumab", "dose": "60 mg", "start_date": TODAY, "stop_date": None}

    def test_the_service_refuses_a_second_while_one_runs(
        self, physician: User, patient: Patient, alendronate: BoneTherapyCourse
    ) -> None:
        with pytest.raises(EntryConflictError, match="two antiresorptives") as refused:
            bone_therapy_start(actor=physician, patient=patient, values=self.values)
        assert refused.value.field == "drug"
        assert BoneTherapyCourse.objects.count() == 1
        assert _audit(BoneTherapyCourse) == []
        alendronate.refresh_from_db()
        assert alendronate.stop_date is None

    def test_the_service_switches_in_one_step(
        self, physician: User, patient: Patient, alendronate: BoneTherapyCourse
    ) -> None:
        stop = CourseSwitch(
            course_pk=alendronate.pk, stop_date=TODAY, expected_version=alendronate.version
        )
        course = bone_therapy_start(
            actor=physician,
            patient=patient,
            values=self.values,
            stop_current=stop,
            override_reason=REASON,
        )
        alendronate.refresh_from_db()
        assert alendronate.stop_date == TODAY
        assert alendronate.stop_reason == "switched to denosumab"
        assert course.drug == "denosumab"

    def test_an_outdated_switch_is_refused_and_nothing_is_saved(
        self, physician: User, patient: Patient, alendronate: BoneTherapyCourse
    ) -> None:
        stop = CourseSwitch(
            course_pk=alendronate.pk, stop_date=TODAY, expected_version=alendronate.version - 1
        )
        with pytest.raises(EntryConflictError, match="was changed since this form was opened"):
            bone_therapy_start(
                actor=physician, patient=patient, values=self.values, stop_current=stop
            )
        assert BoneTherapyCourse.objects.count() == 1

    def test_a_planned_course_after_a_stop_is_accepted(
        self, physician: User, patient: Patient, alendronate: BoneTherapyCourse
    ) -> None:
        alendronate.stop_date = TODAY - timedelta(days=1)
        alendronate.save()
        bone_therapy_start(
            actor=physician, patient=patient, values=self.values, override_reason=REASON
        )
        assert BoneTherapyCourse.objects.count() == 2

    def test_the_form_refuses_without_the_switch(
        self, physician_client: Client, patient: Patient, alendronate: BoneTherapyCourse
    ) -> None:
        url = reverse("monitoring:therapy_create", args=[patient.pk])
        page = physician_client.get(url)
        assert "Stop Alendronate" in page.text
        response = _start(physician_client, patient, safety_override="on", override_reason=REASON)
        assert "two antiresorptives" in response.context["form"].errors["drug"][0]
        assert BoneTherapyCourse.objects.count() == 1
        alendronate.refresh_from_db()
        assert alendronate.stop_date is None

    def test_the_form_switches(
        self, physician_client: Client, patient: Patient, alendronate: BoneTherapyCourse
    ) -> None:
        response = _start(
            physician_client,
            patient,
            safety_override="on",
            override_reason=REASON,
            stop_current="on",
            stop_current_on=TODAY.isoformat(),
            stop_course=str(alendronate.pk),
            stop_course_version=str(alendronate.version),
        )
        assert response.status_code == 302
        alendronate.refresh_from_db()
        assert alendronate.stop_date == TODAY
        assert BoneTherapyCourse.objects.filter(stop_date=None).get().drug == "denosumab"

    def test_the_switch_cannot_stop_after_the_new_start(
        self, physician_client: Client, patient: Patient, alendronate: BoneTherapyCourse
    ) -> None:
        response = _start(
            physician_client,
            patient,
            start_date=(TODAY - timedelta(days=10)).isoformat(),
            stop_current="on",
            stop_current_on=TODAY.isoformat(),
            stop_course=str(alendronate.pk),
            stop_course_version=str(alendronate.version),
        )
        assert "on or before the new start" in response.context["form"].errors["stop_current_on"][0]
        assert BoneTherapyCourse.objects.count() == 1

    def test_a_change_that_reopens_a_stopped_course_is_refused(
        self, physician: User, patient: Patient, alendronate: BoneTherapyCourse
    ) -> None:
        from monitoring.records.services.therapy import bone_therapy_update

        stopped = BoneTherapyCourse.objects.create(
            patient=patient,
            drug="risedronate",
            start_date=TODAY - timedelta(days=900),
            stop_date=TODAY - timedelta(days=500),
        )
        values = {"stop_date": None, "stop_reason": ""}
        with pytest.raises(EntryConflictError, match="two antiresorptives"):
            bone_therapy_update(
                actor=physician, course=stopped, values=values, expected_version=stopped.version
            )
        stopped.refresh_from_db()
        assert stopped.stop_date == TODAY - timedelta(days=500)


@pytest.mark.django_db
def test_the_form_cannot_reopen_a_course_beside_a_running_one(
    physician_client: Client, patient: Patient, alendronate: BoneTherapyCourse
) -> None:
    stopped = BoneTherapyCourse.objects.create(
        patient=patient,
        drug="risedronate",
        start_date=TODAY - timedelta(days=900),
        stop_date=TODAY - timedelta(days=500),
        stop_reason="completed",
    )
    url = reverse("monitoring:therapy_update", args=[patient.pk, stopped.pk])
    data = posted_data(physician_client.get(url).text, having="version")
    response = physician_client.post(url, data | {"stop_date": "", "stop_reason": ""})
    assert "two antiresorptives" in response.context["form"].errors["drug"][0]
    stopped.refresh_from_db()
    assert (stopped.stop_date, stopped.version) == (TODAY - timedelta(days=500), 1)
