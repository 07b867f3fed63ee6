"""nurse14 #16: a date box shows its day and month in the order of the browser's language, and
14/03/1958 typed day first into a month-first box was stored as 1958-12-03 without a cue. Each
date box reads its date back in words under it (static/js/date-words.js) as it is typed, on a
form sent back with errors, and as an edit form opens; saving that edit form unchanged changes
nothing (every edit form: test_edit_forms_unchanged.py)."""

import datetime as dt
from typing import Any

from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from bonehealth.accounts.models import Site
from patients.models import Patient
from tests.browser.clinic import BROWSER, log_in, type_a_registration, watch_csp_errors
from tests.factories import PatientFactory

pytestmark = BROWSER


def in_words(iso: str) -> str:
    """An ISO date as the page writes it in words: 1958-03-14 as "14 March 1958"."""
    day = dt.date.fromisoformat(iso)
    return f"{day.day} {day:%B %Y}"


def words_of(page: Page, name: str) -> Any:
    """The line reading back the date box `name`."""
    box_id = page.locator(f"input[name={name}]").get_attribute("id")
    return page.locator(f"#{box_id}-words")


def test_a_typed_date_is_read_back_in_words_also_after_a_refused_save(
    browser: Browser, live_server: Any, north_general_nurse: Site
) -> None:
    # A browser in US English: its date boxes are month first.
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    csp_errors = watch_csp_errors(page)
    type_a_registration(page, live_server.url, mrn="WORDS-01", name="   ")
    birth = page.locator("input[name=birth_date]")
    words = words_of(page, "birth_date")
    expect(words).to_have_text(in_words("1957-02-02"))
    expect(words).to_have_attribute("aria-live", "polite")
    assert words.get_attribute("id") in (birth.get_attribute("aria-describedby") or "").split()

    # The tester's keys, 14 03 1958 meant day first, typed into the box as a nurse types them.
    birth.fill("")
    expect(words).to_have_text("")
    birth.focus()
    page.keyboard.type("14031958")
    typed = birth.input_value()
    # 1958-12-03 in a month-first box (this Chromium's), 1958-03-14 in a day-first one: the
    # words say which, before anything is saved.
    assert typed in {"1958-12-03", "1958-03-14"}
    expect(words).to_have_text(in_words(typed))

    # The nurse reads "3 December 1958" and puts the date right; the name of spaces is refused.
    birth.fill("1958-03-14")
    expect(words).to_have_text("14 March 1958")
    page.get_by_role("button", name="Save patient").click()
    page.wait_for_load_state()
    expect(page.locator("#id_name ~ .invalid-feedback").first).to_be_visible()
    assert not Patient.objects.exists()
    # Sent back with errors: the date sent, in words, and its error still beside the box.
    expect(words_of(page, "birth_date")).to_have_text("14 March 1958")

    page.fill("input[name=name]", "Margaret Words")
    page.get_by_role("button", name="Save patient").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Margaret Words")
    assert Patient.objects.get().birth_date == dt.date(1958, 3, 14)
    assert csp_errors == []
    context.close()


def test_an_edit_form_opens_with_its_saved_dates_in_words_and_saves_unchanged(
    page: Page, live_server: Any, north_general_nurse: Site
) -> None:
    patient = PatientFactory(
        site=north_general_nurse,
        mrn="WORDS-02",
        name="Zofia Words",
        birth_date=dt.date(1962, 5, 4),
        breast_cancer_diagnosis_date=dt.date(2021, 11, 12),
    )
    before = Patient.objects.values().get(pk=patient.pk)
    csp_errors = watch_csp_errors(page)
    log_in(page, live_server.url, "nurse")
    page.goto(live_server.url + reverse("patients:update", args=[patient.pk]))
    expect(words_of(page, "birth_date")).to_have_text("4 May 1962")
    expect(words_of(page, "breast_cancer_diagnosis_date")).to_have_text("12 November 2021")
    expect(words_of(page, "prior_fracture_date")).to_have_text("")  # no date: no words

    page.get_by_role("button", name="Save patient").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Nothing was changed")).to_be_visible()
    assert Patient.objects.values().get(pk=patient.pk) == before
    assert csp_errors == []
