"""phys14 #9 in Chromium: the FRAX form of a woman of 35 before the menopause says FRAX is not
made for her, and still saves the result typed (a warning, never a refusal); the patient page
then reads the result and no longer says FRAX does not apply."""

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.models import FraxResult
from patients.models import Patient
from tests.browser.clinic import BROWSER, log_in, north_general, watch_csp_errors
from tests.factories import AromataseInhibitorCourseFactory, PatientFactory

pytestmark = BROWSER
TODAY = timezone.localdate()
WARNING = (
    "FRAX covers ages 40 to 90 (age 35: the calculator computes 40); FRAX is not validated "
    "before the menopause. The result can be saved; read it with care."
)


@pytest.fixture
def patient(roles: None) -> Patient:
    site = north_general("nurse")
    patient: Patient = PatientFactory(
        site=site,
        mrn="T14-09",
        name="Premenopausal Thirty-Five",
        birth_date=TODAY.replace(year=TODAY.year - 35) - dt.timedelta(days=30),
        menopausal_status="premenopausal",
    )
    AromataseInhibitorCourseFactory(
        patient=patient, drug="exemestane", start_date=TODAY - dt.timedelta(days=200)
    )
    patient_assessment_refresh(patient=patient)
    return patient


def test_the_frax_form_warns_and_saves(live_server: Any, page: Page, patient: Patient) -> None:
    csp_errors = watch_csp_errors(page)
    log_in(page, live_server.url, "nurse")
    page.goto(live_server.url + reverse("monitoring:patient", args=[patient.pk]))
    expect(page.get_by_text("FRAX does not apply", exact=True)).to_be_visible()
    page.goto(live_server.url + reverse("monitoring:frax_create", args=[patient.pk]))
    expect(page.get_by_role("note")).to_have_text(WARNING)
    page.fill("input[name=assessed_on]", (TODAY - dt.timedelta(days=1)).isoformat())
    page.fill("input[name=major_osteoporotic_pct]", "4.0")
    page.fill("input[name=hip_pct]", "0.3")
    page.get_by_role("button", name="Save FRAX result").click()
    page.wait_for_load_state()
    expect(
        page.get_by_text(f"FRAX result saved; the assessment is updated. {WARNING}")
    ).to_be_visible()
    assert FraxResult.objects.filter(
        patient=patient, major_osteoporotic_pct=Decimal("4.0")
    ).exists()
    expect(page.get_by_text("FRAX does not apply", exact=True)).to_have_count(0)
    assert csp_errors == []
