"""axe-core in Chromium on the pages clinicians use: no serious or critical violation.

axe-core comes from npm like plotly.js (package.json; `make install-test` installs it into the
git-ignored node_modules/) and is injected into each page. The context bypasses the
Content-Security-Policy only so that the injected script runs; the pages are otherwise as served.
"""

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page

from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.models import BoneTherapyCourse, Scanner
from tests.browser.clinic import BROWSER, PASSWORD, north_general
from tests.factories import (
    AromataseInhibitorCourseFactory,
    DexaScanFactory,
    LabResultFactory,
    PatientFactory,
)

pytestmark = BROWSER
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
TODAY = timezone.localdate()
BLOCKING = {"serious", "critical"}


@pytest.fixture
def clinic(roles: None) -> dict[str, Any]:
    site = north_general("nurse", "physician")
    patient = PatientFactory(site=site, mrn="AXE-1", name="Access Patient")
    AromataseInhibitorCourseFactory(patient=patient, start_date=TODAY - dt.timedelta(days=900))
    Scanner.objects.create(site=site, name="Hologic Horizon A", lsc_lumbar_spine="0.028")
    DexaScanFactory(patient=patient, scan_date=TODAY - dt.timedelta(days=800), t=-1.2)
    DexaScanFactory(patient=patient, scan_date=TODAY - dt.timedelta(days=400), t=-2.2)
    LabResultFactory(patient=patient, sample_date=TODAY - dt.timedelta(days=20), value=18)
    course = BoneTherapyCourse.objects.create(
        patient=patient, drug="denosumab", start_date=TODAY - dt.timedelta(days=300)
    )
    patient_assessment_refresh(patient=patient)
    return {"patient": patient, "course": course}


def _violations(page: Page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    found: list[dict[str, Any]] = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [
        f"{v['impact']} {v['id']}: {v['help']} at "
        + ", ".join(str(node["target"]) for node in v["nodes"][:3])
        for v in found
        if v["impact"] in BLOCKING
    ]


def _pages(clinic: dict[str, Any]) -> dict[str, list[str]]:
    p, course = clinic["patient"].pk, clinic["course"].pk
    patient_pages = [
        f"/patients/{p}/",
        f"/patients/{p}/scans/new/",
        f"/patients/{p}/labs/new/",
        f"/patients/{p}/frax/new/",
        f"/patients/{p}/supplements/",
        f"/patients/{p}/summary/",
        f"/patients/{p}/scan-request/",
    ]
    return {
        "nurse": ["/worklist/", "/worklist/print/", "/patients/", *patient_pages],
        "physician": [
            "/dashboard/",
            f"/patients/{p}/therapy/new/",
            f"/patients/{p}/therapy/{course}/doses/new/",
            f"/patients/{p}/plan/",
            "/rules/",
        ],
    }


def _logged_in(browser: Browser, live_server: Any, username: str) -> Page:
    page = browser.new_context(bypass_csp=True).new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return page


def _checked(page: Page, state: str, problems: dict[str, list[str]]) -> None:
    """axe on the page as it is now, after asserting it shows a failed check and the override."""
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=safety-checklist] tr[data-status=failed]").count(), state
    assert page.locator("textarea[name=override_reason]").count() == 1, state
    if found := _violations(page):
        problems[state] = found


def test_the_safety_checklist_with_a_failed_check_has_no_serious_or_critical_violation(
    live_server: Any, browser: Browser, clinic: dict[str, Any]
) -> None:
    """The therapy form after a refused save (checklist, override fields and their errors) and the
    dose form before and after one."""
    p, course = clinic["patient"].pk, clinic["course"].pk
    page = _logged_in(browser, live_server, "physician")
    problems: dict[str, list[str]] = {}

    page.goto(f"{live_server.url}/patients/{p}/therapy/new/")
    page.select_option("select[name=drug]", label="Zoledronic acid")
    page.fill("input[name=dose]", "4 mg every 6 months")
    page.fill("input[name=start_date]", TODAY.isoformat())
    page.get_by_role("button", name="Save therapy").click()
    _checked(page, "therapy form refused", problems)
    page.check("input[name=safety_override]")
    page.get_by_role("button", name="Save therapy").click()  # ticked, but no reason given
    _checked(page, "therapy form without a reason", problems)

    page.goto(f"{live_server.url}/patients/{p}/therapy/{course}/doses/new/")
    _checked(page, "dose form", problems)
    page.fill("input[name=given_on]", TODAY.isoformat())
    page.get_by_role("button", name="Record dose").click()
    _checked(page, "dose form refused", problems)
    page.context.close()
    assert problems == {}


def test_clinical_pages_have_no_serious_or_critical_accessibility_violation(
    live_server: Any, browser: Browser, clinic: dict[str, Any]
) -> None:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make install-test` (npm installs axe-core)")
    problems: dict[str, list[str]] = {}
    for username, paths in _pages(clinic).items():
        context = browser.new_context(bypass_csp=True)
        page = context.new_page()
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        for path in paths:
            response = page.goto(f"{live_server.url}{path}")
            assert response is not None
            assert response.status == 200, path
            page.wait_for_load_state("networkidle")
            if found := _violations(page):
                problems[path] = found
        context.close()
    assert problems == {}
