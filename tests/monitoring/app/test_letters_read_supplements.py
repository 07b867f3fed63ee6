"""nurse12 F10: with vitamin D recorded as taken, the patient's letter still said "we recommend a
vitamin D supplement", and the summary did not show the supplements at all.

nurse13 #5: a supplement recorded after the low result was read as failing ("low although you take
a vitamin D supplement ... the dose may need checking"). Only one on record before the day of the
result reads so; one recorded since says she now takes it and when vitamin D is checked again."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.models import PatientAssessment, Supplements
from patients.models import Patient
from tests.factories import AromataseInhibitorCourseFactory, LabResultFactory
from tests.html_forms import letter_text

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
RECOMMEND = "we recommend a vitamin D supplement"
SAMPLED = TODAY - dt.timedelta(days=5)
FAILING = ("although you take", "dose may need checking")


@pytest.fixture
def deficient(patient: Patient) -> Patient:
    AromataseInhibitorCourseFactory(patient=patient, start_date=TODAY - dt.timedelta(days=30))
    LabResultFactory(patient=patient, sample_date=SAMPLED, value=15, entered_value=15)
    patient_assessment_refresh(patient=patient)
    return patient


def _letter(client: Client, patient: Patient, kind: str) -> str:
    return letter_text(client, patient, kind)


def test_without_a_supplement_a_vitamin_d_supplement_is_recommended(
    nurse_client: Client, deficient: Patient
) -> None:
    assert RECOMMEND in _letter(nurse_client, deficient, "patient")
    summary = nurse_client.get(reverse("monitoring:patient_summary", args=[deficient.pk])).text
    assert "Supplements: not recorded." in summary


def _recheck(patient: Patient) -> str:
    """The vitamin D recheck date of the stored schedule (VITD: the result + 3 months)."""
    data = PatientAssessment.objects.get(patient=patient).data
    return next(e["due"] for e in data["schedule"] if e["item"] == "vitamin_d_recheck")


def _taken_since(patient: Patient, day: dt.date) -> Supplements:
    """Calcium and vitamin D recorded as taken on `day` (its audit row), the record last
    changed today (calcium asked again): the vitamin D answer dates from `day`."""
    taken = Supplements.objects.create(patient=patient, calcium=True, vitamin_d=True)
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
    AuditEvent.objects.create(
        at=moment,
        action=AuditAction.CREATE,
        object_type=taken._meta.label_lower,
        object_id=str(taken.pk),
        patient=patient,
        changes={"calcium": False, "vitamin_d": True},
    )
    AuditEvent.objects.create(
        action=AuditAction.CHANGE,
        object_type=taken._meta.label_lower,
        object_id=str(taken.pk),
        patient=patient,
        changes={"calcium": [False, True], "version": [1, 2]},
    )
    return taken


def test_a_supplement_taken_before_the_result_is_kept_up_and_its_dose_checked(
    nurse_client: Client, deficient: Patient
) -> None:
    _taken_since(deficient, SAMPLED - dt.timedelta(days=30))
    patient = _letter(nurse_client, deficient, "patient")
    assert RECOMMEND not in patient
    assert "although you take a vitamin D supplement: please keep taking it" in patient
    assert "The dose may need checking" in patient
    assert "Please keep taking your calcium and vitamin D supplements." in patient
    assert "make sure you get enough calcium" not in patient.lower()
    doctor = _letter(nurse_client, deficient, "doctor")
    assert (
        "a vitamin D supplement was recorded as taken before this result, so its dose may need "
        "checking" in doctor
    )
    summary = nurse_client.get(reverse("monitoring:patient_summary", args=[deficient.pk])).text
    assert "Supplements: calcium yes, vitamin D yes." in summary


def test_calcium_alone_is_kept_up_and_vitamin_d_still_advised(
    nurse_client: Client, deficient: Patient
) -> None:
    Supplements.objects.create(patient=deficient, calcium=True, vitamin_d=False)
    patient = _letter(nurse_client, deficient, "patient")
    assert RECOMMEND in patient
    assert (
        "Please keep taking your calcium supplement, and make sure you get enough vitamin D"
        in patient
    )
    summary = nurse_client.get(reverse("monitoring:patient_summary", args=[deficient.pk])).text
    assert "Supplements: calcium yes, vitamin D no." in summary


def test_a_supplement_recorded_after_the_result_is_not_read_as_failing(
    nurse_client: Client, deficient: Patient
) -> None:
    """nurse13 #5: the low result, then the supplements form answered yes (today)."""
    url = reverse("monitoring:supplements", args=[deficient.pk])
    answers = {"calcium": "yes", "vitamin_d": "yes", "version": 0}
    assert nurse_client.post(url, answers).status_code == 302
    recheck = _recheck(deficient)
    patient = _letter(nurse_client, deficient, "patient")
    assert (
        "Your vitamin D was low. You now take a vitamin D supplement: please keep taking it. We "
        f"will check your vitamin D again by {recheck}." in patient
    )
    assert RECOMMEND not in patient
    doctor = _letter(nurse_client, deficient, "doctor")
    assert (
        "Vitamin D repletion is advised; a vitamin D supplement is recorded as taken from "
        f"{TODAY:%Y-%m-%d}, not before this result: recheck vitamin D by {recheck}." in doctor
    )
    for words in FAILING:
        assert words not in patient
        assert words not in doctor


def test_a_supplement_recorded_on_the_day_of_the_result_is_not_read_as_failing(
    nurse_client: Client, deficient: Patient
) -> None:
    """Recorded the day the blood was taken: which came first is not known, so not "although"."""
    _taken_since(deficient, SAMPLED)
    patient = _letter(nurse_client, deficient, "patient")
    assert "You now take a vitamin D supplement" in patient
    assert "although" not in patient


def test_without_an_audit_row_the_records_last_change_dates_the_supplement(
    nurse_client: Client, deficient: Patient
) -> None:
    """A record with no audit row (a bulk load): on record as yes since at least its last
    change, so a change before the result is before it; one since is worded neutrally."""
    Supplements.objects.create(patient=deficient, calcium=True, vitamin_d=True)
    assert "You now take a vitamin D supplement" in _letter(nurse_client, deficient, "patient")
    earlier = timezone.now() - dt.timedelta(days=60)
    Supplements.objects.filter(patient=deficient).update(updated_at=earlier)
    assert "although you take a vitamin D supplement" in _letter(nurse_client, deficient, "patient")
