"""Stopping denosumab with no follow-on asks the physician to confirm before it is saved (phys11
F6: the stop saved silently and the critical DENOSUMAB_STOPPED_NO_FOLLOW_ON came after).

The warning is the rule's own alert (DMAB-STOP), as the save would raise it: the last dose and
the date the follow-on is due by. Refused without the tick, nothing written; with it, the stop
saves as before and the audit row keeps what was confirmed. A follow-on recorded: no prompt.
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import User
from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.domain.dates import add_months
from monitoring.models import BoneTherapyCourse, BoneTherapyDose
from monitoring.records.services.stop_gate import UnconfirmedStopError
from monitoring.records.services.therapy import bone_therapy_start, bone_therapy_update
from patients.models import Patient
from patients.switching import CourseSwitch
from tests.factories import results_in_range
from tests.html_forms import posted_data

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
START = TODAY - timedelta(days=400)
LAST_DOSE = TODAY - timedelta(days=40)
DUE_BY = add_months(LAST_DOSE, 6)
WARNING = (
    f"Denosumab stopped (last dose {LAST_DOSE.isoformat()}) with no bisphosphonate follow-on "
    f"since: start one by {DUE_BY.isoformat()}"
)
TICK = "confirm_denosumab_stop"


@pytest.fixture
def denosumab(patient: Patient, physician: User) -> BoneTherapyCourse:
    course = BoneTherapyCourse.objects.create(
        patient=patient,
        drug="denosumab",
        dose="60 mg every 6 months",
        start_date=START,
        dental_review_date=START - timedelta(days=10),
        entered_by=physician,
    )
    for day in (START, add_months(START, 6), LAST_DOSE):
        BoneTherapyDose.objects.create(course=course, given_on=day, entered_by=physician)
    patient_assessment_refresh(patient=patient)
    return course


def _url(course: BoneTherapyCourse) -> str:
    return reverse("monitoring:therapy_update", args=[course.patient_id, course.pk])


def _stop_form(client: Client, course: BoneTherapyCourse) -> dict[str, str]:
    data = posted_data(client.get(_url(course)).text, having="drug")
    return data | {"stop_date": TODAY.isoformat(), "stop_reason": "patient preference"}


def _changes() -> int:
    return AuditEvent.objects.filter(action=AuditAction.CHANGE).count()


def test_the_form_warns_and_saves_nothing_without_the_tick(
    physician_client: Client, denosumab: BoneTherapyCourse
) -> None:
    opened = physician_client.get(_url(denosumab)).text
    assert 'name="confirm_denosumab_stop"' not in opened  # asked only with a stop
    before = _changes()
    shown = physician_client.post(_url(denosumab), _stop_form(physician_client, denosumab))
    assert shown.status_code == 200
    assert 'data-testid="denosumab-stop-warning"' in shown.text
    assert WARNING in shown.text
    assert "DMAB-STOP" in shown.text
    errors = shown.context["form"].errors
    assert "no bisphosphonate follow-on recorded: tick this" in errors[TICK][0]
    stored = BoneTherapyCourse.objects.get(pk=denosumab.pk)
    assert (stored.stop_date, stored.stop_reason, stored.version) == (None, "", denosumab.version)
    assert _changes() == before


def test_with_the_tick_the_stop_saves_and_the_audit_keeps_it(
    physician_client: Client, denosumab: BoneTherapyCourse
) -> None:
    data = _stop_form(physician_client, denosumab) | {TICK: "on"}
    saved = physician_client.post(_url(denosumab), data, follow=True)
    assert "Therapy changed; the assessment is updated." in saved.text
    stored = BoneTherapyCourse.objects.get(pk=denosumab.pk)
    assert (stored.stop_date, stored.stop_reason) == (TODAY, "patient preference")
    event = AuditEvent.objects.filter(action=AuditAction.CHANGE).latest("pk")
    assert event.changes["denosumab_stop_confirmed"].startswith(WARNING)
    # The rule's alert now stands, as the warning said.
    assert denosumab.patient.alerts.filter(
        code="DENOSUMAB_STOPPED_NO_FOLLOW_ON", cleared_at__isnull=True
    ).exists()


def test_the_service_refuses_the_stop_unconfirmed(
    physician: User, denosumab: BoneTherapyCourse
) -> None:
    values = {"stop_date": TODAY, "stop_reason": "patient preference"}
    with pytest.raises(UnconfirmedStopError) as refused:
        bone_therapy_update(
            actor=physician, course=denosumab, values=values, expected_version=denosumab.version
        )
    assert refused.value.warning.startswith(WARNING)
    assert BoneTherapyCourse.objects.get(pk=denosumab.pk).stop_date is None
    bone_therapy_update(
        actor=physician,
        course=BoneTherapyCourse.objects.get(pk=denosumab.pk),
        values=values,
        expected_version=denosumab.version,
        stop_confirmed=True,
    )
    assert BoneTherapyCourse.objects.get(pk=denosumab.pk).stop_date == TODAY


def test_a_follow_on_running_asks_nothing(
    physician_client: Client, physician: User, patient: Patient, denosumab: BoneTherapyCourse
) -> None:
    """Denosumab stopped 20 days ago, alendronate since: moving the stop date asks nothing, and
    opening and saving the course unchanged changes nothing."""
    stopped = TODAY - timedelta(days=20)
    denosumab.stop_date, denosumab.stop_reason = stopped, "switch"
    denosumab.save()
    BoneTherapyCourse.objects.create(
        patient=patient, drug="alendronate", dose="70 mg weekly", start_date=stopped
    )
    patient_assessment_refresh(patient=patient)
    course = BoneTherapyCourse.objects.get(pk=denosumab.pk)
    unchanged = posted_data(physician_client.get(_url(course)).text, having="drug")
    before = _changes()
    response = physician_client.post(_url(course), unchanged, follow=True)
    assert "denosumab-stop-warning" not in response.text
    assert "Nothing was changed: the record is as it was." in response.text
    assert _changes() == before
    moved = unchanged | {"stop_date": (stopped - timedelta(days=1)).isoformat()}
    response = physician_client.post(_url(course), moved, follow=True)
    assert "Therapy changed" in response.text
    assert BoneTherapyCourse.objects.get(pk=denosumab.pk).stop_date == stopped - timedelta(days=1)


def test_a_stopped_course_without_follow_on_saved_unchanged_asks_nothing(
    physician_client: Client, denosumab: BoneTherapyCourse
) -> None:
    """The stop was confirmed when it was saved; the form opened again and saved as it is."""
    denosumab.stop_date, denosumab.stop_reason = TODAY, "patient preference"
    denosumab.save()
    course = BoneTherapyCourse.objects.get(pk=denosumab.pk)
    unchanged = posted_data(physician_client.get(_url(course)).text, having="drug")
    before = _changes()
    response = physician_client.post(_url(course), unchanged, follow=True)
    assert "denosumab-stop-warning" not in response.text
    assert "Nothing was changed: the record is as it was." in response.text
    assert _changes() == before


@pytest.mark.parametrize("follow_on", ["alendronate", "zoledronic_acid"])
def test_a_switch_to_the_follow_on_asks_nothing(
    physician: User, patient: Patient, denosumab: BoneTherapyCourse, follow_on: str
) -> None:
    """The new course is the follow-on (zoledronic acid: decided, its infusion awaited)."""
    results_in_range(patient, TODAY - timedelta(days=3))
    course = bone_therapy_start(
        actor=physician,
        patient=patient,
        values={
            "drug": follow_on,
            "dose": "as labelled",
            "start_date": TODAY,
            "stop_date": None,
            "dental_review_date": TODAY - timedelta(days=5),
        },
        stop_current=CourseSwitch(
            course_pk=denosumab.pk, stop_date=TODAY, expected_version=denosumab.version
        ),
    )
    assert course.drug == follow_on
    assert BoneTherapyCourse.objects.get(pk=denosumab.pk).stop_date == TODAY


def test_a_denosumab_course_recorded_as_stopped_asks_too(
    physician_client: Client, patient: Patient
) -> None:
    """A past course entered after the fact, stopped with no follow-on: the same warning."""
    url = reverse("monitoring:therapy_create", args=[patient.pk])
    data = posted_data(physician_client.get(url).text, having="drug") | {
        "drug": "denosumab",
        "dose": "60 mg",
        "start_date": (TODAY - timedelta(days=100)).isoformat(),
        "stop_date": (TODAY - timedelta(days=10)).isoformat(),
        "stop_reason": "given elsewhere",
    }
    shown = physician_client.post(url, data)
    assert 'data-testid="denosumab-stop-warning"' in shown.text
    assert not BoneTherapyCourse.objects.exists()
    physician_client.post(url, data | {TICK: "on"})
    assert BoneTherapyCourse.objects.get().stop_reason == "given elsewhere"


def _switch_form(client: Client, patient: Patient, **values: str) -> tuple[str, dict[str, str]]:
    url = reverse("monitoring:therapy_create", args=[patient.pk])
    data = posted_data(client.get(url).text, having="drug") | {
        "drug": "zoledronic_acid",
        "dose": "4 mg every 6 months",
        "stop_current": "on",
        "stop_current_on": TODAY.isoformat(),
        **values,
    }
    return url, data


def test_a_switch_to_zoledronic_acid_planned_with_no_start_asks(
    physician_client: Client, patient: Patient, denosumab: BoneTherapyCourse
) -> None:
    """recheck11 #1: no start date, no follow-on for the rule (its critical alert came after an
    unasked save); the switch asks as the stop on the edit form does, nothing saved unticked."""
    url, data = _switch_form(physician_client, patient, start_date="")
    before = _changes()
    shown = physician_client.post(url, data)
    assert shown.status_code == 200
    assert 'data-testid="denosumab-stop-warning"' in shown.text
    assert WARNING in shown.text
    assert BoneTherapyCourse.objects.filter(patient=patient).count() == 1
    stored = BoneTherapyCourse.objects.get(pk=denosumab.pk)
    assert (stored.stop_date, stored.version) == (None, denosumab.version)
    assert _changes() == before
    saved = physician_client.post(url, data | {TICK: "on"}, follow=True)
    assert "Therapy saved" in saved.text
    planned = BoneTherapyCourse.objects.get(patient=patient, drug="zoledronic_acid")
    assert planned.start_date is None
    assert BoneTherapyCourse.objects.get(pk=denosumab.pk).stop_date == TODAY
    created = AuditEvent.objects.filter(action=AuditAction.CREATE).latest("pk")
    assert created.changes["denosumab_stop_confirmed"].startswith(WARNING)


def test_the_service_refuses_a_switch_to_an_undated_plan_unconfirmed(
    physician: User, patient: Patient, denosumab: BoneTherapyCourse
) -> None:
    values = {"drug": "zoledronic_acid", "dose": "4 mg every 6 months", "start_date": None}
    switch = CourseSwitch(course_pk=denosumab.pk, stop_date=TODAY, expected_version=1)
    with pytest.raises(UnconfirmedStopError):
        bone_therapy_start(actor=physician, patient=patient, values=values, stop_current=switch)
    assert list(BoneTherapyCourse.objects.filter(patient=patient)) == [denosumab]
    assert BoneTherapyCourse.objects.get(pk=denosumab.pk).stop_date is None


def test_a_switch_to_zoledronic_acid_started_today_asks_nothing(
    physician_client: Client, patient: Patient, denosumab: BoneTherapyCourse
) -> None:
    """Started as the follow-on (its infusion awaited): the decision is made, no prompt."""
    results_in_range(patient, TODAY - timedelta(days=3))
    url, data = _switch_form(
        physician_client,
        patient,
        start_date=TODAY.isoformat(),
        dental_review_date=(TODAY - timedelta(days=5)).isoformat(),
    )
    saved = physician_client.post(url, data, follow=True)
    assert "denosumab-stop-warning" not in saved.text
    assert "Therapy saved" in saved.text
    assert BoneTherapyCourse.objects.get(patient=patient, drug="zoledronic_acid").start_date == (
        TODAY
    )
    assert BoneTherapyCourse.objects.get(pk=denosumab.pk).stop_date == TODAY
