"""The letters name the bone-protective therapy given or planned: drug, since when, last dose, next
dose due, and for denosumab the warning never to stop or delay it without follow-on therapy.

A tester found the family doctor's letter of a patient on denosumab reading only "Risk category:
high. Bone-protective therapy is indicated.", as if nothing had been started."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.domain.dates import add_months
from monitoring.models import BoneTherapyCourse, BoneTherapyDose, PatientAssessment
from patients.models import Patient
from tests.factories import AromataseInhibitorCourseFactory, DexaScanFactory, LabResultFactory
from tests.html_forms import letter_text, without_nowrap

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _days_ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


@pytest.fixture
def osteoporotic(patient: Patient) -> Patient:
    """On an aromatase inhibitor with a T-score of -2.8: the rules find therapy indicated."""
    AromataseInhibitorCourseFactory(patient=patient, start_date=_days_ago(400))
    DexaScanFactory(patient=patient, scan_date=_days_ago(100), t=-2.8)
    patient_assessment_refresh(patient=patient)
    return patient


@pytest.fixture
def on_denosumab(osteoporotic: Patient) -> Patient:
    course = BoneTherapyCourse.objects.create(
        patient=osteoporotic,
        drug="denosumab",
        dose="60 mg every 6 months",
        start_date=_days_ago(90),
        dental_review_date=_days_ago(100),
    )
    BoneTherapyDose.objects.create(course=course, given_on=_days_ago(90))
    patient_assessment_refresh(patient=osteoporotic)
    return osteoporotic


def test_the_doctors_letter_names_denosumab_its_doses_and_the_warning(
    nurse_client: Client, on_denosumab: Patient
) -> None:
    data = PatientAssessment.objects.get(patient=on_denosumab).data
    assert data["therapy_indicated"]
    due = add_months(_days_ago(90), 6)
    text = letter_text(nurse_client, on_denosumab, "doctor")
    assert "Bone-protective therapy is indicated and is being given (denosumab)." in text
    assert "Bone-protective therapy is indicated." not in text
    assert (
        f"Denosumab (60 mg every 6 months) since {_days_ago(90):%Y-%m-%d}; last dose "
        f"{_days_ago(90):%Y-%m-%d}." in text
    )
    assert f"Next denosumab dose due {due:%Y-%m-%d}." in text
    assert "Please do not stop or delay denosumab without follow-on therapy" in text
    clinician = letter_text(nurse_client, on_denosumab, "doctor", copy="clinician")
    assert "DMAB-SCHEDULE, DMAB-STOP" in clinician


def test_the_patients_letter_says_it_in_plain_words(
    nurse_client: Client, on_denosumab: Patient
) -> None:
    due = add_months(_days_ago(90), 6)
    text = letter_text(nurse_client, on_denosumab, "patient")
    assert "Your bone medicine" in text
    assert (
        f"You are having denosumab to protect your bones, since {_days_ago(90):%Y-%m-%d}." in text
    )
    assert f"Your last injection was on {_days_ago(90):%Y-%m-%d}." in text
    assert f"Your next injection is due on {due:%Y-%m-%d}." in text
    assert "Please do not stop or put off your denosumab injections" in text


def test_a_planned_course_reads_as_planned(nurse_client: Client, osteoporotic: Patient) -> None:
    start = TODAY + dt.timedelta(days=20)
    BoneTherapyCourse.objects.create(
        patient=osteoporotic, drug="zoledronic_acid", dose="4 mg", start_date=start
    )
    patient_assessment_refresh(patient=osteoporotic)
    doctor = letter_text(nurse_client, osteoporotic, "doctor")
    assert "Bone-protective therapy is indicated and is planned (zoledronic acid)." in doctor
    assert f"Zoledronic acid (4 mg) is planned, to start on {start:%Y-%m-%d}." in doctor
    assert "do not stop or delay denosumab" not in doctor
    patient_letter = letter_text(nurse_client, osteoporotic, "patient")
    assert (
        "We plan to start zoledronic acid, a medicine that protects your bones, from "
        f"{start:%Y-%m-%d}." in patient_letter
    )


def test_without_therapy_the_letter_says_none_is_recorded(
    nurse_client: Client, osteoporotic: Patient
) -> None:
    text = letter_text(nurse_client, osteoporotic, "doctor")
    assert "Bone-protective therapy is indicated; none is recorded as given or planned." in text
    assert '<h2 class="h6">Bone-protective therapy</h2>' not in text


def test_a_stopped_course_is_not_named_as_given(
    nurse_client: Client, osteoporotic: Patient
) -> None:
    BoneTherapyCourse.objects.create(
        patient=osteoporotic,
        drug="alendronate",
        start_date=_days_ago(300),
        stop_date=_days_ago(10),
        stop_reason="reflux",
    )
    patient_assessment_refresh(patient=osteoporotic)
    text = letter_text(nurse_client, osteoporotic, "doctor")
    assert "Alendronate since" not in text
    # Named as given and stopped, never as if none had been given (phys11 F1).
    assert "none is recorded as given" not in text
    assert (
        "Bone-protective therapy is indicated; what was given has stopped (alendronate from "
        f"{_days_ago(300):%Y-%m-%d} to {_days_ago(10):%Y-%m-%d}), and none is given or planned "
        "now." in text
    )


def test_the_summary_names_the_therapy_and_its_next_dose(
    nurse_client: Client, on_denosumab: Patient
) -> None:
    due = add_months(_days_ago(90), 6)
    text = without_nowrap(
        " ".join(
            nurse_client.get(
                reverse("monitoring:patient_summary", args=[on_denosumab.pk])
            ).text.split()
        )
    )
    assert (
        f"<dt>Bone therapy</dt><dd>Denosumab since {_days_ago(90):%Y-%m-%d}, last dose "
        f"{_days_ago(90):%Y-%m-%d}</dd>" in text
    )
    assert f"{due:%Y-%m-%d} Denosumab" in text  # the next dates the summary lists


@pytest.mark.parametrize(
    ("last_days_ago", "overdue"),
    [(197, False), (250, True)],  # due 17 days ago (DENOSUMAB_DUE), and past 28 days late
)
def test_a_late_denosumab_dose_reads_as_passed_in_both_letters(
    nurse_client: Client, osteoporotic: Patient, last_days_ago: int, overdue: bool
) -> None:
    """physician8 D6: a dose 17 days late read "Your next injection is due on <date>", as if
    still to come. Worded as the letters word a DEXA past its date."""
    course = BoneTherapyCourse.objects.create(
        patient=osteoporotic,
        drug="denosumab",
        start_date=_days_ago(last_days_ago),
        dental_review_date=_days_ago(last_days_ago + 10),
    )
    BoneTherapyDose.objects.create(course=course, given_on=_days_ago(last_days_ago))
    patient_assessment_refresh(patient=osteoporotic)
    due = add_months(_days_ago(last_days_ago), 6)
    assert due < TODAY
    patient_letter = letter_text(nurse_client, osteoporotic, "patient")
    assert f"Your next injection was due on {due:%Y-%m-%d}: please contact us to have it now." in (
        patient_letter
    )
    assert f"Your denosumab injection was due on {due:%Y-%m-%d}: please contact us" in (
        patient_letter
    )
    assert "injection is due" not in patient_letter
    doctor = letter_text(nurse_client, osteoporotic, "doctor")
    lead = "overdue since" if overdue else "due since"
    assert f"Next denosumab dose {lead} {due:%Y-%m-%d}: please arrange it now." in doctor
    assert f"The next denosumab dose is {lead} {due:%Y-%m-%d}: please arrange it now" in doctor
    assert f"dose due {due:%Y-%m-%d}" not in doctor
    assert f"dose is due by {due:%Y-%m-%d}" not in doctor


def _egfr(patient: Patient, value: int) -> None:
    LabResultFactory(
        patient=patient,
        sample_date=_days_ago(20),
        analyte="egfr",
        value=value,
        entered_value=value,
        entered_unit="mL/min/1.73m2",
    )
    patient_assessment_refresh(patient=patient)


def test_the_doctors_letter_says_kidney_function_rules_out_the_bisphosphonates(
    nurse_client: Client, osteoporotic: Patient
) -> None:
    """eGFR 25: every bisphosphonate is contraindicated. The page's advice said so (physician8
    D8), but the doctor's letter still advised "a bisphosphonate or denosumab"."""
    _egfr(osteoporotic, 25)
    text = letter_text(nurse_client, osteoporotic, "doctor")
    assert "(a bisphosphonate or denosumab) is recommended" not in text
    assert "Bone-protective therapy is recommended; kidney function limits the choice." in text
    assert f"Kidney function eGFR 25 mL/min/1.73 m² on {_days_ago(20):%Y-%m-%d}" in text
    assert "every bisphosphonate is contraindicated" in text
    clinician = letter_text(nurse_client, osteoporotic, "doctor", copy="clinician")
    assert "RENAL" in clinician


def test_the_follow_on_after_denosumab_names_the_kidney_limit(
    nurse_client: Client, on_denosumab: Patient
) -> None:
    course = BoneTherapyCourse.objects.get(patient=on_denosumab)
    course.stop_date = _days_ago(10)
    course.save()
    _egfr(on_denosumab, 30)
    text = letter_text(nurse_client, on_denosumab, "doctor")
    assert "a bisphosphonate is advised" not in text
    assert "kidney function limits the choice of a bisphosphonate to follow it" in text
    limit = (
        "zoledronic acid and alendronate contraindicated (below 35 mL/min); risedronate and "
        "ibandronate only down to 30 mL/min."
    )
    assert limit in text
    # Said once: the therapy recommendation beside it points to it.
    assert text.count("Kidney function eGFR 30") == 1


def test_normal_kidney_function_keeps_the_usual_advice(
    nurse_client: Client, osteoporotic: Patient
) -> None:
    _egfr(osteoporotic, 80)
    text = letter_text(nurse_client, osteoporotic, "doctor")
    assert "Bone-protective therapy (a bisphosphonate or denosumab) is recommended." in text
    assert "Kidney function eGFR" not in text
