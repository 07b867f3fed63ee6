"""nurse13 #17: "stop smoking" was given to women who never smoked, on the patient page and in
both letters; a repeat DEXA 19 months past read "by <date>" as if still to come; the printed
summary named who acknowledged an alert but not the note."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.models import Alert
from monitoring.overview.summary_content import PRINTED_NOTE_CHARS
from patients.models import Patient
from tests.factories import AromataseInhibitorCourseFactory, DexaScanFactory, LabResultFactory
from tests.html_forms import visible_text

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _text(client: Client, name: str, *args: object) -> str:
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    return visible_text(response.text)


@pytest.fixture
def followed(patient: Patient) -> Patient:
    """On anastrozole, a scan 30 months ago (its repeat overdue), a low vitamin D."""
    AromataseInhibitorCourseFactory(patient=patient, start_date=TODAY - dt.timedelta(days=1000))
    DexaScanFactory(patient=patient, scan_date=TODAY - dt.timedelta(days=900), t=-1.0)
    LabResultFactory(patient=patient, sample_date=TODAY - dt.timedelta(days=5), value=15)
    patient_assessment_refresh(patient=patient)
    return patient


def _record_habits(patient: Patient, smoking: str, alcohol: bool) -> None:
    Patient.objects.filter(pk=patient.pk).update(
        smoking=smoking, alcohol_3_or_more_units_daily=alcohol
    )
    patient_assessment_refresh(patient=Patient.objects.get(pk=patient.pk))


def test_a_never_smoker_is_not_told_to_stop_smoking(
    nurse_client: Client, followed: Patient
) -> None:
    _record_habits(followed, "never", False)
    page = _text(nurse_client, "monitoring:patient", followed.pk)
    assert "Weight-bearing and balance exercise; keep alcohol under 3 units a day." in page
    summary = _text(nurse_client, "monitoring:patient_summary", followed.pk)
    doctor = _text(nurse_client, "monitoring:letter", followed.pk, "doctor")
    assert (
        "Lifestyle advice: weight-bearing exercise and alcohol kept under 3 units a day." in doctor
    )
    patient = _text(nurse_client, "monitoring:letter", followed.pk, "patient")
    assert (
        "Regular walking or other weight-bearing exercise and keeping alcohol low both help "
        "your bones." in patient
    )
    for text in (page, summary, doctor, patient):
        for words in ("stop smoking", "stopping smoking", "smoking cessation", "not smoking"):
            assert words not in text.lower()


def test_a_current_smoker_who_drinks_is_told_both(nurse_client: Client, followed: Patient) -> None:
    _record_habits(followed, "current", True)
    page = _text(nurse_client, "monitoring:patient", followed.pk)
    assert (
        "Weight-bearing and balance exercise; stop smoking; cut alcohol to under 3 units a day "
        "(3 or more recorded)." in page
    )
    doctor = _text(nurse_client, "monitoring:letter", followed.pk, "doctor")
    assert (
        "Lifestyle advice: weight-bearing exercise, smoking cessation and alcohol cut to under 3 "
        "units a day (3 or more recorded)." in doctor
    )
    patient = _text(nurse_client, "monitoring:letter", followed.pk, "patient")
    assert (
        "Regular walking or other weight-bearing exercise, stopping smoking and drinking less "
        "alcohol (under 3 units a day) all help your bones." in patient
    )


def test_an_overdue_repeat_dexa_reads_as_overdue(nurse_client: Client, followed: Patient) -> None:
    due = followed.assessment.next_dexa_due
    assert due < TODAY
    page = _text(nurse_client, "monitoring:patient", followed.pk)
    assert f"Repeat DEXA on the same scanner: it was due by {due:%Y-%m-%d} (" in page
    assert f"Repeat DEXA on the same scanner by {due:%Y-%m-%d}" not in page


def test_the_summary_prints_the_acknowledgement_note(
    nurse_client: Client, followed: Patient
) -> None:
    alert = Alert.objects.get(patient=followed, code="DEXA_OVERDUE", cleared_at=None)
    url = reverse("monitoring:alert_acknowledge", args=[alert.pk])
    note = "Colecalciferol 20 000 IU weekly started per GP; recheck booked"
    assert nurse_client.post(url, {"note": note}).status_code == 302
    summary = _text(nurse_client, "monitoring:patient_summary", followed.pk)
    assert f"{TODAY:%Y-%m-%d}: “{note}”" in summary


def test_a_long_acknowledgement_note_is_cut_on_paper(
    nurse_client: Client, followed: Patient
) -> None:
    alert = Alert.objects.get(patient=followed, code="DEXA_OVERDUE", cleared_at=None)
    url = reverse("monitoring:alert_acknowledge", args=[alert.pk])
    note = "Phoned the patient; " + "details of the call and the plan agreed " * 10
    assert nurse_client.post(url, {"note": note.strip()}).status_code == 302
    summary = _text(nurse_client, "monitoring:patient_summary", followed.pk)
    cut = note[: PRINTED_NOTE_CHARS - 1].strip()
    assert f"“{cut}…”" in summary
    assert note.strip() not in summary
    page = _text(nurse_client, "monitoring:patient", followed.pk)
    assert " ".join(note.split()) in page  # the whole note on the patient page
