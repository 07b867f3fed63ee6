"""A passed date reads "overdue" only where the rules call it overdue (physician7 F11), on every
page that words it: the patient page's header, recommendations and schedule, the worklist, its
printout and CSV, the summary printout and the doctor's letter."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from monitoring.models import Alert, BoneTherapyCourse, BoneTherapyDose
from patients.models import Patient
from tests.factories import AromataseInhibitorCourseFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _page(client: Client, name: str, patient: Patient, *args: str) -> str:
    """The page's text, its markup dropped (a date is kept on one line by a span of its own)."""
    html = client.get(reverse(f"monitoring:{name}", args=[patient.pk, *args])).text
    return re.sub(r"<[^>]+>", "", html)


def _worklist_csv(client: Client) -> list[dict[str, str]]:
    response = client.get(reverse("monitoring:worklist_csv"))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_a_baseline_scan_within_the_grace_is_due_since_not_overdue(
    physician_client: Client, patient: Patient
) -> None:
    start = TODAY - timedelta(days=36)
    AromataseInhibitorCourseFactory(patient=patient, start_date=start)
    page = _page(physician_client, "patient", patient)
    assert Alert.objects.get(patient=patient, cleared_at=None, code="BASELINE_DEXA_DUE")
    assert f"Due since {start:%Y-%m-%d}" in page
    assert "verdue" not in page.split('id="h-bmd-chart"')[0]  # header, alerts, plan, schedule
    worklist = physician_client.get(reverse("monitoring:worklist")).text
    assert 'Due</span> <span class="small">for 5 weeks' in worklist
    assert "due for" not in worklist  # nurse10 F20: "● Due due for 8 months"
    assert "</span> Overdue</span>" not in worklist
    printed = physician_client.get(reverse("monitoring:worklist_print")).text
    assert "for 5 weeks" in printed
    assert "</span> Overdue</span>" not in printed
    [row] = _worklist_csv(physician_client)
    assert (row["status"], row["days_past_due"]) == ("due", "36")
    summary = _page(physician_client, "patient_summary", patient)
    assert f"due since {start:%Y-%m-%d}" in summary
    assert "overdue" not in summary
    letter = _page(physician_client, "letter", patient, "doctor")
    assert f"DEXA scan due since {start:%Y-%m-%d}." in letter
    assert "is overdue" not in letter


def test_a_baseline_scan_after_the_grace_is_overdue(
    physician_client: Client, patient: Patient
) -> None:
    start = TODAY - timedelta(days=120)
    AromataseInhibitorCourseFactory(patient=patient, start_date=start)
    page = _page(physician_client, "patient", patient)
    assert Alert.objects.get(patient=patient, cleared_at=None, code="BASELINE_DEXA_MISSING")
    assert f"Overdue since {start:%Y-%m-%d}" in page
    assert "</span> Overdue</span>" in physician_client.get(reverse("monitoring:worklist")).text
    [row] = _worklist_csv(physician_client)
    assert row["status"] == "overdue"
    assert "is overdue" in _page(physician_client, "letter", patient, "doctor")


@pytest.mark.parametrize(
    ("days_late", "code", "words"),
    [(10, "DENOSUMAB_DUE", "due since"), (40, "DENOSUMAB_OVERDUE", "overdue since")],
)
def test_a_late_denosumab_dose_is_worded_at_the_rules_level(
    physician_client: Client, patient: Patient, days_late: int, code: str, words: str
) -> None:
    given = TODAY - timedelta(days=183 + days_late)
    course = BoneTherapyCourse.objects.create(patient=patient, drug="denosumab", start_date=given)
    BoneTherapyDose.objects.create(course=course, given_on=given)
    page = _page(physician_client, "patient", patient)
    assert Alert.objects.get(patient=patient, cleared_at=None, code=code)
    recommendation = page.split("Give denosumab — ")[1][:80]
    assert recommendation.startswith(f"{words} ")
    status = _worklist_csv(physician_client)[0]["status"]
    assert status == ("overdue" if words == "overdue since" else "due")
