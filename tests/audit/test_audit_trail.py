"""The audit trail: what is written, when, and that it cannot be changed or orphaned."""

import pytest
from django.db.models import ProtectedError
from django.test import Client
from django.urls import reverse

from bonehealth.accounts.models import User
from bonehealth.audit.models import AuditAction, AuditEvent
from bonehealth.audit.services import audit_record, client_address
from patients.models import Patient

pytestmark = pytest.mark.django_db


def test_login_logout_and_failed_login_are_audited(client: Client, nurse: User) -> None:
    url = reverse("accounts:login")
    response = client.post(url, {"username": "nurse", "password": "wrong-password"})
    assert response.status_code == 200
    failed = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert (failed.username, failed.actor, failed.client_address) == ("nurse", None, "127.0.0.1")
    assert "wrong-password" not in str(failed.changes)
    assert (
        client.post(url, {"username": "nurse", "password": "correct-horse-battery"}).status_code
        == 302
    )
    assert AuditEvent.objects.get(action=AuditAction.LOGIN).actor == nurse
    client.post(reverse("accounts:logout"))
    assert AuditEvent.objects.get(action=AuditAction.LOGOUT).actor == nurse


def test_each_view_of_a_patient_page_is_audited(nurse_client: Client, patient: Patient) -> None:
    url = reverse("monitoring:patient", args=[patient.pk])
    nurse_client.get(url)
    nurse_client.get(url, REMOTE_ADDR="10.1.2.3")
    views = AuditEvent.objects.filter(action=AuditAction.VIEW, patient=patient).order_by("id")
    assert [event.client_address for event in views] == ["127.0.0.1", "10.1.2.3"]
    assert views[0].object_type == "patients.patient"
    assert views[0].object_id == str(patient.pk)


def test_a_view_is_not_audited_for_a_patient_the_user_cannot_see(
    nurse_client: Client, foreign_patient: Patient
) -> None:
    nurse_client.get(reverse("monitoring:patient", args=[foreign_patient.pk]))
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW).exists()


def test_audit_rows_cannot_be_changed_or_deleted(nurse: User) -> None:
    event = audit_record(action=AuditAction.LOGIN, actor=nurse)
    event.action = AuditAction.LOGOUT
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.update(action="view")
    assert AuditEvent.objects.get().action == AuditAction.LOGIN


def test_audit_rows_protect_the_patient_and_user_they_name(nurse: User, patient: Patient) -> None:
    audit_record(action=AuditAction.VIEW, actor=nurse, obj=patient, patient=patient)
    with pytest.raises(ProtectedError):
        patient.delete()
    with pytest.raises(ProtectedError):
        nurse.delete()


def test_client_address_from_trusted_proxy_header_only(rf, settings) -> None:  # type: ignore[no-untyped-def]
    request = rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.7, 10.0.0.5")
    settings.TRUSTED_PROXY_IP_HEADER = ""
    assert client_address(request) == "10.0.0.5"
    settings.TRUSTED_PROXY_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    settings.TRUSTED_PROXY_ADDRESSES = ["10.0.0.5"]
    assert client_address(request) == "203.0.113.7"
    garbage = rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="not-an-ip")
    assert client_address(garbage) is None
