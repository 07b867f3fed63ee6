"""At a phone's width (390 px) the pages fit: wide tables scroll inside their own box, and nothing
(such as a header's visually-hidden "Actions" text) widens the document into blank space."""

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page

from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.assessment.versions import patient_records_changed
from monitoring.models import FraxResult, Scanner
from tests.browser.clinic import BROWSER, log_in, north_general
from tests.factories import (
    AromataseInhibitorCourseFactory,
    DexaScanFactory,
    LabResultFactory,
    PatientFactory,
)
from tests.monitoring.app.overview_data import alert

pytestmark = BROWSER
TODAY = timezone.localdate()
PHONE = {"width": 390, "height": 844}


def test_pages_are_no_wider_than_a_phone(live_server: Any, page: Page, roles: None) -> None:
    site = north_general("physician")
    patient = PatientFactory(site=site, mrn="PHONE-1", name="Hélène Lefèvre-Øster")
    AromataseInhibitorCourseFactory(patient=patient, start_date=TODAY - dt.timedelta(days=900))
    Scanner.objects.create(site=site, name="Hologic Horizon A", lsc_lumbar_spine="0.028")
    DexaScanFactory(patient=patient, scan_date=TODAY - dt.timedelta(days=800), t=-1.2)
    LabResultFactory(patient=patient, sample_date=TODAY - dt.timedelta(days=20), value=18)
    FraxResult.objects.create(
        patient=patient,
        assessed_on=TODAY - dt.timedelta(days=30),
        major_osteoporotic_pct=12.5,
        hip_pct=3.2,
    )
    # Due and overdue work for the worklist, without a scan for a second patient.
    other = PatientFactory(site=site, mrn="PHONE-2", name="Second Patient")
    AromataseInhibitorCourseFactory(patient=other, start_date=TODAY - dt.timedelta(days=60))
    for each in (patient, other):
        patient_assessment_refresh(patient=each)

    page.set_viewport_size(PHONE)
    log_in(page, live_server.url, "physician")
    for path in ("/worklist/", f"/patients/{patient.pk}/", "/dashboard/", "/patients/"):
        page.goto(f"{live_server.url}{path}")
        assert page.locator("table").count() > 0, path
        widths = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth,"
            " window.innerWidth]"
        )
        # What sticks out of the page outside a table's own scroll box, to say why on failure.
        wide = page.evaluate(
            "() => [...document.querySelectorAll('body *')]"
            ".filter(e => e.getBoundingClientRect().right > 392"
            " && !e.closest('.table-responsive'))"
            ".map(e => `${e.tagName}.${e.className} ${e.getBoundingClientRect().right}`)"
            ".slice(0, 15)"
        )
        assert widths[0] == widths[1] == PHONE["width"], (path, widths, wide)


def _box(page: Page, selector: str) -> dict[str, float]:
    """The box of the first element matching `selector`, scrolled into view vertically."""
    element = page.locator(selector).first
    element.scroll_into_view_if_needed()
    box = element.bounding_box()
    assert box is not None, selector
    return box


def _on_screen(page: Page, selector: str) -> dict[str, float]:
    """The first `selector` is drawn within the phone's width, without scrolling sideways."""
    box = _box(page, selector)
    assert box["width"] > 0, selector
    assert box["x"] >= 0, (selector, box)
    assert box["x"] + box["width"] <= PHONE["width"], (selector, box)
    return box


def test_a_nurse_reads_the_worklist_and_the_labs_on_a_phone(
    live_server: Any, page: Page, roles: None
) -> None:
    """nurse10 F14: at 390 px each worklist row is a card with the patient first and its link in
    view (no sideways scroll), the labs table's flag is in view, and the value as entered is
    written below a converted result (a title tooltip is out of reach on a touch screen)."""
    site = north_general("nurse")
    patient = PatientFactory(site=site, mrn="PHONE-3", name="Margaret Testwoman")
    AromataseInhibitorCourseFactory(patient=patient, start_date=TODAY - dt.timedelta(days=60))
    LabResultFactory(  # 18 nmol/L, entered as 7.2 ng/mL: deficient
        patient=patient,
        sample_date=TODAY - dt.timedelta(days=5),
        value=18,
        entered_value="7.2",
        entered_unit="ng/mL",
    )
    patient_assessment_refresh(patient=patient)
    alert(patient, "DENTAL_REVIEW_MISSING", "warning", days_ago=3)
    patient_records_changed([patient.pk])

    page.set_viewport_size(PHONE)
    log_in(page, live_server.url, "nurse")
    page.goto(f"{live_server.url}/worklist/")
    assert page.locator(".table-worklist").count() == 2  # the schedule and the alerts' work
    schedule_row = ".table-worklist tbody tr"
    patient_box = _on_screen(page, f"{schedule_row} td.cell-patient a")
    due_box = _box(page, f"{schedule_row} td[data-label=Due]")
    assert patient_box["y"] < due_box["y"]  # the patient heads the card
    label = page.evaluate(
        "() => getComputedStyle(document.querySelector('.table-worklist td[data-label=Due]'),"
        " '::before').content"
    )
    assert label == '"Due: "'  # each line says what it is
    _on_screen(page, f"{schedule_row} td.cell-actions a")
    work_row = "#h-alert-work ~ .table-responsive tbody tr"
    _on_screen(page, f"{work_row} td.cell-patient a")
    _on_screen(page, f"{work_row} td.cell-actions a")
    assert "Dental review before the antiresorptive" in page.locator(work_row).first.inner_text()
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths == [PHONE["width"], PHONE["width"]]

    page.goto(f"{live_server.url}/patients/{patient.pk}/")
    flag = _on_screen(page, ".labs-table .lab-flagged .badge")
    assert flag["height"] > 0
    entered = page.locator(".labs-table .lab-entered").first
    assert entered.is_visible()
    assert entered.inner_text() == "entered as 7.2 ng/mL"
    _on_screen(page, ".labs-table .lab-entered")
    _on_screen(page, ".labs-table td.cell-actions a")
    # Wider than a phone the tables are tables again.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/worklist/")
    display = page.evaluate(
        "() => getComputedStyle(document.querySelector('.table-worklist tbody tr')).display"
    )
    assert display == "table-row"


def test_the_scans_table_is_one_card_a_scan_on_a_phone(
    live_server: Any, page: Page, roles: None
) -> None:
    """nurse12 F15: at 390 px the DEXA scans table stayed a table in a sideways scroller, its
    Edit and Entered in error links at x=435, out of view. Each scan is a card, as each lab
    result is, its links in view."""
    site = north_general("nurse")
    patient = PatientFactory(site=site, mrn="PHONE-4", name="Margaret Scanwoman")
    AromataseInhibitorCourseFactory(patient=patient, start_date=TODAY - dt.timedelta(days=400))
    DexaScanFactory(patient=patient, scan_date=TODAY - dt.timedelta(days=30), t=-1.8)
    patient_assessment_refresh(patient=patient)

    page.set_viewport_size(PHONE)
    log_in(page, live_server.url, "nurse")
    page.goto(f"{live_server.url}/patients/{patient.pk}/")
    edit = _on_screen(page, ".scans-table td.cell-actions a:text('Edit')")
    _on_screen(page, ".scans-table td.cell-actions a.link-danger")
    date_box = _on_screen(page, ".scans-table td.cell-heading")
    assert date_box["y"] < edit["y"]  # the scan's date heads its card
    label = page.evaluate(
        "() => getComputedStyle(document.querySelector('.scans-table td[data-label=VFA]'),"
        " '::before').content"
    )
    assert label == '"VFA: "'
    # Wider than a phone it is a table again.
    page.set_viewport_size({"width": 1280, "height": 900})
    display = page.evaluate(
        "() => getComputedStyle(document.querySelector('.scans-table tbody tr')).display"
    )
    assert display == "table-row"


# Each date (yyyy-mm-dd) and MRN of the page that the browser broke over two lines: a Range over
# each match in the page's visible text, drawn as boxes at more than one height.
BROKEN_OVER_LINES = """(mrns) => {
  const pattern = new RegExp("\\\\d{4}-\\\\d{2}-\\\\d{2}|" + mrns.join("|"), "g");
  const broken = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement.closest("script, .visually-hidden, .js-plotly-plot")) continue;
    for (const match of node.textContent.matchAll(pattern)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0)
        .map((r) => Math.round(r.top)));
      const where = node.parentElement.outerHTML.slice(0, 160);
      if (tops.size > 1) broken.push(`${match[0]} in ${where}`);
    }
  }
  return broken;
}"""


def test_no_date_or_mrn_is_broken_over_two_lines(live_server: Any, page: Page, roles: None) -> None:
    """nurse13 #15: "born 1964-12-" / "22" on the worklist at 1280 px, "MRN NG4471-" / "23" and
    a projected "2029-04-" / "30" on a phone. A date or an MRN split at its hyphen is misread."""
    site = north_general("nurse")
    mrns = ["NG4471-23", "NG5520-01"]
    patients = [
        PatientFactory(
            site=site,
            mrn=mrn,
            name="Brigitte Müller-Lüdenscheidt-Oberhausen von Sachsen",
            birth_date=dt.date(1964, 12, 22),
        )
        for mrn in mrns
    ]
    patient = patients[0]
    start = TODAY - dt.timedelta(days=4 * 365)
    AromataseInhibitorCourseFactory(patient=patient, drug="letrozole", start_date=start)
    for year, t_score in enumerate((-1.2, -1.5, -1.8)):
        DexaScanFactory(
            patient=patient, scan_date=start + dt.timedelta(days=20 + 365 * year), t=t_score
        )
    LabResultFactory(patient=patient, sample_date=TODAY - dt.timedelta(days=20), value=18)
    AromataseInhibitorCourseFactory(patient=patients[1], start_date=TODAY - dt.timedelta(days=60))
    for each in patients:
        patient_assessment_refresh(patient=each)

    log_in(page, live_server.url, "nurse")
    broken = []
    for viewport in (PHONE, {"width": 1280, "height": 900}, {"width": 1024, "height": 768}):
        page.set_viewport_size(viewport)
        for path in ("/worklist/", f"/patients/{patient.pk}/", "/patients/"):
            page.goto(f"{live_server.url}{path}")
            broken += [(viewport["width"], path, b) for b in page.evaluate(BROKEN_OVER_LINES, mrns)]
    assert broken == [], "\n".join(map(str, broken))


# The chart as drawn, the lowest of its x-axis's dates and the top of its legend (page pixels).
CHART_BOXES = """() => {
  const chart = document.querySelector("[data-chart='bmd-chart']");
  const svg = chart.querySelector("svg.main-svg").getBoundingClientRect();
  const ticks = [...chart.querySelectorAll(".xtick text")].map((t) => t.getBoundingClientRect());
  return {
    left: svg.left, right: svg.right, width: chart.layout.width,
    ticks: ticks.length, lowestTick: Math.max(...ticks.map((t) => t.bottom)),
    legendTop: chart.querySelector(".legend").getBoundingClientRect().top,
  };
}"""
# The chart's width each time the page is printed: a listener added after the page's own
# (static/js/charts.js), so that it reads what they have drawn for the sheet.
WIDTH_WHEN_PRINTED = """() => {
  window.printedWidths = [];
  addEventListener("beforeprint", () =>
    printedWidths.push(document.querySelector("[data-chart='bmd-chart']").layout.width));
}"""


def test_printouts_fit_a_phone_and_print_at_the_sheets_width(
    live_server: Any, page: Page, roles: None
) -> None:
    """nurse14 #15: at 390 px the summary and the scan request were 716 px wide (the BMD chart at
    the sheet's 700 px), the worklist's printout 587 px, and dates in the facts broke at a hyphen
    ("Due 2027-12-" / "07"). On a phone each fits the screen, the chart as wide as the screen, its
    legend clear of its dates, and a wide table scrolls in its own box; printed, the chart has
    the sheet's width again and the printout is one A4 page."""
    from monitoring.models import BoneTherapyCourse
    from monitoring.overview.print_layout import PRINT_WIDTH_PX
    from tests.browser.test_printouts_pdf import _open_printout, _pages

    site = north_general("nurse")
    patient = PatientFactory(
        site=site, mrn="NB-14-001", name="Margaret O'Brien", birth_date=dt.date(1958, 3, 14)
    )
    start = TODAY - dt.timedelta(days=3 * 365)
    AromataseInhibitorCourseFactory(patient=patient, start_date=start)
    Scanner.objects.create(site=site, name="Hologic Horizon A, room 2", lsc_lumbar_spine="0.028")
    for year, t_score in enumerate((-1.2, -1.6, -2.1)):
        DexaScanFactory(
            patient=patient, scan_date=start + dt.timedelta(days=20 + 365 * year), t=t_score
        )
    LabResultFactory(patient=patient, sample_date=TODAY - dt.timedelta(days=20), value=48)
    BoneTherapyCourse.objects.create(
        patient=patient, drug="denosumab", start_date=TODAY - dt.timedelta(days=40)
    )
    patient_assessment_refresh(patient=patient)

    page.set_viewport_size(PHONE)
    log_in(page, live_server.url, "nurse")
    for path in (
        f"/patients/{patient.pk}/summary/",
        f"/patients/{patient.pk}/scan-request/",
        "/worklist/print/",
    ):
        _open_printout(page, f"{live_server.url}{path}")
        widths = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths == [PHONE["width"], PHONE["width"]], path
        assert page.evaluate(BROKEN_OVER_LINES, [patient.mrn]) == [], path
        if path == "/worklist/print/":
            assert "Margaret O'Brien" in page.locator(".table-worklist").first.inner_text()
            continue
        chart = page.evaluate(CHART_BOXES)
        assert chart["left"] >= 0, (path, chart)
        assert chart["right"] <= PHONE["width"], (path, chart)
        assert chart["ticks"] >= 2, (path, chart)  # level dates, as many as fit
        assert chart["lowestTick"] <= chart["legendTop"], (path, chart)

        page.evaluate(WIDTH_WHEN_PRINTED)
        pdf = page.pdf(format="A4", print_background=True)
        assert _pages(pdf) == 1, path
        assert page.evaluate("() => printedWidths") == [PRINT_WIDTH_PX], path
        # Back on the screen, as wide as the screen again.
        assert page.evaluate(CHART_BOXES)["right"] <= PHONE["width"], path


def test_the_letters_fit_a_phone_without_splitting_a_date(
    live_server: Any, page: Page, roles: None
) -> None:
    """followups14: at 390 px the letters of the demo patient SHOW-01 (denosumab due) split dates
    over two lines ("2027-12-" / "07"), in the sentences and in their head. Both letters, the
    copy to send and the clinic's copy with its rule ids, fit the phone with every date whole."""
    from monitoring.demo_showcase import DEMO_OVERRIDE, showcase_histories
    from monitoring.records.history_import import history_import
    from patients.models import Patient

    site = north_general("nurse")
    show_01 = showcase_histories(TODAY)[0]
    history_import(data=show_01, site=site, override_reason=DEMO_OVERRIDE)
    patient = Patient.objects.get(mrn="SHOW-01")
    patient_assessment_refresh(patient=patient)

    page.set_viewport_size(PHONE)
    log_in(page, live_server.url, "nurse")
    for kind in ("doctor", "patient"):
        for query in ("", "?copy=clinician"):
            path = reverse("monitoring:letter", args=[patient.pk, kind]) + query
            page.goto(f"{live_server.url}{path}")
            assert page.locator(".letter-sentence").count() > 0, path
            widths = page.evaluate(
                "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
            )
            assert widths == [PHONE["width"], PHONE["width"]], path
            assert page.evaluate(BROKEN_OVER_LINES, [patient.mrn]) == [], path
