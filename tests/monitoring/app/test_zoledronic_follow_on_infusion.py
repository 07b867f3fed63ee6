"""phys10 F2 through the forms: denosumab given and stopped, DENOSUMAB_STOPPED_NO_FOLLOW_ON
critical; zoledronic acid started today as the follow-on. The alert stayed open saying "start one
by <a past date>", the worklist kept the physician's decision row, and the schedule put the first
infusion 6 months on, on no worklist row. Now the decision alert clears and the rules raise
DENOSUMAB_FOLLOW_ON_INFUSION_AWAITED (critical still), which asks for the infusion; the schedule
has it due on the course's start (a nurse's row, tied to that alert), no decision row is asked
for, and recording the infusion clears the alert."""

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import User
from monitoring.domain.dates import add_months
from monitoring.models import Alert, BoneTherapyCourse, BoneTherapyDose
from monitoring.models.alerts import ScheduledItem
from patients.models import Patient
from tests.factories import results_in_range
from tests.html_forms import posted_lists

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
DMAB_START = TODAY - timedelta(days=500)
DMAB_SECOND = add_months(DMAB_START, 6)
DMAB_STOP = DMAB_SECOND + timedelta(days=90)
OVERRIDE = {"safety_override": "on", "override_reason": "labs checked at the other hospital"}
STOPPED = "DENOSUMAB_STOPPED_NO_FOLLOW_ON"
AWAITED = "DENOSUMAB_FOLLOW_ON_INFUSION_AWAITED"
WORKLIST = reverse("monitoring:worklist")


def _login(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def _stop_alert(patient: Patient, code: str = STOPPED) -> Alert | None:
    return Alert.objects.filter(patient=patient, code=code, cleared_at__isnull=True).first()


def _za_due(patient: Patient) -> list[date]:
    return list(
        ScheduledItem.objects.filter(patient=patient, item="zoledronic_acid_dose").values_list(
            "due", flat=True
        )
    )


def _rows(client: Client, patient: Patient) -> tuple[list[str], list[str]]:
    """The patient's rows on the worklist: (schedule items, work the alerts ask for)."""
    response = client.get(WORKLIST)
    assert response.status_code == 200
    items = [str(i.item) for i in response.context["items"] if i.patient_id == patient.pk]
    items = [item for item in items if item.endswith("_dose")]  # not the DEXA scans
    work = [w.item for w in response.context["work"].object_list if w.patient_id == patient.pk]
    return items, work


@pytest.fixture
def denosumab_stopped(
    patient: Patient, physician: User, nurse: User, client: Client
) -> BoneTherapyCourse:
    """Denosumab started, two injections, stopped: each step through its form."""
    results_in_range(patient, DMAB_START - timedelta(days=7))
    doctor = _login(Client(), physician)
    response = doctor.post(
        reverse("monitoring:therapy_create", args=[patient.pk]),
        {
            "drug": "denosumab",
            "dose": "60 mg every 6 months",
            "start_date": DMAB_START.isoformat(),
            "dental_review_date": (DMAB_START - timedelta(days=20)).isoformat(),
            **OVERRIDE,
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    course = BoneTherapyCourse.objects.get(patient=patient, drug="denosumab")
    sister = _login(client, nurse)
    for day in (DMAB_START, DMAB_SECOND):
        url = reverse("monitoring:dose_create", args=[patient.pk, course.pk])
        response = sister.post(url, {"given_on": day.isoformat(), **OVERRIDE})
        assert response.status_code == 302, response.context["form"].errors
    edit = reverse("monitoring:therapy_update", args=[patient.pk, course.pk])
    data = posted_lists(doctor.get(edit).text, having="start_date")
    data["stop_date"] = [DMAB_STOP.isoformat()]
    data["stop_reason"] = ["patient's choice"]
    data["confirm_denosumab_stop"] = ["on"]  # no follow-on yet: the stop is confirmed
    response = doctor.post(edit, data)
    assert response.status_code == 302, response.context["form"].errors
    course.refresh_from_db()
    assert course.stop_date == DMAB_STOP
    return course


def test_zoledronic_acid_started_as_the_follow_on_puts_its_infusion_on_the_worklist(
    denosumab_stopped: BoneTherapyCourse,
    patient: Patient,
    physician: User,
    nurse: User,
    physician_client: Client,
    nurse_client: Client,
) -> None:
    alert = _stop_alert(patient)
    assert alert is not None
    assert alert.severity == "critical"
    assert "is overdue: start one now" in alert.message
    assert _rows(physician_client, patient) == ([], ["therapy_decision"])

    results_in_range(patient, TODAY - timedelta(days=3))
    response = physician_client.post(
        reverse("monitoring:therapy_create", args=[patient.pk]),
        {
            "drug": "zoledronic_acid",
            "dose": "4 mg every 6 months",
            "start_date": TODAY.isoformat(),
            "dental_review_date": (TODAY - timedelta(days=10)).isoformat(),
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    za = BoneTherapyCourse.objects.get(patient=patient, drug="zoledronic_acid")

    # The decision is made: its alert clears. No infusion recorded: the rule still stands, as
    # the awaited infusion's alert, critical still, saying so; the infusion is due today.
    decided = Alert.objects.get(pk=alert.pk)
    assert decided.cleared_at is not None
    assert _stop_alert(patient) is None
    alert = _stop_alert(patient, AWAITED)
    assert alert is not None
    assert (alert.severity, alert.rules) == ("critical", ["DMAB-STOP"])
    assert f"zoledronic acid started on {TODAY.isoformat()} as the follow-on" in alert.message
    assert "start one" not in alert.message
    assert _za_due(patient) == [TODAY]
    # The worklist: the infusion (a nurse's row, tied to the critical alert), no decision row.
    for client in (nurse_client, physician_client):
        assert _rows(client, patient) == (["zoledronic_acid_dose"], [])
    page = nurse_client.get(WORKLIST).text
    assert "Denosumab stopped: follow-on zoledronic acid not given yet" in page
    assert reverse("monitoring:dose_create", args=[patient.pk, za.pk]) in page

    # The nurse records the infusion: the alert clears, the next is 6 months on.
    url = reverse("monitoring:dose_create", args=[patient.pk, za.pk])
    response = nurse_client.post(url, {"given_on": TODAY.isoformat()})
    assert response.status_code == 302, response.context["form"].errors
    assert list(BoneTherapyDose.objects.filter(course=za).values_list("given_on", flat=True)) == [
        TODAY
    ]
    assert _stop_alert(patient) is None
    assert _stop_alert(patient, AWAITED) is None
    assert Alert.objects.get(patient=patient, code=AWAITED, pk=alert.pk).cleared_at is not None
    assert _za_due(patient) == [add_months(TODAY, 6)]
    assert _rows(nurse_client, patient) == ([], [])


def test_a_follow_on_stopped_with_no_infusion_asks_for_the_decision_again(
    denosumab_stopped: BoneTherapyCourse, patient: Patient, physician_client: Client
) -> None:
    """The infusion cancelled (the course stopped with none recorded): no follow-on was given, so
    the alert asks again to start one and the physician's decision row comes back."""
    results_in_range(patient, TODAY - timedelta(days=3))
    response = physician_client.post(
        reverse("monitoring:therapy_create", args=[patient.pk]),
        {
            "drug": "zoledronic_acid",
            "start_date": (TODAY - timedelta(days=2)).isoformat(),
            "stop_date": TODAY.isoformat(),
            "stop_reason": "infusion cancelled",
            "dental_review_date": (TODAY - timedelta(days=10)).isoformat(),
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    alert = _stop_alert(patient)
    assert alert is not None
    assert "is overdue: start one now" in alert.message
    assert _za_due(patient) == []
    assert _rows(physician_client, patient) == ([], ["therapy_decision"])


def test_the_infusion_given_days_after_the_follow_on_s_start_is_not_too_early(
    denosumab_stopped: BoneTherapyCourse, patient: Patient, nurse_client: Client, physician_client
) -> None:  # type: ignore[no-untyped-def]
    """The schedule has the first infusion due on the start: given 5 days later, the pre-dose
    check does not take the start for a previous infusion (no override needed)."""
    start = TODAY - timedelta(days=5)
    results_in_range(patient, start - timedelta(days=3))
    response = physician_client.post(
        reverse("monitoring:therapy_create", args=[patient.pk]),
        {
            "drug": "zoledronic_acid",
            "start_date": start.isoformat(),
            "dental_review_date": (start - timedelta(days=10)).isoformat(),
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    za = BoneTherapyCourse.objects.get(patient=patient, drug="zoledronic_acid")
    assert _za_due(patient) == [start]
    url = reverse("monitoring:dose_create", args=[patient.pk, za.pk])
    response = nurse_client.post(url, {"given_on": TODAY.isoformat()})
    assert response.status_code == 302, response.context["form"].errors
    dose = BoneTherapyDose.objects.get(course=za)
    assert (dose.given_on, dose.safety_checks_failed) == (TODAY, [])
    assert _stop_alert(patient) is None
    assert _stop_alert(patient, AWAITED) is None
    assert _za_due(patient) == [add_months(TODAY, 6)]
