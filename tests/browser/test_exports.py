"""The cohort export page and a letter in a real browser: filters, a CSV download, the letter on
screen, its clinician's copy, and the printed letter on one A4 page."""

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from bonehealth.accounts.models import Site, User
from monitoring.demo_showcase import demo_showcase_import
from patients.models import Patient
from tests.browser.clinic import BROWSER, log_in
from tests.factories import SiteFactory, UserFactory

pytestmark = BROWSER


@pytest.fixture
def world(roles: None) -> dict[str, Any]:
    site: Site = SiteFactory(name="North General", code="north")
    nurse: User = UserFactory(username="nurse", role="nurse", sites=[site])
    demo_showcase_import(site=site, today=timezone.localdate())
    return {"site": site, "nurse": nurse}


def test_cohort_export_page_downloads_the_filtered_csv(
    live_server: Any, page: Page, world: dict[str, Any], screenshot: Any
) -> None:
    base = live_server.url
    log_in(page, base, "nurse")
    page.goto(f"{base}/patients/")
    page.get_by_role("link", name="Export a cohort").click()
    expect(page.get_by_role("heading", name="Export a cohort")).to_be_visible()
    page.select_option("select[name=risk]", "high")
    page.get_by_role("button", name="Count patients").click()
    count = int(page.locator("#cohort-count strong").inner_text())
    assert count > 0
    screenshot("cohort-export")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    assert len(rows) == count
    assert {row["risk_category"] for row in rows} == {"high"}
    # A filter changed without counting again: the export is what the page shows.
    page.select_option("select[name=alert]", "DEXA_OVERDUE")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    assert rows
    assert all("DEXA_OVERDUE" in row["open_alerts"] for row in rows)
    assert {row["risk_category"] for row in rows} == {"high"}


def test_a_letter_prints_on_one_a4_page_with_rule_ids_on_the_clinicians_copy_only(
    live_server: Any, page: Page, world: dict[str, Any], screenshot: Any
) -> None:
    base = live_server.url
    patient = Patient.objects.filter(site=world["site"], dexa_scans__isnull=False).first()
    assert patient is not None
    log_in(page, base, "nurse")
    page.goto(f"{base}/patients/{patient.pk}/")
    page.get_by_role("link", name="Letter to the patient").click()
    expect(page.get_by_text("Your results")).to_be_visible()
    assert page.locator(".rule-ids").count() == 0
    screenshot("letter-patient")
    pdf = page.pdf(format="A4")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
    page.get_by_role(
        "link", name="Show the copy for the clinic's file, with the rule id behind each sentence"
    ).click()
    expect(page.locator(".rule-ids").first).to_be_visible()
    assert "WHO-CAT" in page.locator(".letter").inner_text()
    # The doctor's clinician copy is the longest letter: one page for every showcase patient.
    for each in Patient.objects.filter(site=world["site"]).order_by("mrn"):
        page.goto(f"{base}/patients/{each.pk}/letters/doctor/?copy=clinician")
        pdf = page.pdf(format="A4")
        assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1, each.mrn
