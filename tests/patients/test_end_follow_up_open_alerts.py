"""Ending follow-up while a high or critical alert is open (physician9 F7): the form names each
alert (severity, since when, its message) and says they leave the dashboard and the worklist;
ending needs a tick, and a list that changed since the page was shown is refused, the form shown
again with the current list and what was typed. The service checks the list again under the
patient's lock (tests/patients/test_end_follow_up_alert_race.py races it on PostgreSQL)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import User
from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.models import Alert, BoneTherapyCourse, BoneTherapyDose
from patients import services
from patients.follow_up_forms import ALERTS_CHANGED
from patients.models import FollowUpStatus, Patient
from tests.conftest import confirmed_treatments
from tests.html_forms import posted_data

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
TYPED = {"ended_on": TODAY.isoformat(), "reason": "Discharged to GP care"}
# The stopped denosumab of these tests asks for its own tick too (its follow-on pending, phys12 F1:
# tests/patients/test_end_follow_up_follow_on.py).
BOTH_TICKS = {"confirm_open_alerts": "on", "confirm_active_treatment": "on"}


def denosumab_stopped_without_follow_on(patient: Patient) -> Alert:
    """The reviewers' PHYS9-DMABSTOP2: last injection 10 months ago, stopped, no follow-on."""
    course = BoneTherapyCourse.objects.create(
        patient=patient,
        drug="denosumab",
        start_date=TODAY - timedelta(days=500),
        stop_date=TODAY - timedelta(days=200),
    )
    BoneTherapyDose.objects.create(course=course, given_on=TODAY - timedelta(days=305))
    patient_assessment_refresh(patient=patient)
    return Alert.objects.get(
        patient=patient, code="DENOSUMAB_STOPPED_NO_FOLLOW_ON", cleared_at__isnull=True
    )


def _url(patient: Patient) -> str:
    return reverse("patients:end_follow_up", args=[patient.pk])


def _shown(client: Client, patient: Patient) -> dict[str, str]:
    """The form as the browser got it, with what the physician types."""
    return {**posted_data(client.get(_url(patient)).text, having="ended_on"), **TYPED}


def _unchanged(patient: Patient, events: int) -> None:
    patient.refresh_from_db()
    assert patient.follow_up_status == FollowUpStatus.ACTIVE
    assert patient.follow_up_ended_on is None
    assert AuditEvent.objects.exclude(action=AuditAction.VIEW).count() == events


def _events() -> int:
    return AuditEvent.objects.exclude(action=AuditAction.VIEW).count()


def test_the_form_names_each_open_alert_and_what_ending_does_to_it(
    physician_client: Client, patient: Patient
) -> None:
    alert = denosumab_stopped_without_follow_on(patient)
    assert alert.severity == "critical"
    page = physician_client.get(_url(patient)).text
    assert f'id="open-alert-{alert.pk}"' in page
    assert f"<strong>Critical</strong> since {alert.raised_at:%Y-%m-%d} (not acknowledged)" in page
    assert alert.message in page
    assert "they leave the dashboard and the worklist with the patient" in page
    assert 'name="confirm_open_alerts"' in page


def test_without_the_tick_nothing_is_saved(physician_client: Client, patient: Patient) -> None:
    denosumab_stopped_without_follow_on(patient)
    data = _shown(physician_client, patient)
    events = _events()
    response = physician_client.post(_url(patient), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["confirm_open_alerts"] == [
        "Tick this to end follow-up while the alerts above are open."
    ]
    assert form["reason"].value() == "Discharged to GP care"
    _unchanged(patient, events)


def test_with_the_tick_follow_up_ends_and_the_alert_stays_open(
    physician_client: Client, patient: Patient
) -> None:
    alert = denosumab_stopped_without_follow_on(patient)
    data = {**_shown(physician_client, patient), **BOTH_TICKS}
    response = physician_client.post(_url(patient), data)
    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.follow_up_status == FollowUpStatus.ENDED
    assert patient.follow_up_end_reason == "Discharged to GP care"
    alert.refresh_from_db()
    assert alert.cleared_at is None  # ending follow-up closes no alert


def test_a_warning_alone_needs_no_tick(
    physician_client: Client, patient: Patient, physician: User
) -> None:
    Alert.objects.create(
        patient=patient,
        code="VITAMIN_D_DEFICIENT",
        severity="warning",
        severity_rank=1,
        message="Vitamin D low.",
        raised_at=timezone.now(),
    )
    page = physician_client.get(_url(patient)).text
    assert "Vitamin D low." in page  # named (phys12 F1), with no tick to give
    assert "confirm_open_alerts" not in page
    assert physician_client.post(_url(patient), TYPED).status_code == 302


def test_an_alert_raised_after_the_form_was_shown_is_refused(
    physician_client: Client, patient: Patient
) -> None:
    data = _shown(physician_client, patient)  # no alert open: no tick asked for
    assert "confirm_open_alerts" not in data
    alert = denosumab_stopped_without_follow_on(patient)
    events = _events()
    response = physician_client.post(_url(patient), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["confirm_open_alerts"] == [ALERTS_CHANGED]
    assert form["reason"].value() == "Discharged to GP care"  # what was typed is kept
    assert f'id="open-alert-{alert.pk}"' in response.text  # the list as it is now
    _unchanged(patient, events)
    # The form shown again carries the current list: ticked, it saves.
    again = {**posted_data(response.text, having="ended_on"), **BOTH_TICKS}
    assert physician_client.post(_url(patient), again).status_code == 302


def test_a_tick_given_for_another_list_is_cleared(
    physician_client: Client, patient: Patient
) -> None:
    denosumab_stopped_without_follow_on(patient)
    data = {**_shown(physician_client, patient), "confirm_open_alerts": "on"}
    raised = Alert.objects.create(
        patient=patient,
        code="HYPOCALCEMIA",
        severity="critical",
        severity_rank=3,
        message="Calcium low: do not give denosumab until it is corrected.",
        raised_at=timezone.now(),
    )
    events = _events()
    response = physician_client.post(_url(patient), data)
    assert response.status_code == 200
    assert response.context["form"].errors["confirm_open_alerts"] == [ALERTS_CHANGED]
    assert "do not give denosumab until it is corrected" in response.text
    assert f'id="open-alert-{raised.pk}"' in response.text
    assert "confirm_open_alerts" not in posted_data(response.text, having="ended_on")  # unticked
    _unchanged(patient, events)


def test_an_alert_closed_since_the_form_was_shown_is_refused_too(
    physician_client: Client, patient: Patient
) -> None:
    alert = denosumab_stopped_without_follow_on(patient)
    data = {**_shown(physician_client, patient), **BOTH_TICKS}
    Alert.objects.filter(pk=alert.pk).update(cleared_at=timezone.now())
    Alert.objects.filter(patient=patient, severity_rank__gte=2).update(cleared_at=timezone.now())
    events = _events()
    response = physician_client.post(_url(patient), data)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [f"{ALERTS_CHANGED} None is open now."]
    _unchanged(patient, events)
    assert (
        physician_client.post(
            _url(patient), posted_data(response.text, having="ended_on")
        ).status_code
        == 302
    )


def test_the_service_refuses_alerts_it_was_not_told_of(patient: Patient, physician: User) -> None:
    alert = denosumab_stopped_without_follow_on(patient)
    others = Alert.objects.filter(patient=patient, severity_rank__gte=2, cleared_at=None)
    keys = {str(pk) for pk in others.values_list("pk", flat=True)}
    events = _events()
    with pytest.raises(services.OpenAlertsChangedError):
        services.patient_end_follow_up(
            actor=physician, patient=patient, ended_on=TODAY, reason="moved away"
        )
    with pytest.raises(services.OpenAlertsChangedError):
        services.patient_end_follow_up(
            actor=physician,
            patient=patient,
            ended_on=TODAY,
            reason="moved away",
            alerts_confirmed=keys - {str(alert.pk)},
        )
    _unchanged(patient, events)
    services.patient_end_follow_up(
        actor=physician,
        patient=patient,
        ended_on=TODAY,
        reason="moved away",
        alerts_confirmed=keys,
        treatments_confirmed=confirmed_treatments(patient),
    )
    patient.refresh_from_db()
    assert patient.follow_up_status == FollowUpStatus.ENDED


def test_an_alert_raised_while_saving_shows_the_form_again(
    physician_client: Client, patient: Patient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The service's own check: the form read the list before an alert was committed, the
    service reads it under the lock (the race itself: the PostgreSQL test)."""
    data = _shown(physician_client, patient)
    real = services.patient_end_follow_up

    raised: list[Alert] = []

    def alert_committed_meanwhile(**kwargs: object) -> Patient:
        raised.append(denosumab_stopped_without_follow_on(patient))
        return real(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(services, "patient_end_follow_up", alert_committed_meanwhile)
    events = _events()
    response = physician_client.post(_url(patient), data)
    assert response.status_code == 200
    assert response.context["form"].errors["confirm_open_alerts"] == [ALERTS_CHANGED]
    assert f'id="open-alert-{raised[0].pk}"' in response.text
    assert response.context["form"]["reason"].value() == "Discharged to GP care"
    _unchanged(patient, events)
