"""The patient page's hand-written key query sees exactly the patients `patients_for_user` does,
and its audit row is the one `audit_record` would write."""

from datetime import date

import pytest
from django.http import Http404

from bonehealth.accounts.models import Site, User
from bonehealth.audit.models import AuditAction, AuditEvent
from bonehealth.audit.services import audit_record, audit_view_record
from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.records.selectors import patient_page_key
from patients.models import FollowUpStatus, Patient
from patients.selectors import patients_for_user
from tests.factories import PatientFactory, SiteFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_key_query_sees_the_patients_the_scoping_rule_sees(
    site: Site, other_site: Site
) -> None:
    closed = SiteFactory(name="Closed clinic", code="closed", is_active=False)
    nurse = UserFactory(role="nurse", sites=[site, closed])
    patients = [
        PatientFactory(site=site),
        PatientFactory(site=site, entered_in_error=True),
        PatientFactory(
            site=site, follow_up_status=FollowUpStatus.ENDED, follow_up_ended_on=date(2025, 1, 1)
        ),
        PatientFactory(site=other_site),
        PatientFactory(site=closed),
    ]
    visible = set(patients_for_user(user=nurse).values_list("pk", flat=True))
    assert visible == {patients[0].pk, patients[2].pk}
    for patient in patients:
        if patient.pk in visible:
            found, versions = patient_page_key(user=nurse, pk=patient.pk)
            assert (found.pk, found.mrn, found.site_id) == (
                patient.pk,
                patient.mrn,
                patient.site_id,
            )
            assert versions is None  # not assessed yet
        else:
            with pytest.raises(Http404):
                patient_page_key(user=nurse, pk=patient.pk)


def test_the_key_changes_with_each_reassessment(nurse: User, patient: Patient) -> None:
    patient_assessment_refresh(patient=patient)
    _, first = patient_page_key(user=nurse, pk=patient.pk)
    patient_assessment_refresh(patient=patient)
    _, second = patient_page_key(user=nurse, pk=patient.pk)
    assert first is not None
    assert second is not None
    assert first != second


def test_the_view_audit_row_is_what_audit_record_writes(rf, nurse: User, patient: Patient) -> None:  # type: ignore[no-untyped-def]
    request = rf.get("/", REMOTE_ADDR="10.9.8.7")
    audit_record(
        action=AuditAction.VIEW, actor=nurse, request=request, obj=patient, patient=patient
    )
    audit_view_record(actor=nurse, obj=patient, patient_id=patient.pk, request=request)
    fields = [
        "actor_id",
        "username",
        "action",
        "object_type",
        "object_id",
        "patient_id",
        "changes",
        "client_address",
    ]
    generic, fast = AuditEvent.objects.order_by("id").values(*fields, "at")
    assert {k: generic[k] for k in fields} == {k: fast[k] for k in fields}
    assert fast["at"] >= generic["at"]
    assert fast["at"].tzinfo is not None
