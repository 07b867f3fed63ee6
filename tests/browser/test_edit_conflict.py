"""Two clinicians edit one record in two browsers: the refused save never overwrites a colleague.

After a conflict, the fields the second clinician left alone take the first clinician's values,
and only a field both changed is flagged and kept as the second typed it, to replace theirs on a
deliberate second save.
"""

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from patients.models import Patient
from tests.browser.clinic import BROWSER, log_in, north_general
from tests.factories import PatientFactory

pytestmark = BROWSER


@pytest.fixture
def shared_patient(roles: None) -> Patient:
    site = north_general("nurse", "physician")
    return PatientFactory(site=site, mrn="CONFLICT-1", name="Jane Shared", weight_kg=60)


def _open_as(browser: Browser, base: str, username: str, patient: Patient) -> Page:
    page = browser.new_context().new_page()
    page.set_default_timeout(10_000)
    log_in(page, base, username)
    page.goto(f"{base}{reverse('patients:update', args=[patient.pk])}")
    return page


@pytest.fixture
def after_the_physicians_save(
    browser: Browser, live_server: Any, shared_patient: Patient
) -> tuple[Page, Page]:
    """Both open the edit form; then the physician corrects the weight and saves first."""
    nurse = _open_as(browser, live_server.url, "nurse", shared_patient)
    physician = _open_as(browser, live_server.url, "physician", shared_patient)
    physician.fill("input[name=weight_kg]", "64.5")
    physician.get_by_role("button", name="Save patient").click()
    expect(physician.get_by_text("Patient record saved.")).to_be_visible()
    return nurse, physician


def test_a_resave_after_a_conflict_keeps_the_colleagues_changes(
    after_the_physicians_save: tuple[Page, Page], shared_patient: Patient
) -> None:
    nurse, _ = after_the_physicians_save
    # The nurse, on a page opened before that, corrects only the name: refused, and the form now
    # shows the physician's weight with the nurse's name.
    nurse.fill("input[name=name]", "Jane Sharred-Corrected")
    nurse.get_by_role("button", name="Save patient").click()
    expect(nurse.get_by_text("changed by someone else")).to_be_visible()
    expect(nurse.locator("input[name=weight_kg]")).to_have_value("64.5")
    # beside the field (the summary at the top of the form repeats it)
    expect(
        nurse.locator(".invalid-feedback").get_by_text("Now shows “64.5”, changed by physician at")
    ).to_be_visible()
    expect(nurse.locator("input[name=name]")).to_have_value("Jane Sharred-Corrected")
    nurse.get_by_role("button", name="Save patient").click()
    expect(nurse.get_by_text("Patient record saved.")).to_be_visible()

    shared_patient.refresh_from_db()
    assert shared_patient.weight_kg == Decimal("64.5")
    assert shared_patient.name == "Jane Sharred-Corrected"


def test_a_field_both_changed_is_flagged_and_replaced_only_on_a_second_save(
    after_the_physicians_save: tuple[Page, Page], shared_patient: Patient
) -> None:
    nurse, _ = after_the_physicians_save
    nurse.fill("input[name=weight_kg]", "62")
    nurse.get_by_role("button", name="Save patient").click()
    expect(nurse.locator("input[name=weight_kg]")).to_have_value("62")
    # beside the field (the summary at the top of the form repeats it)
    expect(
        nurse.locator(".invalid-feedback").get_by_text("physician changed this to “64.5”")
    ).to_be_visible()
    shared_patient.refresh_from_db()
    assert shared_patient.weight_kg == Decimal("64.5")  # nothing written by the refused save

    nurse.get_by_role("button", name="Save patient").click()
    expect(nurse.get_by_text("Patient record saved.")).to_be_visible()
    shared_patient.refresh_from_db()
    assert shared_patient.weight_kg == Decimal(62)


def test_a_date_changed_in_another_tab_reads_yyyy_mm_dd(
    browser: Browser, live_server: Any, shared_patient: Patient
) -> None:
    """nurse13 #4: the other tab's date as the pages write it, not "4 Mar 2021"."""
    first_tab = _open_as(browser, live_server.url, "nurse", shared_patient)
    second_tab = first_tab.context.new_page()
    second_tab.goto(first_tab.url)
    first_tab.fill("input[name=breast_cancer_diagnosis_date]", "2021-03-04")
    first_tab.get_by_role("button", name="Save patient").click()
    expect(first_tab.get_by_text("Patient record saved.")).to_be_visible()

    second_tab.fill("input[name=breast_cancer_diagnosis_date]", "2021-02-28")
    second_tab.get_by_role("button", name="Save patient").click()
    expect(
        second_tab.locator(".invalid-feedback").get_by_text(
            "You (in another tab or window) changed this to “2021-03-04” at"
        )
    ).to_be_visible()
    expect(second_tab.locator("input[name=breast_cancer_diagnosis_date]")).to_have_value(
        "2021-02-28"
    )
    shared_patient.refresh_from_db()
    assert shared_patient.breast_cancer_diagnosis_date == date(2021, 3, 4)
