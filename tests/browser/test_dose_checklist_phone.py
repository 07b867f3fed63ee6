"""The dose checklist on a phone and a dose recorded twice, in Chromium.

nurse11 F5: at 375 px the checklist was a 525 px table in a sideways scroller, "What the rules
say" (why a check failed) off-screen. Each check is now a card (app.css `.table-cards`): nothing
is wider than the screen and the reason is in view. nurse11 F3: the second tab recording one
injection a day apart is asked whether it is the same injection, and a nurse cannot tick the
override (only a physician overrides a dose too early)."""

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from bonehealth.accounts.models import Site
from monitoring.models import BoneTherapyCourse, BoneTherapyDose
from patients.models import Patient
from tests.browser.clinic import BROWSER, log_in, watch_csp_errors
from tests.browser.conftest import ARTIFACTS
from tests.factories import PatientFactory, SiteFactory, UserFactory, results_in_range

pytestmark = BROWSER
TODAY = timezone.localdate()
PHONE = {"width": 375, "height": 800}
# Whatever is drawn past the screen's right edge (or left of it), to say why on failure; not the
# 1 px clipped boxes of visually hidden text (the skip link).
WIDER_THAN_THE_SCREEN = (
    "() => [...document.querySelectorAll('body *')]"
    ".filter(e => { const r = e.getBoundingClientRect();"
    " return r.width > 1 && (r.right > window.innerWidth + 0.5 || r.left < -0.5); })"
    ".map(e => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`)"
)


@pytest.fixture
def site(roles: None) -> Site:
    site: Site = SiteFactory(name="North General", code="north")
    UserFactory(username="nurse", role="nurse", sites=[site], first_name="Nora", last_name="Nurse")
    UserFactory(username="ann", role="nurse", sites=[site], first_name="Ann", last_name="Other")
    UserFactory(username="physician", role="physician", sites=[site])
    return site


def _denosumab(patient: Patient, last_dose: dt.date) -> BoneTherapyCourse:
    course = BoneTherapyCourse.objects.create(
        patient=patient,
        drug="denosumab",
        start_date=TODAY - dt.timedelta(days=600),
        dental_review_date=TODAY - dt.timedelta(days=620),
    )
    dose = BoneTherapyDose.objects.create(course=course, given_on=last_dose)
    BoneTherapyDose.objects.filter(pk=dose.pk).update(
        entered_at=timezone.now() - dt.timedelta(days=(TODAY - last_dose).days)
    )
    return course


def _fits_the_phone(page: Page) -> None:
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths == [PHONE["width"], PHONE["width"]], (
        widths,
        page.evaluate(WIDER_THAN_THE_SCREEN),
    )
    assert page.evaluate(WIDER_THAN_THE_SCREEN) == []


def _in_view(page: Page, locator: Any) -> None:
    """`locator` is shown within the screen's width (no sideways scroll to read it)."""
    locator.scroll_into_view_if_needed()
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= PHONE["width"], box


def test_the_dose_checklist_reads_on_a_phone(
    live_server: Any, page: Page, site: Site, screenshot: Any
) -> None:
    """The tester's steps: a date that fails checks, then submit; with no results on file and the
    last dose 9 days before (the interval fails too)."""
    patient = PatientFactory(site=site, mrn="SHOW-01", name="Demo Denosumab Due")
    course = _denosumab(patient, TODAY - dt.timedelta(days=190))
    csp_errors = watch_csp_errors(page)
    page.set_viewport_size(PHONE)
    log_in(page, live_server.url, "nurse")
    page.goto(live_server.url + reverse("monitoring:dose_create", args=[patient.pk, course.pk]))
    page.fill("input[name=given_on]", (TODAY - dt.timedelta(days=181)).isoformat())
    page.get_by_role("button", name="Record dose").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Not saved")).to_be_visible()
    screenshot("dose-checklist-phone")
    _fits_the_phone(page)

    checklist = page.get_by_test_id("safety-checklist")
    interval = checklist.locator("tr[data-check=dose_interval]")
    expect(interval).to_have_attribute("data-status", "failed")
    # Each check a card: its name first, then its result, rule and the reason, all in view.
    _in_view(page, interval.locator("th"))
    _in_view(page, interval.locator("td[data-label=Result]"))
    _in_view(page, interval.get_by_role("link", name="DMAB-SCHEDULE"))
    reason = interval.locator("td.check-says")
    _in_view(page, reason)
    expect(reason).to_contain_text("days early (earliest without an override:")
    expect(reason).to_contain_text("Override: a physician only.")
    name_box, reason_box = interval.locator("th").bounding_box(), reason.bounding_box()
    assert name_box is not None
    assert reason_box is not None
    assert name_box["y"] < reason_box["y"]
    vitamin_d = checklist.locator("tr[data-check=vitamin_d]")
    _in_view(page, vitamin_d.locator("td.check-says"))
    expect(vitamin_d.locator("td[data-label=Latest]")).to_have_text("none")
    expect(vitamin_d.locator("td[data-label=Latest]")).to_have_css("display", "block")
    # Who may override, and the box a nurse cannot tick.
    _in_view(page, page.get_by_test_id("override-who"))
    expect(page.get_by_label("Override the failed checks")).to_be_disabled()
    assert not course.doses.filter(given_on=TODAY - dt.timedelta(days=181)).exists()
    assert csp_errors == []


def test_the_therapy_form_checklist_reads_on_a_phone(
    live_server: Any, page: Page, site: Site, screenshot: Any
) -> None:
    patient = PatientFactory(site=site, mrn="PHONE-9", name="Hélène Lefèvre-Øster")
    page.set_viewport_size(PHONE)
    log_in(page, live_server.url, "physician")
    page.goto(live_server.url + reverse("monitoring:therapy_create", args=[patient.pk]))
    page.select_option("select[name=drug]", label="Zoledronic acid")
    page.fill("input[name=dose]", "4 mg every 6 months")
    page.fill("input[name=start_date]", TODAY.isoformat())
    page.get_by_role("button", name="Save therapy").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("safety-checklist")).to_be_visible()
    screenshot("therapy-checklist-phone")
    _fits_the_phone(page)
    renal = page.locator("tr[data-check=renal] td.check-says")
    _in_view(page, renal)
    expect(renal).to_contain_text("No creatinine clearance or eGFR in the last 12 months")
    _in_view(page, page.get_by_role("link", name="DMAB-SCHEDULE"))  # the dose field's help
    expect(page.get_by_label("Override the failed checks")).to_be_enabled()


def test_the_second_tab_is_asked_whether_it_is_the_same_injection(
    live_server: Any, browser: Browser, site: Site
) -> None:
    """Two nurses (two tabs): Nora records today's injection, Ann then records it as
    yesterday's."""
    patient = PatientFactory(site=site, mrn="SHOW-02", name="Demo Denosumab Overdue")
    results_in_range(patient, TODAY - dt.timedelta(days=30))
    course = _denosumab(patient, TODAY - dt.timedelta(days=243))
    url = live_server.url + reverse("monitoring:dose_create", args=[patient.pk, course.pk])
    tabs = []
    for username in ("ann", "nurse"):
        tab = browser.new_context(viewport=PHONE, locale="en-GB").new_page()
        log_in(tab, live_server.url, username)
        tab.goto(url)
        tabs.append(tab)
    tab_a, tab_b = tabs

    tab_b.fill("input[name=given_on]", TODAY.isoformat())
    tab_b.get_by_role("button", name="Record dose").click()
    tab_b.wait_for_load_state()
    expect(tab_b.get_by_text("Dose recorded")).to_be_visible()
    recorded = course.doses.get(given_on=TODAY)
    at = f"{timezone.localtime(recorded.entered_at):%Y-%m-%d %H:%M}"

    tab_a.fill("input[name=given_on]", (TODAY - dt.timedelta(days=1)).isoformat())
    tab_a.get_by_role("button", name="Record dose").click()
    tab_a.wait_for_load_state()
    question = (
        f"A denosumab dose on {TODAY:%Y-%m-%d} is already recorded for this course (entered by "
        f"Nora Nurse at {at}), 1 day after this one: is this the same injection?"
    )
    beside_the_date = tab_a.locator(".invalid-feedback").filter(has_text=question)
    expect(beside_the_date).to_be_visible()
    # Once beside the date (and linked from the summary), not again in the row (nurse13 #14).
    expect(tab_a.locator("tr[data-check=dose_interval] td.check-says")).not_to_contain_text(
        "is this the same injection?"
    )
    expect(tab_a.get_by_label("Override the failed checks")).to_be_disabled()
    ARTIFACTS.mkdir(exist_ok=True)
    tab_a.screenshot(path=str(ARTIFACTS / "dose-same-injection-phone.png"), full_page=True)
    _fits_the_phone(tab_a)
    assert list(course.doses.filter(given_on__gte=TODAY - dt.timedelta(days=1))) == [recorded]
