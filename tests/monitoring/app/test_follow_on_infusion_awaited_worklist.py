"""The worklist reads the follow-on's awaited infusion from the alert the rules stored.

Denosumab stopped, zoledronic acid started as its follow-on, the infusion not recorded: the
rules raise DENOSUMAB_FOLLOW_ON_INFUSION_AWAITED (not a therapy decision code) in place of
DENOSUMAB_STOPPED_NO_FOLLOW_ON, and schedule the infusion. The worklist once guessed that state
in SQL (a zoledronic acid infusion due on a zoledronic acid course's start), which a routine
infusion due on a planned course's start also matched, hiding the physician's decision. Now the
decision row follows the stored code alone, whatever the schedule holds.
"""

import csv
import datetime as dt
import io
from datetime import timedelta

import pytest
from django.http import StreamingHttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from bonehealth.accounts.models import User
from monitoring.assessment.permissions import THERAPY_DECISION_CODES, acknowledgement_closes
from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.domain import BoneTherapyCourse as DomainCourse
from monitoring.domain import RuleId, assess, follow_on_infusion_awaited
from monitoring.domain.dates import add_months
from monitoring.models import Alert, BoneTherapyCourse, BoneTherapyDose, ScheduledItem
from monitoring.overview.alert_work import DECISION, WORK_OF_ALERT
from monitoring.records.services.in_error import entry_mark_in_error
from patients.models import Patient
from tests.factories import results_in_range
from tests.monitoring.domain.builders import history
from tests.monitoring.domain.test_follow_on_infusion_awaited import (
    DMAB_STOPPED,
    as_of_dates,
    bisphosphonate_courses,
)

TODAY = timezone.localdate()
STOPPED = "DENOSUMAB_STOPPED_NO_FOLLOW_ON"
AWAITED = "DENOSUMAB_FOLLOW_ON_INFUSION_AWAITED"
STOPPED_LABEL = "Denosumab stopped without follow-on therapy"
AWAITED_LABEL = "Denosumab stopped: follow-on zoledronic acid not given yet"
WORKLIST = reverse("monitoring:worklist")


def test_the_decision_codes_hold_the_decision_and_not_the_awaited_infusion() -> None:
    assert STOPPED in THERAPY_DECISION_CODES
    assert AWAITED not in THERAPY_DECISION_CODES
    assert AWAITED not in WORK_OF_ALERT  # its work is the schedule's infusion


@given(st.lists(bisphosphonate_courses(), max_size=3), as_of_dates)
def test_the_awaited_infusion_and_the_decision_row_exclude_each_other(
    courses: list[DomainCourse], as_of: dt.date
) -> None:
    """Whenever DMAB-STOP stands, its alert asks for the physician's decision row exactly when
    no zoledronic acid course awaits its infusion as the follow-on."""
    past = history(bone_therapy=(DMAB_STOPPED, *courses))
    alerts = [a for a in assess(past, as_of=as_of).alerts if RuleId.DMAB_STOP in a.rules]
    asks_decision = any(WORK_OF_ALERT.get(a.code, ("", ""))[0] == DECISION for a in alerts)
    awaited = follow_on_infusion_awaited(past, as_of) is not None
    assert asks_decision is (bool(alerts) and not awaited)


def _denosumab(patient: Patient, doses: list[int], stopped_ago: int) -> None:
    """A denosumab course with injections `doses` days ago, stopped `stopped_ago` days ago."""
    results_in_range(patient, TODAY - timedelta(days=20))
    course = BoneTherapyCourse.objects.create(
        patient=patient,
        drug="denosumab",
        start_date=TODAY - timedelta(days=doses[0]),
        stop_date=TODAY - timedelta(days=stopped_ago),
        dental_review_date=TODAY - timedelta(days=doses[0] + 20),
    )
    for days in doses:
        BoneTherapyDose.objects.create(course=course, given_on=TODAY - timedelta(days=days))


def _zoledronic(patient: Patient, start: dt.date, *, infused: bool = False) -> BoneTherapyCourse:
    course = BoneTherapyCourse.objects.create(
        patient=patient,
        drug="zoledronic_acid",
        start_date=start,
        dental_review_date=min(start, TODAY) - timedelta(days=10),
    )
    if infused:
        BoneTherapyDose.objects.create(course=course, given_on=start)
    return course


def _open(patient: Patient) -> dict[str, str]:
    alerts = Alert.objects.filter(patient=patient, code__in=[STOPPED, AWAITED], cleared_at=None)
    return dict(alerts.values_list("code", "severity"))


def _za_due(patient: Patient) -> list[dt.date]:
    rows = ScheduledItem.objects.filter(patient=patient, item="zoledronic_acid_dose")
    return list(rows.values_list("due", flat=True))


def _work(client: Client, patient: Patient) -> list[str]:
    response = client.get(WORKLIST)
    assert response.status_code == 200
    return [w.item for w in response.context["work"].object_list if w.patient_id == patient.pk]


def _csv(client: Client, patient: Patient) -> list[tuple[str, str, str, str]]:
    response = client.get(reverse("monitoring:worklist_csv"))
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return [
        (row["asked_by"], row["item"], row["severity"], row["alert"])
        for row in csv.DictReader(io.StringIO(text))
        if row["mrn"] == patient.mrn and "DEXA" not in row["item"]
    ]


@pytest.mark.django_db
def test_the_decision_row_gives_way_to_the_infusion_and_comes_back_when_it_is_in_error(
    patient: Patient,
    physician: User,
    nurse: User,
    physician_client: Client,
    nurse_client: Client,
) -> None:
    _denosumab(patient, [500, 318], stopped_ago=200)
    patient_assessment_refresh(patient=patient)
    assert _open(patient) == {STOPPED: "critical"}
    assert _work(physician_client, patient) == [DECISION]

    za = _zoledronic(patient, TODAY - timedelta(days=2))
    patient_assessment_refresh(patient=patient)
    assert _open(patient) == {AWAITED: "critical"}
    assert _za_due(patient) == [TODAY - timedelta(days=2)]
    for client in (physician_client, nurse_client):
        assert _work(client, patient) == []
    assert _csv(nurse_client, patient) == [
        ("schedule", "Zoledronic acid infusion", "critical", AWAITED_LABEL)
    ]

    # The course was entered in error: no follow-on was started, the decision is asked again.
    entry_mark_in_error(actor=physician, entry=za, patient=patient, reason="wrong patient")
    assert _open(patient) == {STOPPED: "critical"}
    assert _za_due(patient) == []
    assert _work(physician_client, patient) == [DECISION]
    assert _csv(physician_client, patient) == [
        ("open alert", "Therapy decision (physician)", "critical", STOPPED_LABEL)
    ]


@pytest.mark.django_db
def test_a_routine_infusion_due_on_a_planned_course_s_start_leaves_the_decision(
    patient: Patient, physician_client: Client
) -> None:
    """Zoledronic acid begun before denosumab's last injection (so no follow-on), its next
    infusion due on the start of a course planned for that day: what the SQL guess took for
    the awaited follow-on. No follow-on is started; the decision row stays."""
    _denosumab(patient, [300, 120], stopped_ago=30)
    begun = TODAY - timedelta(days=150)
    _zoledronic(patient, begun, infused=True)
    _zoledronic(patient, add_months(begun, 6))  # planned: starts after today
    patient_assessment_refresh(patient=patient)
    assert _za_due(patient) == [add_months(begun, 6)]
    assert _open(patient) == {STOPPED: "warning"}
    assert _work(physician_client, patient) == [DECISION]


@pytest.mark.django_db
def test_two_courses_awaiting_their_infusion_ask_for_one_infusion_and_no_decision(
    patient: Patient, physician_client: Client
) -> None:
    _denosumab(patient, [300, 120], stopped_ago=30)
    for days in (9, 4):
        _zoledronic(patient, TODAY - timedelta(days=days))
    patient_assessment_refresh(patient=patient)
    assert _open(patient) == {AWAITED: "warning"}
    assert _za_due(patient) == [TODAY - timedelta(days=9)]
    assert _work(physician_client, patient) == []


@pytest.mark.django_db
def test_a_nurse_acknowledges_the_awaited_infusion_but_only_notes_the_decision(
    patient: Patient, nurse: User
) -> None:
    """Not a therapy decision: a nurse's acknowledgement of the warning closes it."""
    _denosumab(patient, [300, 120], stopped_ago=30)
    _zoledronic(patient, TODAY - timedelta(days=4))
    patient_assessment_refresh(patient=patient)
    awaited = Alert.objects.get(patient=patient, code=AWAITED, cleared_at=None)
    assert acknowledgement_closes(nurse, awaited)
    assert not acknowledgement_closes(nurse, Alert(patient=patient, code=STOPPED))


def _letter(client: Client, patient: Patient, kind: str) -> str:
    response = client.get(reverse("monitoring:letter", args=[patient.pk, kind]))
    assert response.status_code == 200
    return " ".join(response.text.split())


@pytest.mark.django_db
def test_the_letters_ask_for_the_infusion_not_for_a_bisphosphonate(
    patient: Patient, nurse_client: Client
) -> None:
    _denosumab(patient, [300, 120], stopped_ago=30)
    patient_assessment_refresh(patient=patient)
    doctor = _letter(nurse_client, patient, "doctor")
    assert "a bisphosphonate is advised" in doctor  # the decision, still to make

    _zoledronic(patient, TODAY - timedelta(days=4))
    patient_assessment_refresh(patient=patient)
    doctor = _letter(nurse_client, patient, "doctor")
    assert "a bisphosphonate is advised" not in doctor
    assert "Zoledronic acid is planned as the follow-on after denosumab: give the infusion" in (
        doctor
    )
    assert f"{AWAITED_LABEL}: Denosumab stopped" in doctor
    to_patient = _letter(nurse_client, patient, "patient")
    assert "you need another bone medicine" not in to_patient
    assert "you need the zoledronic acid infusion we have planned" in to_patient
