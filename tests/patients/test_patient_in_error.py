"""Marking a whole patient entered in error while her care is running, and restoring her (sec9 F7).

A nurse hid a patient on denosumab with an open critical alert: the alert stayed open where
nobody could see it, and nothing could undo it. Now hiding a patient whose care is running,
planned or open needs the permission ending follow-up needs and a tick naming that care; a user
with it can restore a patient from the list of the site's patients marked in error."""

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import Site, User
from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring.models import Alert, BoneTherapyCourse, PatientAssessment
from patients import in_error
from patients.models import Patient
from tests.factories import AromataseInhibitorCourseFactory, PatientFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
REASON = "wrong patient selected"


def _mark(client: Client, patient: Patient, **extra: str) -> Any:
    url = reverse("patients:mark_in_error", args=[patient.pk])
    # The version her page shows now: a version shown earlier is the refusal's test.
    shown = Patient.objects.get(pk=patient.pk).version
    return client.post(url, {"reason": REASON, "version": str(shown), **extra})


def _critical_alert(patient: Patient) -> Alert:
    return Alert.objects.create(
        patient=patient,
        code="DENOSUMAB_REBOUND_RISK",
        severity="critical",
        severity_rank=3,
        message="Denosumab overdue: rebound risk.",
        raised_at=timezone.now(),
    )


def _in_error(patient: Patient) -> bool:
    return Patient.objects.get(pk=patient.pk).entered_in_error


@pytest.fixture
def on_denosumab(patient: Patient) -> Patient:
    """The tester's SHOW-13: a denosumab course running and an open critical alert."""
    BoneTherapyCourse.objects.create(
        patient=patient, drug="denosumab", start_date=date(2024, 8, 29)
    )
    _critical_alert(patient)
    return patient


def test_a_nurse_cannot_hide_a_patient_on_denosumab_with_a_critical_alert(
    nurse_client: Client, on_denosumab: Patient
) -> None:
    page = nurse_client.get(reverse("patients:mark_in_error", args=[on_denosumab.pk]))
    assert "Denosumab running since 2024-08-29." in page.text
    # By its title, not its code (nurse10 18).
    assert "Open critical alert “Rebound risk after denosumab”: " in page.text
    assert "DENOSUMAB_REBOUND_RISK" not in page.text
    assert "A physician must mark this patient entered in error" in page.text
    assert 'type="submit"' not in page.text.split('id="hidden-care-warning"')[1]
    response = _mark(nurse_client, on_denosumab, confirm_hidden_care="on")
    assert response.status_code == 200
    assert "A physician must mark this patient" in response.context["form"].non_field_errors()[0]
    # No box she cannot send (nurse10 18): the page says whom to ask instead.
    assert 'name="reason"' not in response.text
    assert "Ask a physician of" in response.text
    assert not _in_error(on_denosumab)
    assert not AuditEvent.objects.filter(action=AuditAction.MARK_ERROR).exists()
    assert Alert.objects.get(patient=on_denosumab).cleared_at is None


@pytest.mark.parametrize(
    "care",
    [
        "ai_running",
        "ai_planned",
        "bone_therapy_planned",
        "high_alert",
    ],
)
def test_any_running_planned_or_serious_care_needs_a_physician(
    nurse_client: Client, patient: Patient, care: str
) -> None:
    if care == "ai_running":
        AromataseInhibitorCourseFactory(patient=patient, start_date=TODAY - timedelta(days=30))
    elif care == "ai_planned":
        AromataseInhibitorCourseFactory(patient=patient, start_date=TODAY + timedelta(days=30))
    elif care == "bone_therapy_planned":
        BoneTherapyCourse.objects.create(patient=patient, drug="zoledronic_acid")
    else:
        alert = _critical_alert(patient)
        Alert.objects.filter(pk=alert.pk).update(severity="high", severity_rank=2)
    response = _mark(nurse_client, patient)
    assert response.status_code == 200
    assert not _in_error(patient)


def test_a_physician_hides_her_only_after_ticking_the_care_named(
    physician_client: Client, physician: User, on_denosumab: Patient
) -> None:
    unticked = _mark(physician_client, on_denosumab)
    assert unticked.status_code == 200
    assert "Tick this" in unticked.context["form"].errors["confirm_hidden_care"][0]
    assert not _in_error(on_denosumab)
    ticked = _mark(physician_client, on_denosumab, confirm_hidden_care="on")
    assert ticked.status_code == 302
    stored = Patient.objects.get(pk=on_denosumab.pk)
    assert (stored.entered_in_error, stored.error_reason, stored.error_marked_by) == (
        True,
        REASON,
        physician,
    )


def test_a_nurse_still_hides_a_patient_with_nothing_running(
    nurse_client: Client, patient: Patient
) -> None:
    AromataseInhibitorCourseFactory(
        patient=patient, start_date=date(2020, 1, 1), stop_date=date(2021, 1, 1)
    )
    assert _mark(nurse_client, patient).status_code == 302
    assert _in_error(patient)


def test_care_added_after_the_form_opened_is_refused_at_the_save(
    physician: User, patient: Patient
) -> None:
    """The service reads the care again under the patient's lock: a tick given for what the form
    showed does not cover a course added since."""
    shown = ["Anastrozole running since 2024-01-15."]
    AromataseInhibitorCourseFactory(patient=patient, start_date=date(2024, 1, 15))
    BoneTherapyCourse.objects.create(patient=patient, drug="denosumab", start_date=TODAY)
    with pytest.raises(in_error.HiddenCareNotConfirmedError, match="Denosumab running since"):
        in_error.patient_mark_in_error(
            actor=physician, patient=patient, reason=REASON, confirmed=shown
        )
    assert not _in_error(patient)


def test_the_service_refuses_a_nurse_too(nurse: User, on_denosumab: Patient) -> None:
    with pytest.raises(in_error.PhysicianNeededError):
        in_error.patient_mark_in_error(
            actor=nurse,
            patient=on_denosumab,
            reason=REASON,
            confirmed=in_error.patient_hidden_care(patient=on_denosumab),
        )
    assert not _in_error(on_denosumab)


# --- Restoring ------------------------------------------------------------------------------


@pytest.fixture
def marked(nurse: User, patient: Patient) -> Patient:
    in_error.patient_mark_in_error(actor=nurse, patient=patient, reason=REASON)
    return Patient.objects.get(pk=patient.pk)


def test_the_list_shows_the_sites_patients_marked_in_error_with_who_and_why(
    physician_client: Client, marked: Patient, other_site: Site, patient: Patient
) -> None:
    PatientFactory(site=other_site, mrn="ELSEWHERE-1", entered_in_error=True)
    PatientFactory(site=patient.site, mrn="VISIBLE-1")
    listing = physician_client.get(reverse("patients:list"))
    assert reverse("patients:in_error_list") in listing.text
    page = physician_client.get(reverse("patients:in_error_list"))
    assert page.status_code == 200
    assert [p.mrn for p in page.context["page"]] == ["A1001"]
    assert REASON in page.text
    assert "nurse" in page.text
    assert reverse("patients:restore", args=[marked.pk]) in page.text
    assert "ELSEWHERE-1" not in page.text
    assert "VISIBLE-1" not in page.text
    viewed = AuditEvent.objects.filter(action=AuditAction.VIEW).latest("pk")
    assert viewed.changes["patients"] == [marked.pk]


def test_a_nurse_sees_no_link_to_the_list_and_cannot_restore(
    nurse_client: Client, marked: Patient
) -> None:
    assert reverse("patients:in_error_list") not in nurse_client.get(reverse("patients:list")).text
    assert nurse_client.post(reverse("patients:restore", args=[marked.pk])).status_code == 403
    assert _in_error(marked)


def test_a_physician_restores_a_patient_audited_and_reassessed(
    physician_client: Client, physician: User, marked: Patient
) -> None:
    assert not PatientAssessment.objects.get(patient=marked).followed
    response = physician_client.post(reverse("patients:restore", args=[marked.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("monitoring:patient", args=[marked.pk])
    stored = Patient.objects.get(pk=marked.pk)
    assert not stored.entered_in_error
    assert (stored.error_reason, stored.error_marked_by, stored.error_marked_at) == ("", None, None)
    assert stored.version == marked.version + 1
    event = AuditEvent.objects.filter(action=AuditAction.CHANGE, actor=physician).get()
    assert event.changes["entered_in_error"] == [True, False]
    assert event.changes["error_reason"] == [REASON, ""]
    assert PatientAssessment.objects.get(patient=marked).followed  # reassessed
    assert physician_client.get(response["Location"]).status_code == 200  # seen again


def test_a_patient_whose_mrn_was_registered_again_is_not_restored(
    physician_client: Client, marked: Patient
) -> None:
    PatientFactory(site=marked.site, mrn=marked.mrn, name="Registered Again")
    response = physician_client.post(reverse("patients:restore", args=[marked.pk]), follow=True)
    assert "was not restored" in response.text
    assert "is already registered" in response.text
    assert _in_error(marked)


def test_another_sites_patient_marked_in_error_is_404(
    physician_client: Client, other_site: Site
) -> None:
    foreign = PatientFactory(site=other_site, mrn="Z1", entered_in_error=True)
    assert physician_client.post(reverse("patients:restore", args=[foreign.pk])).status_code == 404
    assert _in_error(foreign)


def test_the_gate_still_hides_a_patient_marked_in_error(
    physician_client: Client, marked: Patient
) -> None:
    page = physician_client.get(reverse("monitoring:patient", args=[marked.pk]))
    assert page.status_code == 404
    assert marked.mrn not in physician_client.get(reverse("patients:list")).text
