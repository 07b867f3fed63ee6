"""A nurse registers a patient with a name of spaces (sec11 #6): the browser lets it through (the
field is filled), the server refuses it beside the name, keeps what was typed, and saves nothing;
with a name the patient is registered."""

from typing import Any

from playwright.sync_api import Page, expect

from bonehealth.accounts.models import Site
from patients.models import Patient
from tests.browser.clinic import BROWSER, type_a_registration, watch_csp_errors

pytestmark = BROWSER


def test_a_name_of_spaces_is_refused_beside_the_field(
    page: Page, live_server: Any, north_general_nurse: Site
) -> None:
    csp_errors = watch_csp_errors(page)
    type_a_registration(page, live_server.url, mrn="NAME-01", name="   ")
    page.get_by_role("button", name="Save patient").click()
    page.wait_for_load_state()

    expect(page.locator("#id_name ~ .invalid-feedback").first).to_have_text(
        "Give the patient's name."
    )
    expect(page.locator("input[name=mrn]")).to_have_value("NAME-01")
    expect(page.locator("input[name=birth_date]")).to_have_value("1957-02-02")
    assert not Patient.objects.exists()

    page.fill("input[name=name]", "Nora Example")
    page.get_by_role("button", name="Save patient").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Nora Example")
    assert Patient.objects.get().name == "Nora Example"
    assert csp_errors == []
