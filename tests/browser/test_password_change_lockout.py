"""In Chromium: wrong current passwords on the password-change form pause the user and sign the
session out (sec11 #2); a login name longer than any account's is refused like a wrong one
(sec11 #3)."""

from typing import Any

from axes.models import AccessAttempt
from playwright.sync_api import Page, expect

from bonehealth.accounts.models import User
from bonehealth.audit.models import AuditAction, AuditEvent
from tests.browser.clinic import BROWSER, PASSWORD, log_in, log_in_through_form, north_general

pytestmark = BROWSER

NEW = "Zebra-candle-mountain-77"


def _submit_change(page: Page, old_password: str) -> None:
    page.fill("input[name=old_password]", old_password)
    page.fill("input[name=new_password1]", NEW)
    page.fill("input[name=new_password2]", NEW)
    page.get_by_role("button", name="Change password").click()
    page.wait_for_load_state()


def test_five_wrong_current_passwords_sign_out_and_pause(
    live_server: Any, page: Page, roles: None
) -> None:
    north_general("nurse")
    log_in(page, live_server.url, "nurse")
    page.goto(f"{live_server.url}/accounts/password/")
    for n in range(4):
        _submit_change(page, f"wrong-{n}")
        expect(page.get_by_role("heading", name="Change your password")).to_be_visible()
        expect(page.get_by_text("Your old password was entered incorrectly").first).to_be_visible()
    _submit_change(page, "wrong-4")
    expect(page.get_by_role("heading", name="Login paused")).to_be_visible()
    expect(page.get_by_text("You have been signed out.")).to_be_visible()
    # Signed out: a page needing a login goes to the login page.
    page.goto(f"{live_server.url}/patients/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/patients/")
    # Paused like a login: the right password does not open a session from this browser.
    log_in_through_form(page, live_server.url, "nurse")
    expect(page.get_by_role("heading", name="Login paused")).to_be_visible()

    assert User.objects.get(username="nurse").check_password(PASSWORD)
    failed = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, username="nurse")
    assert list(failed.order_by("id").values_list("changes", flat=True)) == [
        {"step": "change password"}
    ] * 4 + [{"step": "change password", "locked_out": True}]
    assert AccessAttempt.objects.get(username="nurse").failures_since_start == 5


def test_a_login_name_past_the_page_s_maxlength_is_refused_as_wrong(
    live_server: Any, page: Page
) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    # What a crafted request sends: the page's maxlength taken off.
    page.locator("input[name=username]").evaluate("field => field.removeAttribute('maxlength')")
    page.fill("input[name=username]", "q" * 300)
    page.fill("input[name=password]", "x")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    expect(page.get_by_text("Please enter a correct username and password").first).to_be_visible()
    event = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert event.username == "q" * 149 + "\u2026"
