"""Pressing Enter twice on an entry form sends one POST (static/js/submit-once.js): the result is
stored once and the page shows the saved message, not the refusal of a duplicate of the nurse's
own entry of a second ago."""

import time
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from monitoring.models import LabResult
from monitoring.records.forms.labs import LabResultsForm
from patients.models import Patient
from tests.browser.clinic import BROWSER, log_in, north_general
from tests.factories import PatientFactory

pytestmark = BROWSER


@pytest.fixture
def patient(roles: None) -> Patient:
    site = north_general("nurse")
    return PatientFactory(site=site, mrn="TWICE-1", name="Jane Twice")


def _open_labs_form(page: Page, base: str, patient: Patient) -> None:
    page.set_default_timeout(10_000)
    log_in(page, base, "nurse")
    page.goto(f"{base}{reverse('monitoring:labs_create', args=[patient.pk])}")
    sampled = timezone.localdate() - timedelta(days=2)
    page.fill("input[name=sample_date]", sampled.isoformat())
    page.fill("input[name=vitamin_d_25oh_value]", "32")
    page.select_option("select[name=vitamin_d_25oh_unit]", index=1)
    page.focus("input[name=vitamin_d_25oh_value]")


def test_enter_pressed_twice_stores_one_result_and_says_saved(
    page: Page, live_server: Any, patient: Patient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A busy server: the second Enter comes long before the first save's answer.
    checked = LabResultsForm.clean

    def slowly_checked(form: LabResultsForm) -> Any:
        time.sleep(0.5)
        return checked(form)

    monkeypatch.setattr(LabResultsForm, "clean", slowly_checked)
    posts: list[str] = []
    page.on("request", lambda request: request.method == "POST" and posts.append(request.url))
    _open_labs_form(page, live_server.url, patient)
    posts.clear()  # the login's
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Results saved; the assessment is updated.")).to_be_visible()
    expect(page.get_by_text("already recorded")).to_have_count(0)
    assert len(posts) == 1
    assert LabResult.objects.filter(patient=patient, analyte="vitamin_d_25oh").count() == 1


def test_a_form_shown_again_after_a_refusal_can_be_sent_again(
    page: Page, live_server: Any, patient: Patient
) -> None:
    _open_labs_form(page, live_server.url, patient)
    # No unit (vitamin D has two, so none is chosen for the nurse): refused beside the field.
    page.select_option("select[name=vitamin_d_25oh_unit]", index=0)
    page.keyboard.press("Enter")
    expect(
        page.locator(".invalid-feedback").get_by_text("Choose the unit of this result.")
    ).to_be_visible()
    assert not LabResult.objects.filter(patient=patient).exists()
    page.select_option("select[name=vitamin_d_25oh_unit]", index=1)
    page.get_by_role("button", name="Save results").click()
    expect(page.get_by_text("Results saved; the assessment is updated.")).to_be_visible()
    assert LabResult.objects.filter(patient=patient, analyte="vitamin_d_25oh").count() == 1


def test_a_form_shown_again_from_the_back_forward_cache_can_be_sent_again(
    page: Page, live_server: Any, patient: Patient
) -> None:
    _open_labs_form(page, live_server.url, patient)
    form = page.locator("form[method=post]").filter(
        has=page.locator("input[name=vitamin_d_25oh_value]")
    )
    # What a page restored from the cache after its submit holds: the guard still set.
    form.evaluate("form => form.setAttribute('data-submitting', '')")
    page.evaluate("window.dispatchEvent(new PageTransitionEvent('pageshow', {persisted: true}))")
    expect(form).not_to_have_attribute("data-submitting", "")
    page.get_by_role("button", name="Save results").click()
    expect(page.get_by_text("Results saved; the assessment is updated.")).to_be_visible()
    assert LabResult.objects.filter(patient=patient, analyte="vitamin_d_25oh").count() == 1
