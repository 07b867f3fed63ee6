"""The checklist of a planned course or dose judges the planned drug alone: the patient's other
course (running beside it, or stopped by the same save in a switch) never fails its checks nor
appears in its texts, and the dental review date entered with the planned course counts for it.

The patient is the demo's SHOW-11: zoledronic acid started a month ago without a dental review,
good vitamin D and calcium, eGFR 50 (a zoledronic acid dose check, nothing for denosumab)."""

import itertools
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import User
from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring import domain
from monitoring.models import BoneTherapyCourse
from monitoring.records.safety import CheckStatus, checklist, course_checklist
from monitoring.records.services.therapy import bone_therapy_start
from patients.models import Patient
from patients.switching import CourseSwitch
from tests.factories import LabResultFactory

TODAY = timezone.localdate()
REVIEWED = TODAY - timedelta(days=5)
A = domain.Analyte
Drug = domain.BoneTherapyDrug


def _lab(patient: Patient, analyte: str, value: str, unit: str) -> None:
    LabResultFactory(
        patient=patient,
        sample_date=TODAY - timedelta(days=40),
        analyte=analyte,
        value=Decimal(value),
        entered_value=Decimal(value),
        entered_unit=unit,
    )


@pytest.fixture
def zoledronic_no_dental(patient: Patient, physician: User) -> BoneTherapyCourse:
    _lab(patient, "vitamin_d_25oh", "36", "ng/mL")
    _lab(patient, "calcium", "2.3", "mmol/L")
    _lab(patient, "egfr", "50", "mL/min/1.73m2")
    return BoneTherapyCourse.objects.create(
        patient=patient,
        drug="zoledronic_acid",
        dose="4 mg every 6 months",
        start_date=TODAY - timedelta(days=30),
        entered_by=physician,
    )


def _creations() -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            object_type=BoneTherapyCourse._meta.label_lower, action=AuditAction.CREATE
        )
    )


DENOSUMAB_VALUES = {
    "drug": "denosumab",
    "dose": "60 mg",
    "start_date": TODAY,
    "stop_date": None,
    "dental_review_date": REVIEWED,
}


@pytest.mark.django_db
class TestSwitchFromZoledronicAcid:
    def test_the_service_saves_the_switch_without_an_override(
        self, physician: User, patient: Patient, zoledronic_no_dental: BoneTherapyCourse
    ) -> None:
        stop = CourseSwitch(
            course_pk=zoledronic_no_dental.pk,
            stop_date=TODAY,
            expected_version=zoledronic_no_dental.version,
        )
        course = bone_therapy_start(
            actor=physician, patient=patient, values=DENOSUMAB_VALUES, stop_current=stop
        )
        assert course.dental_review_date == REVIEWED
        zoledronic_no_dental.refresh_from_db()
        assert zoledronic_no_dental.stop_date == TODAY
        [created] = _creations()
        assert "safety_override" not in created.changes

    def test_the_old_drug_cannot_be_given_on_the_day_of_the_switch(
        self, physician: User, patient: Patient, zoledronic_no_dental: BoneTherapyCourse
    ) -> None:
        """A tester recorded zoledronic acid on the day of the switch, beside the denosumab dose:
        refused (nothing written); the new drug's dose that day is not."""
        from monitoring.models import BoneTherapyDose
        from monitoring.records.services.guards import EntryConflictError
        from monitoring.records.services.therapy import bone_therapy_dose_record

        stop = CourseSwitch(
            course_pk=zoledronic_no_dental.pk,
            stop_date=TODAY,
            expected_version=zoledronic_no_dental.version,
        )
        denosumab = bone_therapy_start(
            actor=physician, patient=patient, values=DENOSUMAB_VALUES, stop_current=stop
        )
        with pytest.raises(EntryConflictError, match="never given together"):
            bone_therapy_dose_record(
                actor=physician,
                course=BoneTherapyCourse.objects.get(pk=zoledronic_no_dental.pk),
                given_on=TODAY,
                override_reason="checked by the tester",
            )
        assert not BoneTherapyDose.objects.filter(course=zoledronic_no_dental).exists()
        bone_therapy_dose_record(
            actor=physician, course=denosumab, given_on=TODAY, override_reason="given at the clinic"
        )
        assert BoneTherapyDose.objects.filter(course=denosumab, given_on=TODAY).exists()

    def test_the_form_passes_the_dental_check_and_saves_without_an_override(
        self,
        physician_client: Client,
        patient: Patient,
        zoledronic_no_dental: BoneTherapyCourse,
    ) -> None:
        url = reverse("monitoring:therapy_create", args=[patient.pk])
        data = {
            "drug": "denosumab",
            "dose": "60 mg",
            "start_date": TODAY.isoformat(),
            "dental_review_date": REVIEWED.isoformat(),
            "stop_current": "on",
            "stop_current_on": TODAY.isoformat(),
            "stop_course": str(zoledronic_no_dental.pk),
            "stop_course_version": str(zoledronic_no_dental.version),
        }
        response = physician_client.post(url, data)
        assert response.status_code == 302, response.context["form"].errors
        denosumab = BoneTherapyCourse.objects.get(drug="denosumab")
        assert denosumab.dental_review_date == REVIEWED
        zoledronic_no_dental.refresh_from_db()
        assert zoledronic_no_dental.stop_date == TODAY
        [created] = _creations()
        assert "safety_override" not in created.changes

    def test_the_checklist_shown_passes_every_check(
        self, patient: Patient, zoledronic_no_dental: BoneTherapyCourse
    ) -> None:
        result = course_checklist(patient=patient, values=dict(DENOSUMAB_VALUES))
        assert {check.key: check.status for check in result.checks} == dict.fromkeys(
            ("vitamin_d", "calcium", "renal", "dental"), CheckStatus.PASSED
        )
        dental = next(check for check in result.checks if check.key == "dental")
        assert (dental.value, dental.date, dental.messages) == ("done", REVIEWED, ())


@pytest.mark.django_db
def test_the_form_without_the_switch_names_no_other_drug(
    physician_client: Client, patient: Patient, zoledronic_no_dental: BoneTherapyCourse
) -> None:
    """Refused (two antiresorptives), but its checklist is denosumab's: its vitamin D words name
    denosumab, not zoledronic acid, and there is no "check the zoledronic acid dose"."""
    LabResultFactory(
        patient=patient,
        sample_date=TODAY - timedelta(days=3),
        value=12,
        entered_value=12,
    )
    url = reverse("monitoring:therapy_create", args=[patient.pk])
    data = {"drug": "denosumab", "dose": "60 mg", "start_date": TODAY.isoformat()}
    response = physician_client.post(url, data)
    assert response.status_code == 200
    section = response.text.split('data-testid="safety-checklist"', 1)[1].split("</section>")[0]
    assert "replete now and check the calcium: denosumab starts on" in section
    assert "zoledronic" not in section.lower()
    assert BoneTherapyCourse.objects.count() == 1
    assert _creations() == []


# --- Whatever the other course, the texts name the planned drug only ---------------------------

DRUG_NAMES = {drug: drug.replace("_", " ") for drug in Drug}
# Labs that raise every gate's message: deficient vitamin D, low calcium, poor kidney function.
POOR_LABS = tuple(
    domain.LabResult(analyte=analyte, value=Decimal(value), date=TODAY - timedelta(days=10))
    for analyte, value in ((A.VITAMIN_D_25OH, "12"), (A.CALCIUM, "2.0"), (A.EGFR, "30"))
)


@pytest.mark.parametrize(
    ("planned", "other"), [pair for pair in itertools.product(Drug, Drug) if pair[0] != pair[1]]
)
@pytest.mark.parametrize("other_stopped", [False, True])
def test_the_checklist_texts_name_only_the_planned_drug(
    planned: Drug, other: Drug, other_stopped: bool
) -> None:
    other_course = domain.BoneTherapyCourse(
        drug=other,
        start_date=TODAY - timedelta(days=30),
        stop_date=TODAY if other_stopped else None,
        doses=(TODAY - timedelta(days=30),),
    )
    history = domain.History(
        patient=domain.Patient(
            mrn="W1",
            sex=domain.Sex.F,
            birth_date=date(1958, 4, 12),
            menopausal_status=domain.MenopausalStatus.POSTMENOPAUSAL,
        ),
        labs=POOR_LABS,
        bone_therapy=(other_course,),
    )
    planned_course = domain.BoneTherapyCourse(
        drug=planned, start_date=TODAY, dental_review_date=REVIEWED
    )
    result = checklist(history, course=planned_course, as_of=TODAY)
    alone = checklist(
        domain.History(patient=history.patient, labs=POOR_LABS), course=planned_course, as_of=TODAY
    )
    texts = " ".join(message for check in result.checks for message in check.messages)
    assert DRUG_NAMES[other] not in texts
    # The other course changes nothing: the checks are those of the planned drug alone.
    assert result == alone
    dental = next(check for check in result.checks if check.key == "dental")
    # The rules ask a dental review before zoledronic acid and denosumab only.
    parenteral = planned in {Drug.ZOLEDRONIC_ACID, Drug.DENOSUMAB}
    assert dental.status is (CheckStatus.PASSED if parenteral else CheckStatus.NOT_CHECKED)
