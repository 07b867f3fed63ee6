"""On a phone, a refused registration opens on its summary, focused and in view, not on what looks
like a fresh form with the error two screens below (nurse10 F9); its link puts the focus in the
field. Also checks the Content-Security-Policy lets the script run (no inline script)."""

from typing import Any

from playwright.sync_api import Page, expect

from bonehealth.accounts.models import Site
from patients.models import Patient
from tests.browser.clinic import BROWSER, type_a_registration

pytestmark = BROWSER


def test_a_refused_form_opens_on_its_summary_on_a_phone(
    page: Page, live_server: Any, north_general_nurse: Site
) -> None:
    page.set_default_timeout(10_000)
    page.set_viewport_size({"width": 390, "height": 844})
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    # The name is required (sec11 #6): the one problem is the glucocorticoid months.
    type_a_registration(page, live_server.url, mrn="N10-0050", name="Nora Example")
    page.fill("input[name=oral_glucocorticoid_months]", "3,5")
    page.get_by_role("button", name="Save patient").click()
    page.wait_for_load_state()

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    expect(summary).to_contain_text("Not saved: 1 problem below")
    expect(page).to_have_title("Not saved: 1 problem below · Register a patient · bonehealth")
    field = page.locator("#id_oral_glucocorticoid_months")
    expect(field).not_to_be_in_viewport()  # the case: two screens below

    summary.get_by_role("link", name="Oral glucocorticoids (months)").click()
    expect(field).to_be_focused()
    expect(field).to_be_in_viewport()
    expect(field).to_have_value("3,5")  # kept as typed
    assert not errors, errors  # no CSP refusal, no script error
    assert not Patient.objects.exists()
