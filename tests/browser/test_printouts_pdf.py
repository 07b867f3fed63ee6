"""Printouts as Chromium prints them to A4: one page each for a typical patient, with the chart
drawn whole (its x-axis labels inside the sheet and its legend below the plot)."""

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.models import BoneTherapyCourse, Scanner
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_journey import log_in
from tests.factories import (
    AromataseInhibitorCourseFactory,
    DexaScanFactory,
    LabResultFactory,
    PatientFactory,
    SiteFactory,
    UserFactory,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
TODAY = timezone.localdate()


@pytest.fixture
def typical_patient(roles: None) -> Any:
    """Two and a half years on anastrozole: three scans, labs without calcium, denosumab started
    a month ago without a dental review (several open alerts)."""
    site = SiteFactory(name="North General", code="north")
    UserFactory(username="nurse", role="nurse", sites=[site])
    patient = PatientFactory(site=site, mrn="PRINT-1", name="Printed Patient")
    AromataseInhibitorCourseFactory(patient=patient, start_date=TODAY - dt.timedelta(days=950))
    Scanner.objects.create(site=site, name="Hologic Horizon A", lsc_lumbar_spine="0.028")
    for days, t in ((900, -1.4), (540, -1.9), (170, -2.4)):
        DexaScanFactory(patient=patient, scan_date=TODAY - dt.timedelta(days=days), t=t)
    for analyte, value, unit in (
        ("vitamin_d_25oh", "18", "ng/mL"),
        ("egfr", "74", "mL/min/1.73m2"),
    ):
        LabResultFactory(
            patient=patient,
            sample_date=TODAY - dt.timedelta(days=30),
            analyte=analyte,
            value=Decimal(value),
            entered_value=Decimal(value),
            entered_unit=unit,
        )
    BoneTherapyCourse.objects.create(
        patient=patient, drug="denosumab", start_date=TODAY - dt.timedelta(days=30)
    )
    patient_assessment_refresh(patient=patient)
    return patient


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


@pytest.fixture
def alerting_patient(typical_patient: Any) -> Any:
    """The typical patient with loss at three sites as well (nine open alerts in all)."""
    from django.utils import timezone as tz

    from monitoring.models import Alert

    for code, severity, rank in (
        ("RAPID_BMD_LOSS", "high", 2),
        ("SIGNIFICANT_BMD_LOSS", "warning", 1),
    ):
        for site in ("lumbar_spine", "total_hip", "femoral_neck"):
            Alert.objects.create(
                patient=typical_patient,
                code=code,
                site=site,
                severity=severity,
                severity_rank=rank,
                message="BMD at this site fell 6.1 % (0.052 g/cm2) in 1.0 years, above the LSC.",
                rules=["CHG-RAPID"],
                sources=["ISCD 2019"],
                raised_at=tz.now(),
            )
    return typical_patient


def test_nine_open_alerts_still_print_on_one_page(
    live_server: Any, page: Page, alerting_patient: Any
) -> None:
    log_in(page, live_server.url, "nurse")
    for printout in ("summary", "scan-request"):
        page.goto(f"{live_server.url}/patients/{alerting_patient.pk}/{printout}/")
        expect(page.locator("[data-chart='bmd-chart']")).to_have_attribute("data-drawn", "true")
        expect(
            page.get_by_text("Rapid BMD loss: lumbar spine, total hip, femoral neck")
        ).to_be_visible()
        assert _pages(page.pdf(format="A4", print_background=True)) == 1, printout


@pytest.mark.parametrize("printout", ["summary", "scan-request"])
def test_a_typical_patients_printout_is_one_a4_page_with_the_whole_chart(
    live_server: Any, page: Page, typical_patient: Any, printout: str
) -> None:
    log_in(page, live_server.url, "nurse")
    page.goto(f"{live_server.url}/patients/{typical_patient.pk}/{printout}/")
    chart = page.locator("[data-chart='bmd-chart']")
    expect(chart).to_have_attribute("data-drawn", "true")
    page.emulate_media(media="print")
    # The legend sits below the plot area, and the x-axis tick labels inside the chart.
    plot = chart.locator(".bglayer").first.bounding_box()
    legend = chart.locator(".legend").first.bounding_box()
    box = chart.bounding_box()
    assert plot is not None
    assert legend is not None
    assert box is not None
    assert legend["y"] >= plot["y"] + plot["height"]
    assert legend["y"] + legend["height"] <= box["y"] + box["height"] + 1
    ticks = [
        tick
        for tick in (t.bounding_box() for t in chart.locator(".xtick text").all())
        if tick is not None
    ]
    assert ticks
    for tick in ticks:
        assert box["x"] <= tick["x"]
        assert tick["x"] + tick["width"] <= box["x"] + box["width"] + 1
        assert tick["y"] + tick["height"] <= legend["y"] + 1
    pdf = page.pdf(format="A4", print_background=True)
    (ARTIFACTS / f"printout-{printout}.pdf").write_bytes(pdf)
    assert _pages(pdf) == 1


@pytest.mark.parametrize("kind", ["doctor", "patient"])
def test_a_typical_patients_letter_with_its_therapy_is_one_a4_page(
    live_server: Any, page: Page, typical_patient: Any, kind: str
) -> None:
    """The letters name the therapy given (denosumab here, with its warning) and still fit one
    sheet beside the patient's several open alerts."""
    log_in(page, live_server.url, "nurse")
    page.goto(f"{live_server.url}/patients/{typical_patient.pk}/letters/{kind}/")
    expect(page.get_by_text("denosumab", exact=False).first).to_be_visible()
    pdf = page.pdf(format="A4", print_background=True)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"letter-{kind}.pdf").write_bytes(pdf)
    assert _pages(pdf) == 1
