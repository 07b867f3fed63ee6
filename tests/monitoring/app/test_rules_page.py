"""The Rules page: one anchor per rule id; alerts and recommendations link to their rules."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from bonehealth.audit.models import AuditEvent
from monitoring.domain import RuleId
from monitoring.domain.reference import entries
from patients.models import Patient
from tests.factories import AromataseInhibitorCourseFactory, DexaScanFactory

pytestmark = pytest.mark.django_db
RULES = reverse("rules")


def test_the_rules_page_has_an_entry_per_rule_id_with_its_thresholds(
    nurse_client: Client,
) -> None:
    response = nurse_client.get(RULES)
    assert response.status_code == 200
    ids = set(re.findall(r'<article class="card mb-3" id="([A-Z0-9-]+)"', response.text))
    assert ids == {str(rule) for rule in RuleId}
    for entry in entries():
        assert entry.checks.replace("'", "&#x27;") in response.text, entry.rule
    assert not AuditEvent.objects.filter(patient__isnull=False).exists()  # no patient data


def test_the_navigation_links_to_the_rules_page(physician_client: Client) -> None:
    page = physician_client.get(reverse("patients:list")).text
    assert f'href="{RULES}">Rules</a>' in page


@pytest.fixture
def overdue(patient: Patient) -> Patient:
    AromataseInhibitorCourseFactory(patient=patient, start_date=dt.date(2022, 1, 1))
    DexaScanFactory(patient=patient, scan_date=dt.date(2022, 1, 5), t=-1.4)
    return patient


@pytest.mark.parametrize(
    "name", ["monitoring:patient", "monitoring:patient_summary", "monitoring:scan_request"]
)
def test_alerts_and_recommendations_link_each_rule_to_its_entry(
    nurse_client: Client, overdue: Patient, name: str
) -> None:
    text = nurse_client.get(reverse(name, args=[overdue.pk])).text
    # The scan of 2022 is long past its repeat date: DEXA_OVERDUE, by SCHED-OVERDUE.
    assert f'<a href="{RULES}#SCHED-OVERDUE">SCHED-OVERDUE</a>' in text
    linked = set(re.findall(rf'<a href="{RULES}#([A-Z0-9-]+)">\1</a>', text))
    assert linked <= {str(rule) for rule in RuleId}


def test_recommendations_on_the_patient_page_link_their_rules(
    nurse_client: Client, overdue: Patient
) -> None:
    text = nurse_client.get(reverse("monitoring:patient", args=[overdue.pk])).text
    assert f'<a href="{RULES}#ALWAYS">ALWAYS</a>' in text
