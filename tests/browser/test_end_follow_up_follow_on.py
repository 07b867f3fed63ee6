"""A physician ends the follow-up of a patient whose denosumab was stopped days ago with no
follow-on (phys12 F1, the tester's P12-S0): DMAB-STOP is a warning, named on the page with every
other open alert; ending asks for a tick naming the follow-on, its date and the rebound risk;
without it nothing is saved, with it follow-up ends, and the patient page says the follow-on is
still pending."""

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from bonehealth.accounts.models import Site
from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.domain.dates import add_months
from monitoring.models import Alert, BoneTherapyCourse, BoneTherapyDose
from patients.models import FollowUpStatus, Patient
from tests.browser.test_journey import _csp_errors, log_in
from tests.factories import PatientFactory, SiteFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
TODAY = timezone.localdate()
LAST_DOSE = TODAY - dt.timedelta(days=40)
DUE_BY = add_months(LAST_DOSE, 6)


@pytest.fixture
def patient(roles: None) -> Patient:
    site: Site = SiteFactory(name="North General", code="north")
    UserFactory(username="physician", role="physician", sites=[site])
    patient: Patient = PatientFactory(site=site, mrn="P12-S0", name="Just Stopped")
    course = BoneTherapyCourse.objects.create(
        patient=patient,
        drug="denosumab",
        start_date=TODAY - dt.timedelta(days=400),
        stop_date=TODAY - dt.timedelta(days=5),
    )
    BoneTherapyDose.objects.create(course=course, given_on=LAST_DOSE)
    patient_assessment_refresh(patient=patient)
    return patient


def test_ending_follow_up_after_denosumab_stopped_names_the_follow_on(
    live_server: Any, page: Page, patient: Patient, screenshot: Any
) -> None:
    alert = Alert.objects.get(
        patient=patient, code="DENOSUMAB_STOPPED_NO_FOLLOW_ON", cleared_at__isnull=True
    )
    assert alert.severity == "warning"
    csp_errors = _csp_errors(page)
    log_in(page, live_server.url, "physician")
    page.goto(live_server.url + reverse("monitoring:patient", args=[patient.pk]))
    page.get_by_role("link", name="End follow-up").click()
    page.wait_for_load_state()

    listed = page.locator(f"#open-alerts-warning #open-alert-{alert.pk}")
    expect(listed).to_contain_text("Warning since")
    expect(listed).to_contain_text(f"start one by {DUE_BY:%Y-%m-%d}")
    expect(page.locator("#active-treatment-warning")).to_contain_text(
        f"one is due by {DUE_BY:%Y-%m-%d}"
    )
    tick = page.get_by_label("I have arranged elsewhere the bisphosphonate follow-on")
    expect(tick).to_be_visible()
    label = page.locator("#div_id_confirm_active_treatment")
    expect(label).to_contain_text(f"due by {DUE_BY:%Y-%m-%d}")
    expect(label).to_contain_text(f"(6 months after the last dose, {LAST_DOSE:%Y-%m-%d})")
    expect(label).to_contain_text("rebound vertebral fractures")

    page.fill("input[name=ended_on]", TODAY.isoformat())
    page.fill("input[name=reason]", "moved to another region")
    page.get_by_role("button", name="End follow-up").click()
    page.wait_for_load_state()
    screenshot("end-follow-up-follow-on-refused")
    patient.refresh_from_db()
    assert patient.follow_up_status == FollowUpStatus.ACTIVE
    expect(page.locator("input[name=reason]")).to_have_value("moved to another region")

    page.get_by_label("I have arranged elsewhere the bisphosphonate follow-on").check()
    page.get_by_role("button", name="End follow-up").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Follow-up ended; the record is kept.")).to_be_visible()
    patient.refresh_from_db()
    assert patient.follow_up_status == FollowUpStatus.ENDED
    event = AuditEvent.objects.filter(patient=patient, action=AuditAction.CHANGE).latest("pk")
    assert f"due by {DUE_BY:%Y-%m-%d}" in event.changes["follow_on_confirmed"][0]

    # The patient page (where the end lands) still says what is pending.
    expect(page.locator("#follow-up-ended")).to_contain_text("moved to another region")
    expect(page.locator("#ended-follow-on-pending")).to_contain_text(
        f"the follow-on is due by {DUE_BY:%Y-%m-%d}"
    )
    expect(page.locator(f"#alert-{alert.pk}")).to_be_visible()
    screenshot("end-follow-up-follow-on-ended")
    assert csp_errors == []
