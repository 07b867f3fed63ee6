"""Ending follow-up while denosumab's follow-on is pending (phys12 F1).

A physician discharged a patient whose denosumab had just been stopped with no follow-on: its
DMAB-STOP alert was a warning (critical only after the last dose + 6 months), the form named only
high and critical alerts, and once ended she was on no list and not reassessed. Now the form names
every open alert, worst first, and asks for the same tick as an active denosumab course, naming
the follow-on, its date and the rebound risk; the service asks for it again under the patient's
lock and the audit row keeps the words. The race with a colleague's stop: the PostgreSQL test
tests/patients/test_end_follow_up_follow_on_race.py."""

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import User
from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.domain.dates import add_months
from monitoring.models import Alert, BoneTherapyCourse, BoneTherapyDose
from monitoring.records.services.therapy import bone_therapy_update
from patients import services
from patients.follow_up_forms import TREATMENT_FIELD, TREATMENTS_CHANGED
from patients.models import FollowUpStatus, Patient
from patients.selectors import patient_follow_on_confirmations
from tests.html_forms import posted_data

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
LAST_DOSE = TODAY - timedelta(days=40)
DUE_BY = add_months(LAST_DOSE, 6)  # DMAB-STOP: the last dose + 6 months
TYPED = {"ended_on": TODAY.isoformat(), "reason": "moved to another region"}


def _denosumab(patient: Patient, *, stop: date | None) -> BoneTherapyCourse:
    course = BoneTherapyCourse.objects.create(
        patient=patient,
        drug="denosumab",
        start_date=TODAY - timedelta(days=400),
        stop_date=stop,
    )
    BoneTherapyDose.objects.create(course=course, given_on=TODAY - timedelta(days=220))
    BoneTherapyDose.objects.create(course=course, given_on=LAST_DOSE)
    patient_assessment_refresh(patient=patient)
    return course


def just_stopped(patient: Patient) -> Alert:
    """The tester's P12-S0: denosumab stopped days ago, no follow-on, DMAB-STOP a warning."""
    _denosumab(patient, stop=TODAY - timedelta(days=5))
    alert = Alert.objects.get(
        patient=patient, code="DENOSUMAB_STOPPED_NO_FOLLOW_ON", cleared_at__isnull=True
    )
    assert alert.severity == "warning"
    return alert


def _url(patient: Patient) -> str:
    return reverse("patients:end_follow_up", args=[patient.pk])


def _shown(client: Client, patient: Patient) -> dict[str, str]:
    """The form as the browser got it, with what the physician types."""
    return {**posted_data(client.get(_url(patient)).text, having="ended_on"), **TYPED}


def _events() -> int:
    return AuditEvent.objects.exclude(action=AuditAction.VIEW).count()


def _not_ended(patient: Patient, events: int) -> None:
    patient.refresh_from_db()
    assert patient.follow_up_status == FollowUpStatus.ACTIVE
    assert patient.follow_up_ended_on is None
    assert patient.follow_up_end_reason == ""
    assert _events() == events


def test_every_open_alert_is_named_the_most_severe_first(
    physician_client: Client, patient: Patient
) -> None:
    warning = just_stopped(patient)
    high = Alert.objects.create(
        patient=patient,
        code="HYPOCALCEMIA_RISK_RENAL",
        severity="high",
        severity_rank=2,
        message="Kidney function low on denosumab.",
        raised_at=timezone.now(),
    )
    open_now = list(Alert.objects.filter(patient=patient, cleared_at__isnull=True))
    assert {alert.severity for alert in open_now} >= {"high", "warning", "info"}
    page = physician_client.get(_url(patient)).text
    places = {alert.pk: page.index(f'id="open-alert-{alert.pk}"') for alert in open_now}
    shown = sorted(open_now, key=lambda alert: places[alert.pk])
    ranks = [alert.severity_rank for alert in shown]
    assert ranks == sorted(ranks, reverse=True)
    assert shown[0] == high
    assert f"<strong>Warning</strong> since {warning.raised_at:%Y-%m-%d}" in page
    assert warning.message in page
    assert "<strong>Info</strong>" in page


def test_the_confirmation_names_the_follow_on_its_date_and_the_rebound_risk(
    physician_client: Client, patient: Patient
) -> None:
    just_stopped(patient)
    response = physician_client.get(_url(patient))
    form = response.context["form"]
    label = form.fields[TREATMENT_FIELD].label
    assert "the bisphosphonate follow-on to denosumab" in label
    assert f"due by {DUE_BY:%Y-%m-%d} (6 months after the last dose, {LAST_DOSE:%Y-%m-%d})" in label
    assert "rebound vertebral fractures" in label
    assert f'name="{TREATMENT_FIELD}"' in response.text
    assert f"one is due by {DUE_BY:%Y-%m-%d}" in response.text  # the warning above the form


def test_without_the_tick_follow_up_is_not_ended(
    physician_client: Client, patient: Patient
) -> None:
    just_stopped(patient)
    data = _shown(physician_client, patient)
    assert TREATMENT_FIELD not in data
    events = _events()
    response = physician_client.post(_url(patient), data)
    assert response.status_code == 200
    assert response.context["form"].errors[TREATMENT_FIELD] == [
        "Tick this to end follow-up while the treatment or follow-on above is active or pending."
    ]
    _not_ended(patient, events)


def test_with_the_tick_it_ends_and_the_audit_keeps_the_words(
    physician_client: Client, patient: Patient
) -> None:
    alert = just_stopped(patient)
    confirmed = patient_follow_on_confirmations(patient=patient)
    response = physician_client.post(
        _url(patient), {**_shown(physician_client, patient), TREATMENT_FIELD: "on"}
    )
    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.follow_up_status == FollowUpStatus.ENDED
    assert patient.follow_up_end_reason == "moved to another region"
    event = AuditEvent.objects.filter(patient=patient, action=AuditAction.CHANGE).latest("pk")
    assert event.changes["follow_on_confirmed"] == confirmed
    assert f"due by {DUE_BY:%Y-%m-%d}" in event.changes["follow_on_confirmed"][0]
    assert event.changes["follow_up_end_reason"] == ["", "moved to another region"]
    alert.refresh_from_db()
    assert alert.cleared_at is None  # ending closes no alert


def test_the_service_refuses_without_the_confirmation(patient: Patient, physician: User) -> None:
    just_stopped(patient)
    events = _events()
    with pytest.raises(services.FollowOnNotConfirmedError):
        services.patient_end_follow_up(
            actor=physician, patient=patient, ended_on=TODAY, reason="moved away"
        )
    with pytest.raises(services.FollowOnNotConfirmedError):  # words for something else
        services.patient_end_follow_up(
            actor=physician,
            patient=patient,
            ended_on=TODAY,
            reason="moved away",
            treatments_confirmed=["the next denosumab injection (no dose due)"],
        )
    _not_ended(patient, events)


def test_a_stop_recorded_after_the_page_was_shown_asks_again(
    physician_client: Client, patient: Patient, physician: User
) -> None:
    course = _denosumab(patient, stop=None)  # active: the tick confirms its next injection
    data = {**_shown(physician_client, patient), TREATMENT_FIELD: "on"}
    bone_therapy_update(
        actor=physician,
        course=BoneTherapyCourse.objects.get(pk=course.pk),
        values={"stop_date": TODAY - timedelta(days=1), "stop_reason": "patient declined"},
        expected_version=course.version,
        stop_confirmed=True,
    )
    events = _events()
    response = physician_client.post(_url(patient), data)
    assert response.status_code == 200
    assert response.context["form"].errors[TREATMENT_FIELD] == [TREATMENTS_CHANGED]
    assert f"one is due by {DUE_BY:%Y-%m-%d}" in response.text  # what stands now
    _not_ended(patient, events)
    again = {**posted_data(response.text, having="ended_on"), TREATMENT_FIELD: "on"}
    assert physician_client.post(_url(patient), again).status_code == 302


def test_a_stop_committed_while_saving_is_refused_by_the_service(
    physician_client: Client,
    patient: Patient,
    physician: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The service's own check: the form was built before the stop, the service reads what
    ending needs under the lock (the race itself: the PostgreSQL test)."""
    course = _denosumab(patient, stop=None)
    data = {**_shown(physician_client, patient), TREATMENT_FIELD: "on"}
    real = services.patient_end_follow_up

    def stopped_meanwhile(**kwargs: object) -> Patient:
        bone_therapy_update(
            actor=physician,
            course=BoneTherapyCourse.objects.get(pk=course.pk),
            values={"stop_date": TODAY - timedelta(days=1), "stop_reason": "patient declined"},
            expected_version=course.version,
            stop_confirmed=True,
        )
        return real(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(services, "patient_end_follow_up", stopped_meanwhile)
    events = _events()
    response = physician_client.post(_url(patient), data)
    assert response.status_code == 200
    assert response.context["form"].errors[TREATMENT_FIELD] == [TREATMENTS_CHANGED]
    patient.refresh_from_db()
    assert patient.follow_up_status == FollowUpStatus.ACTIVE
    assert _events() == events + 1  # the colleague's stop only


def test_zoledronic_acid_started_as_the_follow_on_asks_for_its_infusion(
    physician_client: Client, patient: Patient
) -> None:
    _denosumab(patient, stop=TODAY - timedelta(days=5))
    BoneTherapyCourse.objects.create(
        patient=patient, drug="zoledronic_acid", start_date=TODAY - timedelta(days=2)
    )
    patient_assessment_refresh(patient=patient)
    label = physician_client.get(_url(patient)).context["form"].fields[TREATMENT_FIELD].label
    assert "the first zoledronic acid infusion" in label
    assert f"due by {DUE_BY:%Y-%m-%d}" in label


def test_a_follow_on_in_place_asks_nothing(physician_client: Client, patient: Patient) -> None:
    _denosumab(patient, stop=TODAY - timedelta(days=5))
    BoneTherapyCourse.objects.create(
        patient=patient, drug="alendronate", start_date=TODAY - timedelta(days=3)
    )
    patient_assessment_refresh(patient=patient)
    page = physician_client.get(_url(patient)).text
    assert TREATMENT_FIELD not in page
    assert not Alert.objects.filter(
        patient=patient, code="DENOSUMAB_STOPPED_NO_FOLLOW_ON", cleared_at__isnull=True
    ).exists()


def test_the_ended_patients_page_says_the_follow_on_is_pending(
    physician_client: Client,
    patient: Patient,
    physician: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    alert = just_stopped(patient)
    services.patient_end_follow_up(
        actor=physician,
        patient=patient,
        ended_on=TODAY,
        reason="moved to another region",
        treatments_confirmed=patient_follow_on_confirmations(patient=patient),
    )
    page_url = reverse("monitoring:patient", args=[patient.pk])
    page = physician_client.get(page_url).text
    assert f"Follow-up ended on {TODAY:%Y-%m-%d}: moved to another region." in page
    assert f"the open alerts below stand as last assessed, on {TODAY:%Y-%m-%d}" in page
    assert f'id="alert-{alert.pk}"' in page  # her open alerts as of the end
    assert 'id="ended-follow-on-pending"' in page
    assert f"the follow-on is due by {DUE_BY:%Y-%m-%d}" in page
    # After the date, with no nightly reassessment, the stored alert is still a warning: the
    # page says the follow-on is overdue all the same.
    later = DUE_BY + timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args: later)
    page = physician_client.get(page_url).text
    assert f"the follow-on was due by {DUE_BY:%Y-%m-%d} and is overdue" in page
    alert.refresh_from_db()
    assert alert.severity == "warning"
    assert alert.cleared_at is None


def test_a_followed_patients_page_has_no_such_banner(
    physician_client: Client, patient: Patient
) -> None:
    just_stopped(patient)
    page = physician_client.get(reverse("monitoring:patient", args=[patient.pk])).text
    assert "ended-follow-on-pending" not in page
