"""A note left on an alert that a more severe one replaced stays in view (nurse12 F2): the nurse
acknowledges "Vitamin D deficient" with "Started colecalciferol…"; the physician then plans
denosumab and the rules raise the alert again as high, which needs a new acknowledgement. The
new alert shows the nurse's note on the patient page, the acknowledgement page and the printable
summary; "Recently cleared alerts" shows who acknowledged the old one and their note."""

import html
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import User
from monitoring.assessment.alerts import alert_acknowledge
from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.models import Alert
from monitoring.models.alert_chain import attach_earlier_notes
from monitoring.records.services.labs import LabEntry, lab_results_record
from monitoring.records.services.therapy import bone_therapy_start
from patients.models import Patient
from tests.factories import AromataseInhibitorCourseFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
NOTE = "Started colecalciferol 20,000 IU weekly via GP"


def _text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page)))


@pytest.fixture
def replaced(nurse: User, physician: User, patient: Patient) -> Alert:
    """The high alert that replaced the warning the nurse acknowledged with NOTE."""
    AromataseInhibitorCourseFactory(patient=patient, start_date=TODAY - timedelta(days=200))
    patient_assessment_refresh(patient=patient)
    lab_results_record(
        actor=nurse,
        patient=patient,
        sample_date=TODAY - timedelta(days=1),
        fasting=False,
        entries=[LabEntry(analyte="vitamin_d_25oh", value=Decimal(18), unit="ng/mL")],
    )
    warning = Alert.objects.get(patient=patient, code="VITAMIN_D_DEFICIENT", cleared_at=None)
    assert warning.severity == "warning"
    alert_acknowledge(actor=nurse, alert=warning, note=NOTE)
    bone_therapy_start(
        actor=physician,
        patient=patient,
        values={"drug": "denosumab", "dose": "60 mg", "start_date": None, "stop_date": None},
    )
    warning.refresh_from_db()
    assert warning.superseded
    high = Alert.objects.get(patient=patient, code="VITAMIN_D_DEFICIENT", cleared_at=None)
    assert high.severity == "high"
    assert high.acknowledged_at is None
    return high


def test_the_patient_page_shows_the_note_under_the_alert_that_replaced_it(
    physician_client: Client, nurse: User, replaced: Alert
) -> None:
    page = physician_client.get(reverse("monitoring:patient", args=[replaced.patient_id])).text
    card = page.split(f'id="alert-{replaced.pk}"', 1)[1].split("</article>", 1)[0]
    text = _text(card)
    assert "On the warning alert this one replaced" in text
    assert f"acknowledged by {nurse} on" in text
    assert NOTE in text
    cleared = _text(page.split('id="h-cleared"', 1)[1])
    assert "replaced by a more severe alert" in cleared
    assert f"acknowledged by {nurse}" in cleared
    assert NOTE in cleared


def test_the_acknowledgement_pages_show_it_to_the_physician(
    physician_client: Client, replaced: Alert
) -> None:
    group = reverse("monitoring:alert_group_acknowledge", args=[replaced.patient_id, replaced.code])
    assert NOTE in html.unescape(physician_client.get(group).text)
    one = reverse("monitoring:alert_acknowledge", args=[replaced.pk])
    assert NOTE in html.unescape(physician_client.get(one).text)


def test_the_printable_summary_shows_it(physician_client: Client, replaced: Alert) -> None:
    summary = physician_client.get(
        reverse("monitoring:patient_summary", args=[replaced.patient_id])
    )
    text = _text(summary.text)
    assert "on the warning alert it replaced, acknowledged by" in text
    assert NOTE in text


def test_renaming_who_acknowledged_a_cleared_alert_shows_at_once(
    nurse_client: Client, nurse: User, replaced: Alert
) -> None:
    url = reverse("monitoring:patient", args=[replaced.patient_id])
    assert "Nora Nightingale" not in nurse_client.get(url).text
    User.objects.filter(pk=nurse.pk).update(first_name="Nora", last_name="Nightingale")
    cleared = _text(nurse_client.get(url).text.split('id="h-cleared"', 1)[1])
    assert "acknowledged by Nora Nightingale" in cleared


def test_a_chain_of_replacements_shows_every_note_oldest_first(
    patient: Patient, nurse: User, physician: User
) -> None:
    t0 = timezone.now() - timedelta(days=10)
    t1, t2 = t0 + timedelta(days=3), t0 + timedelta(days=6)

    def alert(severity: str, raised: object, cleared: object = None, **noted: object) -> Alert:
        return Alert.objects.create(
            patient=patient,
            code="CALCIUM_LOW",
            severity=severity,
            severity_rank={"warning": 1, "high": 2, "critical": 3}[severity],
            message=severity,
            raised_at=raised,
            cleared_at=cleared,
            superseded=cleared is not None,
            **noted,
        )

    alert("warning", t0, t1, acknowledged_at=t0, acknowledged_by=nurse, acknowledgement_note="a")
    alert("high", t1, t2, seen_at=t1, seen_by=nurse, seen_note="b")
    critical = alert("critical", t2)
    # Cleared, not replaced, at the very moment another alert of the code was raised elsewhere:
    # not superseded, so no note of it is carried.
    other = alert("warning", t0 - timedelta(days=5), t0, acknowledged_at=t0, acknowledged_by=nurse)
    Alert.objects.filter(pk=other.pk).update(superseded=False)
    attach_earlier_notes([critical], Alert.objects.filter(superseded=True))
    notes = critical.earlier_notes  # type: ignore[attr-defined]
    assert [(n.what, n.note) for n in notes] == [("Acknowledged", "a"), ("Seen", "b")]
