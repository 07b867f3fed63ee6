"""The main journey in a real browser, under the real Content-Security-Policy.

A nurse records a scan showing a significant loss; a physician finds the alert on the dashboard,
opens the patient, sees the BMD chart drawn and acknowledges the alert with a note; then the
worklist and the printouts.
"""

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from bonehealth.accounts.models import Site, User
from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.models import Alert, Scanner
from patients.models import Patient
from tests.browser.clinic import BROWSER, log_in_through_form, log_out, watch_csp_errors
from tests.factories import (
    AromataseInhibitorCourseFactory,
    DexaScanFactory,
    PatientFactory,
    SiteFactory,
    UserFactory,
)
from tests.monitoring.app.overview_data import alert

pytestmark = BROWSER
TODAY = timezone.localdate()


@pytest.fixture
def world(roles: None) -> dict[str, Any]:
    site: Site = SiteFactory(name="North General", code="north")
    nurse: User = UserFactory(username="nurse", role="nurse", sites=[site])
    physician: User = UserFactory(username="physician", role="physician", sites=[site])
    patient: Patient = PatientFactory(site=site, mrn="JOURNEY-1", name="Journey Patient")
    AromataseInhibitorCourseFactory(patient=patient, start_date=TODAY - dt.timedelta(days=900))
    Scanner.objects.create(site=site, name="Hologic Horizon A", lsc_lumbar_spine="0.028")
    DexaScanFactory(patient=patient, scan_date=TODAY - dt.timedelta(days=800), t=-1.2)
    patient_assessment_refresh(patient=patient)  # as the entry services do: stores the schedule
    return {"site": site, "nurse": nurse, "physician": physician, "patient": patient}


def test_scan_alert_dashboard_chart_and_acknowledgement(
    live_server: Any, page: Page, world: dict[str, Any], screenshot: Any
) -> None:
    base = live_server.url
    patient: Patient = world["patient"]
    csp_errors = watch_csp_errors(page)

    # The nurse lands on the worklist and records the follow-up scan: spine 0.912 -> 0.870.
    log_in_through_form(page, base, "nurse")
    expect(page.get_by_role("heading", name="Worklist")).to_be_visible()
    page.goto(f"{base}/patients/{patient.pk}/scans/new/")
    scan_day = TODAY - dt.timedelta(days=400)
    page.fill("input[name=scan_date]", scan_day.isoformat())
    page.select_option("select[name=scanner]", label="Hologic Horizon A")
    for site, bmd, t in (
        ("lumbar_spine", "0.870", "-1.6"),
        ("total_hip", "0.800", "-1.2"),
        ("femoral_neck", "0.688", "-1.2"),
    ):
        page.fill(f"input[name={site}_bmd]", bmd)
        page.fill(f"input[name={site}_t_score]", t)
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Scan saved; the assessment is updated.")).to_be_visible()
    assert Alert.objects.filter(
        patient=patient, code="SIGNIFICANT_BMD_LOSS", cleared_at__isnull=True
    ).exists()
    log_out(page)

    # The physician lands on the dashboard and finds the patient with the alert.
    log_in_through_form(page, base, "physician")
    expect(page.get_by_role("heading", name="Alert dashboard")).to_be_visible()
    row = page.locator("table.table-dashboard tr", has_text="JOURNEY-1")
    expect(row).to_contain_text("Significant BMD loss: lumbar spine")
    expect(row.get_by_role("img", name="Lowest T-score -1.2")).to_be_visible()  # the sparkline
    screenshot("01-dashboard")
    page.set_viewport_size({"width": 820, "height": 1180})  # a tablet
    screenshot("02-dashboard-tablet")
    page.set_viewport_size({"width": 1280, "height": 900})

    # The patient page: the BMD chart draws its traces, WHO bands and periods.
    row.get_by_role("link", name="Journey Patient").click()
    page.wait_for_load_state("networkidle")
    chart = page.locator("[data-chart='bmd-chart']")
    expect(chart).to_have_attribute("data-drawn", "true")
    traces = chart.locator(".scatterlayer .trace")
    assert traces.count() >= 6  # BMD and T-score of 3 sites, plus the projected estimates
    assert chart.locator(".shapelayer path").count() >= 4  # 2 WHO bands, T -2.0, AI period
    expect(chart.locator(".legendtext", has_text="estimate").first).to_be_visible()
    expect(chart.locator(".annotation-text", has_text="Osteopenia")).to_have_count(1)
    expect(page.locator("[data-chart='btm-chart']")).to_have_count(0)
    screenshot("03-patient-page")

    # Acknowledge the alert with a note, from the keyboard.
    card = page.locator("article.alert-card", has_text="Significant BMD loss")
    note = card.get_by_label("Note")
    note.fill("Discussed at MDT; repeat DEXA in 12 months and start vitamin D.")
    note.press("Enter")
    page.wait_for_load_state()
    expect(page.get_by_text("Alert acknowledged: Significant BMD loss.")).to_be_visible()
    alert = Alert.objects.get(patient=patient, code="SIGNIFICANT_BMD_LOSS", cleared_at=None)
    assert alert.acknowledged_by == world["physician"]
    assert "MDT" in alert.acknowledgement_note

    # Back on the dashboard (drawn from the cache the second time), the physician signs off the
    # nurse's scan: its button submits the page's one form, outside the cached part.
    for _ in range(2):
        page.goto(f"{base}/dashboard/")
    review = page.locator("section[aria-labelledby=h-review]")
    review.get_by_role("button", name=f"Sign off the scan of {scan_day.isoformat()}").click()
    page.wait_for_load_state()
    expect(page.get_by_text(f"Scan of {scan_day.isoformat()} signed off.")).to_be_visible()
    expect(page.get_by_role("heading", name="Scans awaiting review (1)")).to_be_visible()
    signed = patient.dexa_scans.get(scan_date=scan_day)
    assert signed.reviewed_by == world["physician"]
    assert csp_errors == []


def test_alerts_of_one_code_are_one_card_acknowledged_with_one_note(
    live_server: Any, page: Page, world: dict[str, Any], screenshot: Any
) -> None:
    base = live_server.url
    patient: Patient = world["patient"]
    alerts = [
        alert(patient, "RAPID_BMD_LOSS", severity, days_ago=days, site=site)
        for site, severity, days in (
            ("lumbar_spine", "high", 3),
            ("total_hip", "warning", 2),
            ("femoral_neck", "warning", 1),
        )
    ]
    csp_errors = watch_csp_errors(page)
    log_in_through_form(page, base, "physician")
    row = page.locator("table.table-dashboard tr", has_text="JOURNEY-1")
    title = "Rapid BMD loss: lumbar spine, total hip, femoral neck"
    expect(row).to_contain_text(title)
    row.get_by_role("link", name="Journey Patient").click()
    page.wait_for_load_state()
    card = page.locator("article.alert-card", has_text=title)
    expect(card).to_have_count(1)
    expect(card.get_by_role("button", name=f"Acknowledge all 3 {title}")).to_be_visible()
    screenshot("03b-alert-group")
    note = card.get_by_label("Note (for all 3 sites)")
    note.fill("Reviewed the three sites at MDT; denosumab planned.")
    note.press("Enter")
    page.wait_for_load_state()
    expect(page.get_by_text("Alerts acknowledged: Rapid BMD loss (3 sites).")).to_be_visible()
    stored = Alert.objects.filter(pk__in=[a.pk for a in alerts])
    assert {(a.acknowledged_by, a.acknowledgement_note) for a in stored} == {
        (world["physician"], "Reviewed the three sites at MDT; denosumab planned.")
    }
    expect(page.locator("article.alert-card", has_text=title)).to_contain_text(
        "Acknowledged by physician"
    )
    assert csp_errors == []


def test_worklist_and_printouts(
    live_server: Any, page: Page, world: dict[str, Any], screenshot: Any
) -> None:
    base = live_server.url
    patient: Patient = world["patient"]
    csp_errors = watch_csp_errors(page)
    log_in_through_form(page, base, "physician")

    page.goto(f"{base}/worklist/")
    row = page.locator("table.table-worklist tr", has_text="JOURNEY-1")
    expect(row).to_contain_text("DEXA scan")
    expect(row).to_contain_text("Overdue")  # in words, not colour alone
    page.get_by_label("Due within (weeks)").fill("12")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()
    expect(page.get_by_label("Due within (weeks)")).to_have_value("12")
    screenshot("04-worklist")
    page.get_by_role("link", name="Print view").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Worklist: due up to")).to_be_visible()
    screenshot("05-worklist-print")

    for name, heading in (
        ("summary", "Bone health summary"),
        ("scan-request", "Request for a DEXA scan"),
    ):
        page.goto(f"{base}/patients/{patient.pk}/{name}/")
        page.wait_for_load_state("networkidle")
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
        chart = page.locator("[data-chart='bmd-chart']")
        expect(chart).to_have_attribute("data-drawn", "true")
        assert chart.locator(".scatterlayer .trace").count() >= 6
        page.emulate_media(media="print")
        expect(page.get_by_role("button", name="Print")).to_be_hidden()
        screenshot(f"06-{name}-print")
        page.emulate_media(media="screen")
    assert csp_errors == []
