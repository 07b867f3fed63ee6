"""What the browser tests share: their marks, North General with its staff to log in as, logging in
and out, the Content-Security-Policy errors a page reports, and the steps of the registration and
end-of-follow-up forms that more than one test walks through."""

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import Page, expect

from bonehealth.accounts.models import Site, User
from patients.models import FollowUpStatus, Patient
from tests.conftest import login
from tests.factories import PASSWORD, SiteFactory, UserFactory

# A live server's threads see only committed rows: the test's data must be committed too.
BROWSER = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def log_in(page: Page, base: str, username: str) -> None:
    """Give the page's browser the session of `username`, as after the login form (and the
    two-factor step, for a user with a device), without opening a page: the test opens the one it
    needs. Typing into the login form and opening the home page cost 0.7 s a test, 73 times a
    suite run; the form itself is driven by `log_in_through_form` (the journeys, the lockouts)."""
    session = login(User.objects.get(username=username)).cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session.value, "url": base}]
    )


def log_in_through_form(page: Page, base: str, username: str) -> None:
    """Log in as a user does: the login form, then the home page it opens."""
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Log out").click()
    page.wait_for_load_state()


def watch_csp_errors(page: Page) -> list[str]:
    """The list the page's Content-Security-Policy refusals are added to from now on."""
    errors: list[str] = []
    page.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if "Content Security Policy" in message.text or "strict CSP" in message.text
            else None
        ),
    )
    return errors


def north_general(*roles: str) -> Site:
    """North General with a user of each role, named after it (`log_in(page, url, "nurse")`)."""
    site: Site = SiteFactory(name="North General", code="north")
    for role in roles:
        UserFactory(username=role, role=role, sites=[site])
    return site


def type_a_registration(page: Page, base: str, *, mrn: str, name: str) -> None:
    """The nurse opens the registration form and types a patient born 1957-02-02, postmenopausal,
    with `mrn` and `name`; the test types the rest and saves."""
    log_in(page, base, "nurse")
    page.goto(f"{base}{reverse('patients:create')}")
    page.fill("input[name=mrn]", mrn)
    page.fill("input[name=name]", name)
    page.fill("input[name=birth_date]", "1957-02-02")
    page.select_option("select[name=menopausal_status]", "postmenopausal")


def open_end_follow_up(page: Page, base: str, patient: Patient) -> None:
    """The physician opens the patient's page and follows its link to end follow-up."""
    log_in(page, base, "physician")
    page.goto(base + reverse("monitoring:patient", args=[patient.pk]))
    page.get_by_role("link", name="End follow-up").click()
    page.wait_for_load_state()


def end_follow_up_refused(page: Page, patient: Patient, reason: str, *, ended_on: str) -> None:
    """Ending on `ended_on` for `reason` without the ticks asked for saves nothing and keeps what
    was typed."""
    page.fill("input[name=ended_on]", ended_on)
    page.fill("input[name=reason]", reason)
    page.get_by_role("button", name="End follow-up").click()
    page.wait_for_load_state()
    patient.refresh_from_db()
    assert patient.follow_up_status == FollowUpStatus.ACTIVE
    expect(page.locator("input[name=reason]")).to_have_value(reason)


def end_follow_up_with_the_follow_on_ticked(page: Page, patient: Patient) -> None:
    """With the denosumab follow-on ticked (and whatever else the test ticked), follow-up ends."""
    page.get_by_label("I have arranged elsewhere the bisphosphonate follow-on").check()
    page.get_by_role("button", name="End follow-up").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Follow-up ended; the record is kept.")).to_be_visible()
    patient.refresh_from_db()
    assert patient.follow_up_status == FollowUpStatus.ENDED
