"""A physician ends the follow-up of a patient whose denosumab was stopped days ago with no
follow-on (phys12 F1, the tester's P12-S0): DMAB-STOP is a warning, named on the page with every
other open alert; ending asks for a tick naming the follow-on, its date and the rebound risk;
without it nothing is saved, with it follow-up ends, and the patient page says the follow-on is
still pending."""

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring.domain.dates import add_months
from monitoring.models import Alert
from patients.models import Patient
from tests.browser import clinic
from tests.browser.clinic import watch_csp_errors
from tests.factories import PatientFactory, denosumab_course

pytestmark = clinic.BROWSER
TODAY = timezone.localdate()
LAST_DOSE = TODAY - dt.timedelta(days=40)
DUE_BY = add_months(LAST_DOSE, 6)


@pytest.fixture
def patient(roles: None) -> Patient:
    site = clinic.north_general("physician")
    patient: Patient = PatientFactory(site=site, mrn="P12-S0", name="Just Stopped")
    denosumab_course(
        patient,
        started=TODAY - dt.timedelta(days=400),
        last_dose=LAST_DOSE,
        stopped=TODAY - dt.timedelta(days=5),
    )
    return patient


def test_ending_follow_up_after_denosumab_stopped_names_the_follow_on(
    live_server: Any, page: Page, patient: Patient, screenshot: Any
) -> None:
    alert = Alert.objects.get(
        patient=patient, code="DENOSUMAB_STOPPED_NO_FOLLOW_ON", cleared_at__isnull=True
    )
    assert alert.severity == "warning"
    csp_errors = watch_csp_errors(page)
    clinic.open_end_follow_up(page, live_server.url, patient)

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

    clinic.end_follow_up_refused(
        page, patient, "moved to another region", ended_on=TODAY.isoformat()
    )
    screenshot("end-follow-up-follow-on-refused")

    clinic.end_follow_up_with_the_follow_on_ticked(page, patient)
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
