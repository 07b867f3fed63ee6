"""The account edit form in Chromium (security7 F5): saved unchanged it changes nothing; opened
before another administrator's role grant, its save is refused and shows the grant."""

from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, Page, expect

from bonehealth.accounts import services
from bonehealth.accounts.models import Site, User
from bonehealth.audit.models import AuditAction, AuditEvent
from tests.browser.clinic import BROWSER, log_in
from tests.factories import SiteFactory, UserFactory

pytestmark = BROWSER


@pytest.fixture
def accounts(roles: None) -> dict[str, User]:
    site: Site = SiteFactory(name="North General", code="north")
    admins = {}
    for name in ("anna", "bert"):
        admins[name] = UserFactory(username=name, role="admin", sites=[site])
        TOTPDevice.objects.create(user=admins[name], name="test", confirmed=True)
    nurse = UserFactory(username="nurse", role="nurse", sites=[site], first_name="Nina")
    return {**admins, "nurse": nurse}


def _open_as(browser: Browser, base: str, admin: User, user: User) -> Page:
    """The edit page in a browser holding the admin's session (password and two-factor passed)."""
    page = browser.new_context().new_page()
    log_in(page, base, admin.username)
    page.set_default_timeout(10_000)
    page.goto(f"{base}{reverse('accounts:user_update', args=[user.pk])}")
    return page


def _state(user: User) -> tuple[Any, ...]:
    fresh = User.objects.get(pk=user.pk)
    return (
        fresh.first_name,
        fresh.last_name,
        fresh.email,
        fresh.version,
        sorted(fresh.groups.values_list("name", flat=True)),
        sorted(fresh.sites.values_list("code", flat=True)),
    )


def test_saved_unchanged_it_changes_nothing(
    browser: Browser, live_server: Any, accounts: dict[str, User]
) -> None:
    nurse = accounts["nurse"]
    before = _state(nurse)
    page = _open_as(browser, live_server.url, accounts["anna"], nurse)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Nothing was changed")).to_be_visible()
    assert _state(nurse) == before
    assert not AuditEvent.objects.filter(
        object_id=str(nurse.pk), action=AuditAction.CHANGE
    ).exists()


def test_a_form_opened_before_a_grant_is_refused_and_shows_it(
    browser: Browser, live_server: Any, accounts: dict[str, User]
) -> None:
    nurse = accounts["nurse"]
    page = _open_as(browser, live_server.url, accounts["bert"], nurse)
    physician = Group.objects.get(name="physician")
    services.user_update(
        actor=accounts["anna"],
        user=nurse,
        values={},
        roles=[*nurse.groups.all(), physician],
        sites=list(nurse.sites.all()),
        expected_version=nurse.version,
    )
    page.fill("input[name=email]", "nina@example.org")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("changed by someone else")).to_be_visible()
    expect(page.get_by_label("Physician")).to_be_checked()
    expect(page.locator("input[name=email]")).to_have_value("nina@example.org")
    assert "physician" in _state(nurse)[4]
    assert User.objects.get(pk=nurse.pk).email != "nina@example.org"
    # Saved again, the merged form keeps the grant and changes the e-mail.
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Saved: email.")).to_be_visible()
    assert _state(nurse)[2:] == ("nina@example.org", 3, ["nurse", "physician"], ["north"])
