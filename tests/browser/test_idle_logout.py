"""The idle timer: when the server's idle limit passes, the page blanks and the login page opens."""

from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.clinic import BROWSER, log_in, north_general, watch_csp_errors
from tests.factories import PatientFactory

pytestmark = BROWSER


def test_an_idle_page_blanks_and_returns_to_login(
    live_server: Any, page: Page, roles: None, settings: Any
) -> None:
    settings.SESSION_COOKIE_AGE = 3
    settings.SESSION_RENEW_SECONDS = 1
    site = north_general("nurse")
    PatientFactory(site=site, mrn="IDLE-1", name="Idle Patient")
    csp_errors = watch_csp_errors(page)

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


def test_typing_into_a_form_keeps_the_session_and_what_was_typed(
    live_server: Any, page: Page, roles: None, settings: Any
) -> None:
    settings.SESSION_COOKIE_AGE = 5
    settings.SESSION_RENEW_SECONDS = 1
    north_general("nurse")
    csp_errors = watch_csp_errors(page)
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "keep-alive" in r.url else None)
    log_in(page, live_server.url, "nurse")
    page.goto(f"{live_server.url}/patients/new/")
    name = page.locator("input[name=name]")
    name.click()
    # Three times the idle limit, a key every 0.8 s: no page is opened, only typed into.
    for letter in "Helene Lefevre":
        page.keyboard.type(letter)
        page.wait_for_timeout(800)
    assert page.url == f"{live_server.url}/patients/new/"
    expect(name).to_have_value("Helene Lefevre")
    expect(page.get_by_test_id("idle-warning")).to_have_count(0)
    # At most one question a renewal interval (1 s), however fast the typing: fewer than keys.
    assert 3 <= len(asked) <= 12, asked
    # The server agrees: the session is alive (a page opens without a login).
    assert page.request.get(f"{live_server.url}/accounts/session/keep-alive/").ok
    # Then nothing more is typed: the warning, then the login page at the idle limit.
    expect(page.get_by_test_id("idle-warning")).to_contain_text(
        "you will be signed out at", timeout=6000
    )
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/patients/new/", timeout=8000)
    assert csp_errors == []


def test_an_untouched_page_warns_then_signs_out(
    live_server: Any, page: Page, roles: None, settings: Any
) -> None:
    settings.SESSION_COOKIE_AGE = 6
    settings.SESSION_RENEW_SECONDS = 1
    north_general("nurse")
    log_in(page, live_server.url, "nurse")
    page.goto(f"{live_server.url}/patients/new/")
    page.locator("input[name=name]").fill("typed by a script, not the user")  # no key pressed
    warning = page.get_by_test_id("idle-warning")
    expect(warning).to_contain_text("Keep working", timeout=7000)
    expect(warning.get_by_role("button", name="Stay signed in")).to_be_visible()
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/patients/new/", timeout=8000)
    page.goto(f"{live_server.url}/patients/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/patients/")


def test_stay_signed_in_renews_the_session(
    live_server: Any, page: Page, roles: None, settings: Any
) -> None:
    settings.SESSION_COOKIE_AGE = 6
    settings.SESSION_RENEW_SECONDS = 1
    north_general("nurse")
    log_in(page, live_server.url, "nurse")
    page.goto(f"{live_server.url}/patients/new/")
    warning = page.get_by_test_id("idle-warning")
    warning.get_by_role("button", name="Stay signed in").click(timeout=7000)
    expect(warning).to_have_count(0)
    page.wait_for_timeout(2500)  # past the first idle limit
    assert page.url == f"{live_server.url}/patients/new/"
