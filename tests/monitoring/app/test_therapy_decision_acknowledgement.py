"""phys9 F15: an alert asking for a therapy decision is acknowledged only by one who may decide
therapy; a nurse's note on it records that she has seen it and leaves the decision open, on the
physician's worklist and unacknowledged on the dashboard, until a physician acknowledges it."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from bonehealth.accounts.models import Site, User
from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring.assessment.alerts import AlertAlreadySeenError, alert_acknowledge
from monitoring.assessment.permissions import (
    DECIDE_THERAPY_PERMISSION,
    THERAPY_DECISION_CODES,
    acknowledgement_closes,
    user_may_note,
)
from monitoring.models import Alert, PatientAssessment
from monitoring.models.choices import SEVERITY_RANK, Severity
from monitoring.overview.alert_work import DECISION, WORK_OF_ALERT
from patients.models import Patient
from tests.factories import PatientFactory, UserFactory
from tests.monitoring.app.overview_data import alert

pytestmark = pytest.mark.django_db
WORKLIST = reverse("monitoring:worklist")
DASHBOARD = reverse("monitoring:dashboard")
DECISION_ROW = ("DMABESC", "Therapy decision (physician)")


def _work(client: Client) -> list[tuple[str, str]]:
    response = client.get(WORKLIST)
    return [(r.patient.mrn, r.get_item_display()) for r in response.context["work"].object_list]


def _dashboard_row(client: Client, mrn: str) -> str:
    """The dashboard's row of the patient `mrn`, as drawn (from the cache or not)."""
    text = client.get(DASHBOARD).text
    return next(row for row in text.split("<tr>") if f"MRN {mrn}" in row)


@pytest.fixture
def stopped(site: Site) -> Patient:
    return PatientFactory(site=site, mrn="DMABESC")


@pytest.fixture
def decision(stopped: Patient) -> Alert:
    return alert(stopped, "DENOSUMAB_STOPPED_NO_FOLLOW_ON", "warning", days_ago=90)


def test_the_worklist_asks_a_decision_of_every_decision_alert() -> None:
    assert {code for code, (kind, _m) in WORK_OF_ALERT.items() if kind == DECISION} == (
        THERAPY_DECISION_CODES
    )


def test_a_nurses_note_leaves_the_decision_to_the_physician_until_a_physician_acknowledges(
    nurse_client: Client,
    physician_client: Client,
    nurse: User,
    physician: User,
    decision: Alert,
    stopped: Patient,
) -> None:
    # The physician's lists, cached before the nurse writes.
    assert DECISION_ROW in _work(physician_client)
    assert "all acknowledged" not in _dashboard_row(physician_client, "DMABESC")
    url = reverse("monitoring:alert_acknowledge", args=[decision.pk])
    page = nurse_client.get(url)
    assert "Record as seen" in page.text
    assert "your note records that you have seen it" in page.text
    response = nurse_client.post(url, {"note": "Seen, will tell the doctor"}, follow=True)
    assert "Recorded as seen" in response.text
    assert "The therapy decision awaits a physician" in response.text

    decision.refresh_from_db()
    assert decision.acknowledged_at is None
    assert decision.acknowledged_by is None
    assert decision.acknowledgement_note == ""
    assert decision.seen_by == nurse
    assert decision.seen_note == "Seen, will tell the doctor"
    assert decision.seen_at is not None
    event = AuditEvent.objects.get(action=AuditAction.CHANGE, object_type="monitoring.alert")
    assert event.changes["seen_note"] == ["", "Seen, will tell the doctor"]
    assert "acknowledged_at" not in event.changes
    warning = SEVERITY_RANK[Severity.WARNING]
    assert PatientAssessment.objects.get(patient=stopped).worst_unacknowledged_rank == warning

    # Still the physician's decision: on the worklist, unacknowledged on the dashboard, with what
    # the nurse wrote beside it.
    assert DECISION_ROW in _work(physician_client)
    row = _dashboard_row(physician_client, "DMABESC")
    assert "all acknowledged" not in row
    assert "seen by nurse" in row
    assert reverse("monitoring:alert_group_acknowledge", args=[stopped.pk, decision.code]) in row
    patient_page = physician_client.get(reverse("monitoring:patient", args=[stopped.pk])).text
    assert "Seen by nurse" in patient_page
    assert "Seen, will tell the doctor" in patient_page
    assert ">Acknowledge<span" in patient_page
    # The nurse has nothing more to write on it; the worklist tells her a physician decides.
    nurse_page = nurse_client.get(reverse("monitoring:patient", args=[stopped.pk])).text
    assert "Record as seen" not in nurse_page
    assert "a physician decides the therapy" in nurse_page
    assert "<textarea" not in nurse_client.get(url).text

    # The physician decides: the decision closes and the nurse's note stays on the record.
    physician_page = physician_client.get(url)
    assert "Seen by nurse" in physician_page.text
    response = physician_client.post(url, {"note": "Zoledronic acid in 6 months"}, follow=True)
    assert "Alert acknowledged" in response.text
    decision.refresh_from_db()
    assert decision.acknowledged_by == physician
    assert decision.acknowledgement_note == "Zoledronic acid in 6 months"
    assert (decision.seen_by, decision.seen_note) == (nurse, "Seen, will tell the doctor")
    assert PatientAssessment.objects.get(patient=stopped).worst_unacknowledged_rank is None
    assert DECISION_ROW not in _work(physician_client)
    assert "all acknowledged" in _dashboard_row(physician_client, "DMABESC")


def test_a_second_nurses_note_is_refused_and_the_first_stands(
    nurse_client: Client, nurse: User, site: Site, decision: Alert
) -> None:
    url = reverse("monitoring:alert_acknowledge", args=[decision.pk])
    assert nurse_client.get(url).status_code == 200  # opened before her colleague wrote
    colleague = UserFactory(username="nurse2", role="nurse", sites=[site])
    alert_acknowledge(actor=colleague, alert=decision, note="Told the doctor")
    response = nurse_client.post(url, {"note": "Seen as well"})
    assert response.status_code == 409
    assert "nurse2 recorded seeing this alert first" in response.context["form"].errors["note"][0]
    assert "Seen as well" in response.text  # what she typed is kept, not saved
    decision.refresh_from_db()
    assert (decision.seen_by, decision.seen_note, decision.acknowledged_at) == (
        colleague,
        "Told the doctor",
        None,
    )
    events = AuditEvent.objects.filter(object_type="monitoring.alert", object_id=str(decision.pk))
    assert [e.username for e in events] == ["nurse2"]
    with pytest.raises(AlertAlreadySeenError):
        alert_acknowledge(actor=nurse, alert=decision, note="Seen as well")


def test_the_group_page_records_a_nurses_note_as_seen(
    nurse_client: Client,
    physician_client: Client,
    nurse: User,
    physician: User,
    decision: Alert,
    stopped: Patient,
) -> None:
    url = reverse("monitoring:alert_group_acknowledge", args=[stopped.pk, decision.code])
    assert "Record as seen" in nurse_client.get(url).text
    response = nurse_client.post(url, {"alert": [decision.pk], "note": "Seen"}, follow=True)
    assert "Recorded as seen" in response.text
    decision.refresh_from_db()
    assert (decision.seen_by, decision.acknowledged_at) == (nurse, None)
    again = nurse_client.get(url).text
    assert "Seen by nurse" in again
    assert "<textarea" not in again  # nothing left for her to write
    assert DECISION_ROW in _work(physician_client)
    physician_client.post(url, {"alert": [decision.pk], "note": "Alendronate started"})
    decision.refresh_from_db()
    assert decision.acknowledged_by == physician
    assert DECISION_ROW not in _work(physician_client)


def test_other_warnings_a_nurse_still_acknowledges(nurse: User, stopped: Patient) -> None:
    due = alert(stopped, "DEXA_OVERDUE", "warning", days_ago=3)
    alert_acknowledge(actor=nurse, alert=due, note="Scan booked")
    due.refresh_from_db()
    assert (due.acknowledged_by, due.seen_at) == (nurse, None)


def test_the_permission_to_decide_therapy_decides_not_the_role(site: Site, decision: Alert) -> None:
    """A user holding only the nurse's permissions plus the permission to decide therapy closes
    the decision; without it, a user with the physician's acknowledging permissions only
    marks it seen."""
    acknowledges = Permission.objects.filter(
        content_type__app_label="monitoring",
        codename__in=["acknowledge_alert", "acknowledge_high_alert"],
    )
    decides = Permission.objects.get(
        content_type__app_label="monitoring", codename=DECIDE_THERAPY_PERMISSION.split(".")[1]
    )
    onlooker = UserFactory(sites=[site])
    onlooker.user_permissions.add(*acknowledges)
    decider = UserFactory(sites=[site])
    decider.user_permissions.add(*acknowledges, decides)
    onlooker, decider = User.objects.get(pk=onlooker.pk), User.objects.get(pk=decider.pk)
    assert not acknowledgement_closes(onlooker, decision)
    assert acknowledgement_closes(decider, decision)
    alert_acknowledge(actor=onlooker, alert=decision, note="Seen")
    decision.refresh_from_db()
    assert not user_may_note(onlooker, decision)
    assert user_may_note(decider, decision)
    alert_acknowledge(actor=decider, alert=decision, note="Decided")
    decision.refresh_from_db()
    assert (decision.seen_by, decision.acknowledged_by) == (onlooker, decider)
