"""The words phys14 #5, #6 and #8 added still print on one A4 sheet: the zoledronic acid follow-on
named with its infusion and the marker check after it, the aromatase inhibitor ended on
denosumab, and the vertebral fracture assessment asked for after a late denosumab dose (the scan
request says why)."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.models import BoneTherapyCourse, BoneTherapyDose, Scanner
from tests.browser.clinic import BROWSER, log_in, north_general
from tests.browser.test_printouts_pdf import (
    PRINTED_HEIGHT,
    SHEET_WIDTH_PX,
    _open_printout,
    _pages,
    _save,
)
from tests.factories import (
    AromataseInhibitorCourseFactory,
    DexaScanFactory,
    LabResultFactory,
    PatientFactory,
)

pytestmark = BROWSER
TODAY = timezone.localdate()


def _ago(days: int) -> date:
    return TODAY - timedelta(days=days)


def _patient(mrn: str, ai_start: int, ai_stop: int | None, scans: list[tuple[int, float]]) -> Any:
    """A patient of 72 at North General with `scans` ((days ago, T-score)), vitamin D 24 ng/mL,
    calcium 2.30 mmol/L and eGFR 52 twenty days ago, on letrozole from `ai_start` days ago."""
    site = north_general("nurse", "physician")
    patient = PatientFactory(
        site=site, mrn=mrn, name=f"Printed {mrn}", birth_date=date(1954, 3, 1), smoking="former"
    )
    AromataseInhibitorCourseFactory(
        patient=patient,
        drug="letrozole",
        start_date=_ago(ai_start),
        stop_date=None if ai_stop is None else _ago(ai_stop),
    )
    scanner = Scanner.objects.create(site=site, name="Hologic Horizon A, room 2")
    for days, t in scans:
        DexaScanFactory(patient=patient, scan_date=_ago(days), scanner=scanner, t=t)
    for analyte, value, unit in (
        ("vitamin_d_25oh", "24", "ng/mL"),
        ("calcium", "2.30", "mmol/L"),
        ("egfr", "52", "mL/min/1.73m2"),
    ):
        LabResultFactory(
            patient=patient,
            sample_date=_ago(20),
            analyte=analyte,
            value=Decimal(value),
            entered_value=Decimal(value),
            entered_unit=unit,
        )
    return patient


def _course(patient: Any, drug: str, start: int, stop: int | None, doses: list[int]) -> None:
    course = BoneTherapyCourse.objects.create(
        patient=patient,
        drug=drug,
        dose="60 mg every 6 months" if drug == "denosumab" else "4 mg single infusion",
        start_date=_ago(start),
        stop_date=None if stop is None else _ago(stop),
        dental_review_date=_ago(start + 20),
    )
    for days in doses:
        BoneTherapyDose.objects.create(course=course, given_on=_ago(days))


@pytest.fixture
def single_follow_on(roles: None) -> Any:
    """T14-04's course: 5 injections, one zoledronic acid infusion, both courses stopped; scans
    down to osteoporosis (therapy indicated, DEXA overdue), vitamin D insufficient."""
    patient = _patient("P14-PDF-5", 1200, None, [(1150, -2.3), (500, -2.6)])
    _course(patient, "denosumab", 1110, 190, [1110, 928, 746, 564, 372])
    _course(patient, "zoledronic_acid", 190, 190, [190])
    patient_assessment_refresh(patient=patient)
    return patient


@pytest.fixture
def late_dose(roles: None) -> Any:
    """Denosumab with a dose 150 days late, the AI ended on it, scans down to osteoporosis: the
    VFA asked for, the AI's end to decide on, the DEXA overdue, vitamin D insufficient."""
    patient = _patient("P14-PDF-8", 1900, 40, [(1000, -2.4), (600, -2.7)])
    _course(patient, "denosumab", 700, None, [700, 518, 185])
    patient_assessment_refresh(patient=patient)
    return patient


@pytest.mark.parametrize("printout", ["summary", "letters/doctor", "letters/patient"])
def test_the_follow_on_and_its_check_print_on_one_page(
    live_server: Any, page: Page, single_follow_on: Any, printout: str
) -> None:
    log_in(page, live_server.url, "nurse")
    _open_printout(page, f"{live_server.url}/patients/{single_follow_on.pk}/{printout}/")
    expect(page.get_by_text("zoledronic acid", exact=False).first).to_be_visible()
    if printout == "summary":
        expect(page.get_by_text("Check bone turnover after the follow-on")).to_be_visible()
    pdf = page.pdf(format="A4", print_background=True)
    _save(f"phys14-{printout.replace('/', '-')}-follow-on.pdf", pdf)
    assert _pages(pdf) == 1, printout
    if printout == "summary":
        _assert_estimate_holds(page)


@pytest.mark.parametrize(
    "printout", ["scan-request", "summary", "letters/doctor", "letters/patient"]
)
def test_the_vfa_after_a_late_dose_prints_on_one_page(
    live_server: Any, page: Page, late_dose: Any, printout: str
) -> None:
    log_in(page, live_server.url, "nurse")
    _open_printout(page, f"{live_server.url}/patients/{late_dose.pk}/{printout}/")
    if printout == "scan-request":
        expect(page.get_by_text("weeks late, and rebound vertebral fractures")).to_be_visible()
    if printout == "summary":
        expect(page.get_by_text("Vertebral fracture assessment:")).to_be_visible()
    pdf = page.pdf(format="A4", print_background=True)
    _save(f"phys14-{printout.replace('/', '-')}-late-dose.pdf", pdf)
    assert _pages(pdf) == 1, printout
    if printout == "summary":
        _assert_estimate_holds(page)


def _assert_estimate_holds(page: Page) -> None:
    """The summary is never taller than `summary_fit` estimated from its content (the therapy
    line now names the follow-on, the recommendations the new advice)."""
    page.set_viewport_size({"width": SHEET_WIDTH_PX, "height": 1000})
    page.emulate_media(media="print")
    printed, estimated = page.evaluate(PRINTED_HEIGHT)
    assert printed <= estimated
