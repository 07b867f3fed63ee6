"""The idle timer: when the server's idle limit passes, the page blanks and the login page opens."""

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_journey import log_in
from tests.factories import PatientFactory, SiteFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_an_idle_page_blanks_and_returns_to_login(
    live_server: Any, page: Page, roles: None, settings: Any
) -> None:
    settings.SESSION_COOKIE_AGE = 3
    settings.SESSION_RENEW_SECONDS = 1
    site = SiteFactory(name="North General", code="north")
    UserFactory(username="nurse", role="nurse", sites=[site])
    PatientFactory(site=site, mrn="IDLE-1", name="Idle Patient")
    csp_errors: list[str] = []
    page.on(
        "console",
        lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None,
    )

    log_in(page, live_server.url, "nurse")
    page.goto(f"{live_server.url}/patients/")
    expect(page.get_by_text("Idle Patient")).to_be_visible()

    # No request for the idle limit: the page blanks and the login page opens, the patient's
    # name gone from the screen.
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/patients/", timeout=8000)
    expect(page.get_by_text("Idle Patient")).to_have_count(0)
    expect(page.locator("input[name=username]")).to_be_visible()
    # The login page says why, and that anything typed and not saved must be entered again.
    expect(
        page.get_by_text("Your session has ended (after 3 seconds without activity")
    ).to_be_visible()
    expect(page.get_by_text("must be entered again after you log in")).to_be_visible()
    assert csp_errors == []
    # The server agrees: the session has ended.
    page.goto(f"{live_server.url}/patients/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/patients/")
