"""After denosumab stopped with no bisphosphonate follow-on (DMAB-STOP), the letters, the summary
and the scan request name the stopped course, its last dose and the date the follow-on is due by.

phys11 F1: the family doctor's letter of SHOW-12 read "Bone-protective therapy is indicated; none
is recorded as given or planned" and had no therapy section. F9: the summary header read
"Alendronate stopped 2026-12-06" alone after a denosumab stop. F5: the patient's letter said both
"Your doctor will discuss with you whether you need a medicine that protects your bones" and "As
denosumab has stopped, you need another bone medicine"."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.domain.dates import add_months
from monitoring.models import Alert, BoneTherapyCourse, BoneTherapyDose
from patients.models import Patient
from tests.factories import AromataseInhibitorCourseFactory, DexaScanFactory, LabResultFactory
from tests.html_forms import letter_text, without_nowrap

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
NONE_GIVEN = "none is recorded as given"
WHETHER = "Your doctor will discuss with you whether you need a medicine"
NEED_ANOTHER = (
    "As denosumab has stopped, you need another bone medicine to keep the bone it built; your "
    "doctor will discuss with you which one."
)
WARNING = (
    "Without it, bone loss rebounds quickly once denosumab has stopped, and multiple vertebral "
    "fractures can follow."
)


def _days_ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


def _text(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return " ".join(response.text.split())


def _letter(client: Client, patient: Patient, kind: str, **query: str) -> str:
    return letter_text(client, patient, kind, **query)


def _denosumab(patient: Patient, *, start: int, doses: list[int], stop: int) -> BoneTherapyCourse:
    course = BoneTherapyCourse.objects.create(
        patient=patient,
        drug="denosumab",
        dose="60 mg every 6 months",
        start_date=_days_ago(start),
        dental_review_date=_days_ago(start + 10),
        stop_date=_days_ago(stop),
        stop_reason="patient preference",
    )
    for day in doses:
        BoneTherapyDose.objects.create(course=course, given_on=_days_ago(day))
    return course


@pytest.fixture
def osteoporotic(patient: Patient) -> Patient:
    """On an aromatase inhibitor with a T-score of -2.6: the rules find therapy indicated."""
    AromataseInhibitorCourseFactory(patient=patient, start_date=_days_ago(1000))
    DexaScanFactory(patient=patient, scan_date=_days_ago(100), t=-2.6)
    return patient


@pytest.fixture
def stopped_long_ago(osteoporotic: Patient) -> Patient:
    """SHOW-12: five doses, the last 243 days ago, stopped 60 days ago; the follow-on is late."""
    _denosumab(osteoporotic, start=900, doses=[900, 718, 536, 354, 243], stop=60)
    patient_assessment_refresh(patient=osteoporotic)
    return osteoporotic


def _open(patient: Patient, code: str) -> bool:
    return Alert.objects.filter(patient=patient, code=code, cleared_at__isnull=True).exists()


def test_the_doctors_letter_names_the_stopped_course_the_date_and_the_warning(
    nurse_client: Client, stopped_long_ago: Patient
) -> None:
    assert _open(stopped_long_ago, "DENOSUMAB_STOPPED_NO_FOLLOW_ON")
    due = add_months(_days_ago(243), 6)
    assert due < TODAY
    text = _letter(nurse_client, stopped_long_ago, "doctor")
    assert NONE_GIVEN not in text
    assert (
        "Bone-protective therapy is indicated; what was given has stopped (denosumab from "
        f"{_days_ago(900):%Y-%m-%d} to {_days_ago(60):%Y-%m-%d}), and none is given or planned "
        "now." in text
    )
    letter_url = reverse("monitoring:letter", args=[stopped_long_ago.pk, "doctor"])
    assert '<h2 class="h6">Bone-protective therapy</h2>' in _text(nurse_client, letter_url)
    assert (
        f"Denosumab (60 mg every 6 months) from {_days_ago(900):%Y-%m-%d}, stopped "
        f"{_days_ago(60):%Y-%m-%d}; last dose {_days_ago(243):%Y-%m-%d}." in text
    )
    assert (
        f"No bisphosphonate follow-on is in place: one was due by {due:%Y-%m-%d}, 6 months after "
        "the last dose; please start it now." in text
    )
    assert WARNING in text
    clinician = _letter(nurse_client, stopped_long_ago, "doctor", copy="clinician")
    assert "DMAB-STOP" in clinician


def test_a_follow_on_date_still_to_come_reads_as_to_come(
    nurse_client: Client, osteoporotic: Patient
) -> None:
    _denosumab(osteoporotic, start=400, doses=[400, 218, 60], stop=10)
    patient_assessment_refresh(patient=osteoporotic)
    due = add_months(_days_ago(60), 6)
    doctor = _letter(nurse_client, osteoporotic, "doctor")
    assert (
        f"No bisphosphonate follow-on is in place yet: one is due by {due:%Y-%m-%d}, 6 months "
        "after the last dose." in doctor
    )
    assert "please start it now" not in doctor
    patient_letter = _letter(nurse_client, osteoporotic, "patient")
    assert (
        f"Another bone medicine needs to start by {due:%Y-%m-%d}, 6 months after that injection."
        in patient_letter
    )


def test_the_patients_letter_says_one_thing_she_needs_another_medicine(
    nurse_client: Client, stopped_long_ago: Patient
) -> None:
    # The therapy decision awaits a physician: before the fix, her letter asked "whether".
    assert Alert.objects.filter(
        patient=stopped_long_ago, code="BONE_THERAPY_INDICATED", acknowledged_at__isnull=True
    ).exists()
    due = add_months(_days_ago(243), 6)
    text = _letter(nurse_client, stopped_long_ago, "patient")
    assert WHETHER not in text
    assert "We recommend a medicine that protects your bones" not in text
    assert "If you and your doctor decide on a bone medicine" not in text
    assert text.count("you need another bone medicine") == 1
    assert NEED_ANOTHER in text
    assert "Please see your dentist before the bone medicine starts" in text
    assert (
        f"You had denosumab injections to protect your bones from {_days_ago(900):%Y-%m-%d} "
        f"until they stopped on {_days_ago(60):%Y-%m-%d}; your last injection was on "
        f"{_days_ago(243):%Y-%m-%d}." in text
    )
    assert (
        f"Another bone medicine should have started by {due:%Y-%m-%d}, 6 months after that "
        "injection: please contact us so that it can start as soon as possible." in text
    )
    assert "the bones of your spine can break" in text


def test_a_low_calcium_is_said_first_with_the_follow_on(
    nurse_client: Client, stopped_long_ago: Patient
) -> None:
    LabResultFactory(
        patient=stopped_long_ago,
        sample_date=_days_ago(5),
        analyte="calcium",
        value="2.05",
        entered_value="2.05",
        entered_unit="mmol/L",
    )
    patient_assessment_refresh(patient=stopped_long_ago)
    text = _letter(nurse_client, stopped_long_ago, "patient")
    assert f"Your calcium level needs to be brought back to normal first. {NEED_ANOTHER}" in text
    assert WHETHER not in text


def test_a_week_of_alendronate_after_the_stop_is_named_and_the_header_keeps_denosumab(
    nurse_client: Client, osteoporotic: Patient
) -> None:
    """PH11-T8: denosumab stopped, then alendronate stopped after a day (no follow-on)."""
    _denosumab(osteoporotic, start=362, doses=[362, 180], stop=17)
    BoneTherapyCourse.objects.create(
        patient=osteoporotic,
        drug="alendronate",
        start_date=_days_ago(2),
        stop_date=_days_ago(1),
        stop_reason="reflux",
    )
    patient_assessment_refresh(patient=osteoporotic)
    assert _open(osteoporotic, "DENOSUMAB_STOPPED_NO_FOLLOW_ON")
    due = add_months(_days_ago(180), 6)
    doctor = _letter(nurse_client, osteoporotic, "doctor")
    assert NONE_GIVEN not in doctor
    assert (
        f"what was given has stopped (denosumab from {_days_ago(362):%Y-%m-%d} to "
        f"{_days_ago(17):%Y-%m-%d}; alendronate from {_days_ago(2):%Y-%m-%d} to "
        f"{_days_ago(1):%Y-%m-%d})" in doctor
    )
    assert f"last dose {_days_ago(180):%Y-%m-%d}." in doctor
    assert f"due by {due:%Y-%m-%d}, 6 months after the last dose" in doctor
    header = (
        f"<dt>Bone therapy</dt><dd>Denosumab stopped {_days_ago(17):%Y-%m-%d}, last dose "
        f"{_days_ago(180):%Y-%m-%d}; Alendronate stopped {_days_ago(1):%Y-%m-%d}</dd>"
    )
    for page in ("monitoring:patient_summary", "monitoring:scan_request"):
        assert header in without_nowrap(_text(nurse_client, reverse(page, args=[osteoporotic.pk])))
    card = _text(nurse_client, reverse("monitoring:patient", args=[osteoporotic.pk]))
    assert (
        f'<span class="d-block">Denosumab</span><span class="d-block small">stopped '
        f'{_days_ago(17):%Y-%m-%d}</span><span class="d-block">Alendronate</span>' in card
    )


def test_zoledronic_acid_started_as_the_follow_on_awaits_its_infusion(
    nurse_client: Client, stopped_long_ago: Patient
) -> None:
    BoneTherapyCourse.objects.create(
        patient=stopped_long_ago,
        drug="zoledronic_acid",
        dose="4 mg",
        start_date=_days_ago(3),
        dental_review_date=_days_ago(20),
    )
    patient_assessment_refresh(patient=stopped_long_ago)
    assert _open(stopped_long_ago, "DENOSUMAB_FOLLOW_ON_INFUSION_AWAITED")
    due = add_months(_days_ago(243), 6)
    doctor = _letter(nurse_client, stopped_long_ago, "doctor")
    # Planned, not given, until its infusion is recorded (phys14 #7).
    assert "is being given" not in doctor
    assert (
        "Bone-protective therapy is indicated and is planned (zoledronic acid, no infusion yet)."
        in doctor
    )
    assert (
        f"Zoledronic acid (4 mg) planned from {_days_ago(3):%Y-%m-%d}, no infusion yet." in doctor
    )
    assert (
        f"Zoledronic acid is planned from {_days_ago(3):%Y-%m-%d} to follow it, but no infusion "
        "is recorded yet: its first infusion is due now, from that start, and the follow-on was "
        f"due by {due:%Y-%m-%d}, 6 months after the last dose: please give it now." in doctor
    )
    # The course's own dose: its first, none given (recheck11 #4).
    assert "First zoledronic acid dose overdue since" in doctor
    patient_letter = _letter(nurse_client, stopped_long_ago, "patient")
    assert "you need the zoledronic acid infusion we have planned" in patient_letter
    assert "You are having zoledronic acid" not in patient_letter
    assert (
        f"We plan to give you zoledronic acid, a medicine that protects your bones, from "
        f"{_days_ago(3):%Y-%m-%d}; no infusion is recorded as given yet." in patient_letter
    )
    assert "your first infusion is due now, from that day" in patient_letter
    assert "Your first infusion" in patient_letter
    assert "next infusion" not in patient_letter
    assert "you need another bone medicine" not in patient_letter
    assert WHETHER not in patient_letter


def test_once_the_follow_on_runs_the_stopped_course_is_history(
    nurse_client: Client, stopped_long_ago: Patient
) -> None:
    BoneTherapyCourse.objects.create(
        patient=stopped_long_ago, drug="alendronate", start_date=_days_ago(30)
    )
    patient_assessment_refresh(patient=stopped_long_ago)
    assert not _open(stopped_long_ago, "DENOSUMAB_STOPPED_NO_FOLLOW_ON")
    doctor = _letter(nurse_client, stopped_long_ago, "doctor")
    # The stop's sentences (its follow-on date) are not said; the course stays named as given
    # before, the rebound risk being still relevant (phys13 #6).
    assert "Denosumab (60 mg every 6 months) from" not in doctor
    assert "No bisphosphonate follow-on" not in doctor
    assert f"Alendronate since {_days_ago(30):%Y-%m-%d}." in doctor
    assert "Denosumab (60 mg every 6 months) was given before" in doctor
    patient_letter = _letter(nurse_client, stopped_long_ago, "patient")
    assert "You had denosumab injections to protect your bones" not in patient_letter
    assert "You had denosumab injections before" in patient_letter
    summary = without_nowrap(
        _text(nurse_client, reverse("monitoring:patient_summary", args=[stopped_long_ago.pk]))
    )
    assert (
        f"<dt>Bone therapy</dt><dd>Alendronate since {_days_ago(30):%Y-%m-%d}; Prior denosumab "
        f"{_days_ago(900):%Y-%m-%d} to {_days_ago(60):%Y-%m-%d} (5 doses, the last on "
        f"{_days_ago(243):%Y-%m-%d})</dd>" in summary
    )
