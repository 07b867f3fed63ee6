"""A dental review too old to count keeps "Dental review missing" open (nurse9 F11).

A nurse recorded a review of 2019-01-01 for a zoledronic acid course started a month before; the
alert closed and the worklist item left without a word. The date is taken (it may be true), the
form and the message say it does not count, and the alert and the worklist row stay.
"""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.domain.dates import add_months
from monitoring.models import Alert, BoneTherapyCourse
from monitoring.records.safety import course_checklist
from patients.models import Patient
from tests.html_forms import posted_data

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
START = TODAY - dt.timedelta(days=30)
OLD = dt.date(2019, 1, 1)


@pytest.fixture
def started(patient: Patient) -> BoneTherapyCourse:
    """Zoledronic acid started a month ago, no dental review recorded (the tester's SHOW-11)."""
    course = BoneTherapyCourse.objects.create(
        patient=patient, drug="zoledronic_acid", dose="4 mg", start_date=START
    )
    patient_assessment_refresh(patient=patient)
    assert _open_alert(patient) is not None
    return course


def _open_alert(patient: Patient) -> Alert | None:
    return Alert.objects.filter(
        patient=patient, code="DENTAL_REVIEW_MISSING", cleared_at__isnull=True
    ).first()


def _url(course: BoneTherapyCourse) -> str:
    return reverse("monitoring:dental_review", args=[course.patient_id, course.pk])


def _record(client: Client, course: BoneTherapyCourse, day: dt.date) -> str:
    form = posted_data(client.get(_url(course)).text, having="version")
    response = client.post(
        _url(course), form | {"dental_review_date": day.isoformat()}, follow=True
    )
    assert response.status_code == 200
    return response.text


def test_the_form_says_which_dates_do_not_count(
    nurse_client: Client, started: BoneTherapyCourse
) -> None:
    earliest = add_months(START, -12)
    page = nurse_client.get(_url(started)).text
    assert f"A review before {earliest.isoformat()} (more than 12 months before its start on " in (
        page
    )
    assert "does not count as the review before zoledronic acid" in page


def test_an_old_review_is_recorded_but_the_alert_and_the_worklist_row_stay(
    nurse_client: Client, started: BoneTherapyCourse
) -> None:
    before = _open_alert(started.patient)
    page = _record(nurse_client, started, OLD)
    # Said plainly on saving.
    assert "Dental review recorded; the assessment is updated." in page
    assert (
        f"The dental review on record (2019-01-01) is more than 12 months before the zoledronic "
        f"acid start ({START.isoformat()}): it does not count as the dental review before "
        "zoledronic acid; a new one is needed." in page
    )
    # Taken as entered, audited.
    course = BoneTherapyCourse.objects.get(pk=started.pk)
    assert (course.dental_review_date, course.version) == (OLD, 2)
    assert AuditEvent.objects.filter(action=AuditAction.CHANGE).count() == 1
    # The same alert stays open, now saying the review is too old.
    alert = _open_alert(started.patient)
    assert alert is not None
    assert before is not None
    assert alert.pk == before.pk
    assert "(2019-01-01) is more than 12 months before" in alert.message
    assert "a new one is needed" in alert.message
    # The worklist row stays, with its link to record the new review on this course.
    worklist = nurse_client.get(reverse("monitoring:worklist")).text
    assert f'<a href="{_url(started)}">Record the dental review</a>' in worklist


def test_a_new_review_then_clears_the_alert_and_the_row(
    nurse_client: Client, started: BoneTherapyCourse
) -> None:
    _record(nurse_client, started, OLD)
    page = _record(nurse_client, started, TODAY - dt.timedelta(days=2))
    assert "does not count" not in page
    assert _open_alert(started.patient) is None
    assert "Record the dental review" not in nurse_client.get(reverse("monitoring:worklist")).text


@pytest.mark.parametrize(("months", "counts"), [(12, True), (13, False)])
def test_the_window_boundary_through_the_form(
    nurse_client: Client, started: BoneTherapyCourse, months: int, counts: bool
) -> None:
    review = add_months(START, -months)
    page = _record(nurse_client, started, review)
    assert BoneTherapyCourse.objects.get(pk=started.pk).dental_review_date == review
    assert ("does not count" in page) is not counts
    assert (_open_alert(started.patient) is None) is counts


def test_the_therapy_form_warns_beside_the_field_and_on_saving(
    physician_client: Client, patient: Patient
) -> None:
    """Starting zoledronic acid with an old review: the checklist's dental check fails, and the
    field says why; saved with the override, the message says it again."""
    url = reverse("monitoring:therapy_create", args=[patient.pk])
    values = {
        "drug": "zoledronic_acid",
        "dose": "4 mg",
        "start_date": TODAY.isoformat(),
        "dental_review_date": OLD.isoformat(),
    }
    form = posted_data(physician_client.get(url).text, having="drug")
    shown = physician_client.post(url, form | values)
    assert shown.status_code == 200
    assert not BoneTherapyCourse.objects.filter(patient=patient).exists()
    bound = shown.context["form"]["dental_review_date"]
    assert bound.help_text.startswith("Warning: The dental review on record (2019-01-01) is more")
    assert f"the zoledronic acid start ({TODAY.isoformat()}" in bound.help_text
    assert 'value="2019-01-01"' in shown.text  # kept as typed
    saved = physician_client.post(
        url,
        form | values | {"safety_override": "on", "override_reason": "Review booked next week."},
        follow=True,
    )
    assert "Therapy saved; the assessment is updated." in saved.text
    assert "it does not count as the dental review before zoledronic acid" in saved.text
    course = BoneTherapyCourse.objects.get(patient=patient)
    assert course.dental_review_date == OLD
    alert = _open_alert(patient)
    assert alert is not None
    assert "(2019-01-01) is more than 12 months before the zoledronic acid start" in alert.message


def test_a_plan_without_a_start_is_saved_saying_the_review_does_not_count(
    physician_client: Client, patient: Patient
) -> None:
    """Planned without a start, no override is asked (phys11 F12: its checks are made when it is
    started); the message says the review does not count, and the dental check fails today."""
    url = reverse("monitoring:therapy_create", args=[patient.pk])
    values = {"drug": "zoledronic_acid", "dose": "4 mg", "dental_review_date": OLD.isoformat()}
    form = posted_data(physician_client.get(url).text, having="drug")
    saved = physician_client.post(url, form | values, follow=True)
    assert "Therapy saved; the assessment is updated." in saved.text
    assert "it does not count as the dental review before zoledronic acid" in saved.text
    assert "no start date yet" in saved.text
    assert "dental review)." in saved.text  # failing today, said with the pending checks
    assert BoneTherapyCourse.objects.get(patient=patient).dental_review_date == OLD
    alert = _open_alert(patient)
    assert alert is not None
    assert "(2019-01-01) is more than 12 months old" in alert.message


def test_the_checklist_calls_an_old_review_too_old_not_done(patient: Patient) -> None:
    values = {"drug": "denosumab", "start_date": None, "dental_review_date": OLD}
    dental = next(
        c for c in course_checklist(patient=patient, values=values).checks if c.key == "dental"
    )
    assert (dental.value, dental.date, dental.failed) == ("too old", OLD, True)
    assert "a new one is needed" in " ".join(dental.messages)
