"""A patient whose records reached the database without the services (a bulk load) has no stored
assessment: the first view computes it (monitoring/assessment/read_through.py), the overview's one
write, and writes only derived rows: no record, and no audit row but the view's own."""

import pytest
from django.test import Client
from django.urls import reverse

from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring.models import Alert, DexaScan, LabResult, PatientAssessment
from patients.models import Patient
from tests.factories import AromataseInhibitorCourseFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("page", ["monitoring:patient", "monitoring:patient_summary"])
def test_the_first_view_assesses_a_patient_loaded_without_the_services(
    nurse_client: Client, patient: Patient, page: str
) -> None:
    AromataseInhibitorCourseFactory(patient=patient)  # a factory write: no assessment follows
    assert not PatientAssessment.objects.filter(patient=patient).exists()
    records = (DexaScan.objects.count(), LabResult.objects.count())

    response = nurse_client.get(reverse(page, args=[patient.pk]))

    assert response.status_code == 200
    stored = PatientAssessment.objects.get(patient=patient)
    assert stored.data["alerts"]  # no baseline scan yet: the rules raise alerts
    assert Alert.objects.filter(patient=patient, cleared_at__isnull=True).exists()
    assert (DexaScan.objects.count(), LabResult.objects.count()) == records
    actions = set(AuditEvent.objects.filter(patient=patient).values_list("action", flat=True))
    assert actions == {AuditAction.VIEW}


def test_a_later_view_does_not_assess_again(nurse_client: Client, patient: Patient) -> None:
    AromataseInhibitorCourseFactory(patient=patient)
    nurse_client.get(reverse("monitoring:patient", args=[patient.pk]))
    computed_at = PatientAssessment.objects.get(patient=patient).computed_at

    nurse_client.get(reverse("monitoring:patient", args=[patient.pk]))

    assert PatientAssessment.objects.get(patient=patient).computed_at == computed_at
