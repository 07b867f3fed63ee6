"""nurse12 F11: after a scan's VFA saw a vertebral fracture, the risk factor panel said "Prior
fragility fracture: No" beside "Counted by the rules: prior fragility fracture". It says where the
fracture counted comes from."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from patients.models import Patient
from tests.monitoring.app.test_conservative_readings_in_the_app import record_scan

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _prior_fracture(client: Client, patient: Patient) -> str:
    text = client.get(reverse("monitoring:patient", args=[patient.pk])).text
    found = re.search(r'data-testid="prior-fracture">(.*?)</dd>', text)
    assert found is not None
    return found.group(1)


def test_the_panel_names_the_vfa_fracture_the_rules_counted(
    nurse_client: Client, patient: Patient
) -> None:
    assert _prior_fracture(nurse_client, patient) == "No"
    day = (TODAY - timedelta(days=30)).isoformat()
    record_scan(nurse_client, patient, day, vfa="fracture")
    assert _prior_fracture(nurse_client, patient) == (
        f"No (registration); vertebral fracture on VFA {day} counted"
    )
    patient.refresh_from_db()
    assert patient.prior_fragility_fracture is False  # the record is as entered


def test_a_fracture_ticked_at_registration_reads_as_before(
    nurse_client: Client, patient: Patient
) -> None:
    patient.prior_fragility_fracture = True
    patient.save()
    record_scan(nurse_client, patient, (TODAY - timedelta(days=30)).isoformat(), vfa="fracture")
    assert _prior_fracture(nurse_client, patient) == "Yes"
