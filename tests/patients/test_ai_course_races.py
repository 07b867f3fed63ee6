"""Aromatase-inhibitor courses posted at the same moment, as real concurrent requests (each thread
on its own database connection, as tests/monitoring/app/test_concurrent_saves.py does): the
patient's lock makes them take turns, so exactly one course is stored and every other post gets
the form back with the refusal, never a 500."""

import pytest
from django.db import connection
from django.urls import reverse

from bonehealth.accounts.models import Site
from patients.models import AromataseInhibitorCourse, Patient
from tests.factories import PatientFactory, SiteFactory
from tests.monitoring.app.test_concurrent_saves import at_once, clients, created_events, one_winner

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrent writers need PostgreSQL: SQLite lets one writer in at a time",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def ward(roles: None) -> Site:
    return SiteFactory(name="North General", code="north")


@pytest.fixture
def jane(ward: Site) -> Patient:
    return PatientFactory(site=ward, mrn="A1001")


def test_six_submits_of_one_course_store_one_course(ward: Site, jane: Patient) -> None:
    """The exploratory testers' six simultaneous posts of the same course."""
    url = reverse("patients:ai_course_create", args=[jane.pk])
    data = {"drug": "letrozole", "start_date": "2026-11-20", "planned_duration_months": "60"}
    nurses = clients(ward, "nurse", 6)
    refused = one_winner(at_once([lambda c=c: c.post(url, data) for c in nurses]))
    for response in refused:
        error = response.context["form"].errors["start_date"][0]
        assert "overlaps the letrozole course from 2026-11-20, not stopped" in error
    assert AromataseInhibitorCourse.objects.filter(patient=jane).count() == 1
    assert created_events(AromataseInhibitorCourse) == 1


def test_two_drugs_started_at_once_store_one_course(ward: Site, jane: Patient) -> None:
    url = reverse("patients:ai_course_create", args=[jane.pk])
    first, second = clients(ward, "nurse", 2)
    responses = at_once(
        [
            lambda: first.post(url, {"drug": "letrozole", "start_date": "2025-01-10"}),
            lambda: second.post(url, {"drug": "anastrozole", "start_date": "2025-06-01"}),
        ]
    )
    (refused,) = one_winner(responses)
    assert "one aromatase inhibitor at a time" in refused.context["form"].errors["start_date"][0]
    assert AromataseInhibitorCourse.objects.filter(patient=jane).count() == 1
    assert created_events(AromataseInhibitorCourse) == 1
