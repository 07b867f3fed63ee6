"""A physician ends the follow-up of a patient whose denosumab was stopped 10 months ago with no
follow-on (physician9 F7): the form names the open critical alert and what ending does to it;
without the tick nothing is saved, with it follow-up ends and the alert stays open."""

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from monitoring.models import Alert
from patients.models import Patient
from tests.browser import clinic
from tests.browser.clinic import watch_csp_errors
from tests.factories import PatientFactory, denosumab_course

pytestmark = clinic.BROWSER
TODAY = timezone.localdate()


@pytest.fixture
def patient(roles: None) -> Patient:
    site = clinic.north_general("physician")
    patient: Patient = PatientFactory(site=site, mrn="DMABSTOP", name="Stopped Denosumab")
    denosumab_course(
        patient,
        started=TODAY - dt.timedelta(days=500),
        last_dose=TODAY - dt.timedelta(days=305),
        stopped=TODAY - dt.timedelta(days=200),
    )
    return patient


def test_ending_follow_up_with_a_critical_alert_needs_the_tick(
    live_server: Any, page: Page, patient: Patient, screenshot: Any
) -> None:
    alert = Alert.objects.get(
        patient=patient, code="DENOSUMAB_STOPPED_NO_FOLLOW_ON", cleared_at__isnull=True
    )
    csp_errors = watch_csp_errors(page)
    clinic.open_end_follow_up(page, live_server.url, patient)

    warning = page.locator("#open-alerts-warning")
    expect(warning).to_be_visible()
    expect(warning.locator(f"#open-alert-{alert.pk}")).to_contain_text("Critical since")
    expect(warning.locator(f"#open-alert-{alert.pk}")).to_contain_text("not acknowledged")
    expect(warning).to_contain_text("they leave the dashboard and the worklist")
    clinic.end_follow_up_refused(page, patient, "Discharged to GP care", ended_on=TODAY.isoformat())
    screenshot("end-follow-up-alerts-refused")

    page.get_by_label("I have read the open alerts above").check()
    # Her denosumab follow-on, overdue, asks for its own tick (phys12 F1:
    # test_end_follow_up_follow_on.py).
    clinic.end_follow_up_with_the_follow_on_ticked(page, patient)
    assert patient.follow_up_end_reason == "Discharged to GP care"
    alert.refresh_from_db()
    assert alert.cleared_at is None
    assert csp_errors == []
