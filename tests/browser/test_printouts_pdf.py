"""Printouts as Chromium prints them to A4: one page each for a typical patient, with the chart
drawn whole (its x-axis labels inside the sheet and its legend below the plot).

Each test prints once the page says it is ready: every chart drawn (the `data-drawn` that
static/js/charts.js sets when plotly's drawing resolves) and the fonts loaded, however long that
takes on a loaded machine (the wait's limit is generous: it is not a sleep). A test that wrote its
PDF into test-artifacts/ before any other had made the folder failed on a fresh checkout; each
makes it now."""

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.models import (
    BoneTherapyCourse,
    BoneTherapyDose,
    DexaMeasurement,
    DexaScan,
    FraxResult,
    Scanner,
    Supplements,
)
from tests.browser.clinic import BROWSER, log_in, north_general
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_chart_labels import READ_BOXES, _meet
from tests.factories import (
    AromataseInhibitorCourseFactory,
    DexaScanFactory,
    LabResultFactory,
    PatientFactory,
    SiteFactory,
    UserFactory,
)

pytestmark = BROWSER
TODAY = timezone.localdate()


@pytest.fixture
def typical_patient(roles: None) -> Any:
    """Two and a half years on anastrozole: three scans, labs without calcium, denosumab started
    a month ago without a dental review (several open alerts)."""
    site = north_general("nurse")
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


@pytest.fixture
def losing_bone_patient(roles: None) -> Any:
    """A tester's ordinary patient (nurse11 7): two years on anastrozole, a DEXA showing loss at
    the spine and the hip, low calcium and vitamin D on the latest sample, CTX and P1NP, a FRAX,
    and three earlier lab samples. Six open alerts, six recommendations and a projection table."""
    site = SiteFactory(name="North General Hospital", code="north")
    UserFactory(username="nurse", role="nurse", sites=[site], first_name="Nora", last_name="Nurse")
    patient = PatientFactory(
        site=site,
        mrn="DEMO-000156",
        name="Patricia Fischer",
        birth_date=TODAY - dt.timedelta(days=52 * 365 + 120),
        menopausal_status="postmenopausal",
        breast_cancer_diagnosis_date=TODAY - dt.timedelta(days=870),
        height_cm=154,
        weight_kg=Decimal("49.9"),
    )
    AromataseInhibitorCourseFactory(patient=patient, start_date=TODAY - dt.timedelta(days=809))
    scanner = Scanner.objects.create(
        site=site,
        name="Hologic Horizon A, room 2",
        lsc_lumbar_spine=Decimal("0.028"),
        lsc_total_hip=Decimal("0.022"),
        lsc_femoral_neck=Decimal("0.033"),
    )
    for days, extra, rows in (
        (
            814,
            {},
            (
                ("lumbar_spine", "1.067", "0.2", None),
                ("total_hip", "1.032", "0.8", None),
                ("femoral_neck", "0.685", "-1.4", None),
            ),
        ),
        (
            6,
            {
                "trabecular_bone_score": Decimal("1.280"),
                "vertebral_fracture_assessment": "no_fracture",
            },
            (
                ("lumbar_spine", "0.952", "-1.2", "-0.3"),
                ("total_hip", "0.812", "-1.5", "-1.1"),
                ("femoral_neck", "0.655", "-1.9", "-0.8"),
            ),
        ),
    ):
        scan = DexaScan.objects.create(
            patient=patient, scan_date=TODAY - dt.timedelta(days=days), scanner=scanner, **extra
        )
        for name, bmd, t_score, z_score in rows:
            DexaMeasurement.objects.create(
                scan=scan,
                site=name,
                bmd=Decimal(bmd),
                t_score=Decimal(t_score),
                z_score=None if z_score is None else Decimal(z_score),
            )
    samples = (
        (809, (("vitamin_d_25oh", "43.07"), ("calcium", "2.32"), ("egfr", "82.58"))),
        (629, (("vitamin_d_25oh", "24.55"), ("calcium", "2.26"), ("egfr", "79.01"))),
        (264, (("vitamin_d_25oh", "39.14"), ("calcium", "2.44"), ("egfr", "43.62"))),
        (3, (("ctx", "0.45"), ("p1np", "45"), ("calcium", "2.05"))),
    )
    units = {"vitamin_d_25oh": "ng/mL", "calcium": "mmol/L", "egfr": "mL/min/1.73m2"}
    units |= {"ctx": "ng/mL", "p1np": "µg/L"}
    for days, results in samples:
        for analyte, value in results:
            LabResultFactory(
                patient=patient,
                sample_date=TODAY - dt.timedelta(days=days),
                analyte=analyte,
                value=Decimal(value),
                entered_value=Decimal(value),
                entered_unit=units[analyte],
                fasting=analyte == "ctx",
            )
    LabResultFactory(  # 20 nmol/L as entered: deficient
        patient=patient,
        sample_date=TODAY - dt.timedelta(days=3),
        analyte="vitamin_d_25oh",
        value=Decimal("8.012821"),
        entered_value=Decimal("20"),
        entered_unit="nmol/L",
    )
    Supplements.objects.create(patient=patient, calcium=True, vitamin_d=True)
    FraxResult.objects.create(
        patient=patient,
        assessed_on=TODAY - dt.timedelta(days=801),
        major_osteoporotic_pct=Decimal("19.6"),
        hip_pct=Decimal("5.0"),
        with_bmd=True,
    )
    patient_assessment_refresh(patient=patient)
    return patient


@pytest.fixture
def overridden_patient(roles: None) -> Any:
    """The tester's P12-DMAB (phys12 F18), whose summary printed on two sheets: denosumab for
    two years, stopped today with no follow-on, three override notes (doses given despite failed
    checks), five open alerts, two recommendations the kidney function limits (eGFR 29), and
    follow-up ended."""
    from django.utils import timezone as tz

    def ago(days: int) -> dt.date:
        return TODAY - dt.timedelta(days=days)

    site = SiteFactory(name="North General Hospital", code="north")
    nurse = UserFactory(username="nurse", role="nurse", sites=[site])
    physician = UserFactory(
        username="physician", role="physician", sites=[site], first_name="Phil", last_name="Ician"
    )
    patient = PatientFactory(
        site=site,
        mrn="P12-DMAB",
        name="Dora Nosumab",
        birth_date=dt.date(1958, 5, 5),
        menopausal_status="postmenopausal",
        height_cm=165,
        weight_kg=Decimal(65),
        follow_up_status="ended",
        follow_up_ended_on=TODAY,
        follow_up_end_reason="moved to another region",
    )
    AromataseInhibitorCourseFactory(patient=patient, drug="anastrozole", start_date=ago(696))
    scan = DexaScan.objects.create(
        patient=patient, scan_date=ago(686), scanner=Scanner.objects.create(site=site, name="A")
    )
    for name, bmd, t_score in (
        ("lumbar_spine", "0.750", "-2.7"),
        ("total_hip", "0.700", "-2.0"),
        ("femoral_neck", "0.580", "-2.3"),
    ):
        DexaMeasurement.objects.create(
            scan=scan, site=name, bmd=Decimal(bmd), t_score=Decimal(t_score)
        )
    for days, analyte, value, entered, unit in (
        (681, "vitamin_d_25oh", "35", "35", "ng/mL"),
        (681, "calcium", "2.35", "2.35", "mmol/L"),
        (681, "egfr", "80", "80", "mL/min/1.73m2"),
        (2, "vitamin_d_25oh", "19.99", "19.99", "ng/mL"),
        (2, "calcium", "2.11", "2.11", "mmol/L"),
        (2, "egfr", "29", "29", "mL/min/1.73m2"),
        (0, "calcium", "2.15", "8.6", "mg/dL"),
    ):
        LabResultFactory(
            patient=patient,
            sample_date=ago(days),
            analyte=analyte,
            value=Decimal(value),
            entered_value=Decimal(entered),
            entered_unit=unit,
        )
    course = BoneTherapyCourse.objects.create(
        patient=patient,
        drug="denosumab",
        dose="60 mg every 6 months",
        start_date=ago(674),
        dental_review_date=ago(678),
        stop_date=TODAY,
        stop_reason="patient preference",
    )
    retrospective = "past dose recorded retrospectively"
    for days, checks, reason in (
        (674, [], ""),
        (493, [], ""),
        (309, ["vitamin_d", "calcium", "renal"], retrospective),
        (185, ["vitamin_d", "calcium", "renal", "dose_interval"], retrospective),
        (0, ["vitamin_d", "renal"], "calcium corrected today, eGFR 29 monitored closely"),
    ):
        BoneTherapyDose.objects.create(
            course=course,
            given_on=ago(days),
            safety_checks_failed=checks,
            safety_override_reason=reason,
            safety_override_by=physician if checks else None,
            safety_override_at=tz.now() if checks else None,
        )
    del nurse
    patient_assessment_refresh(patient=patient)
    return patient


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


CHARTS_DRAWN = """() => [...document.querySelectorAll("[data-chart]")]
  .every((chart) => chart.dataset.drawn === "true")"""
READY_SECONDS = 60  # the most a loaded machine may take to draw; the wait ends when drawn


def _open_printout(page: Page, url: str) -> None:
    """Open a printout and wait until it is as it will print: its charts drawn, fonts loaded."""
    page.goto(url)
    page.wait_for_function(CHARTS_DRAWN, timeout=READY_SECONDS * 1000)
    page.evaluate("document.fonts.ready.then(() => true)")


def _save(name: str, pdf: bytes) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / name).write_bytes(pdf)


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
        _open_printout(page, f"{live_server.url}/patients/{alerting_patient.pk}/{printout}/")
        expect(
            page.get_by_text("Rapid BMD loss: lumbar spine, total hip, femoral neck")
        ).to_be_visible()
        assert _pages(page.pdf(format="A4", print_background=True)) == 1, printout


@pytest.mark.parametrize("printout", ["summary", "scan-request"])
def test_a_typical_patients_printout_is_one_a4_page_with_the_whole_chart(
    live_server: Any, page: Page, typical_patient: Any, printout: str
) -> None:
    log_in(page, live_server.url, "nurse")
    _open_printout(page, f"{live_server.url}/patients/{typical_patient.pk}/{printout}/")
    chart = page.locator("[data-chart='bmd-chart']")
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
    _save(f"printout-{printout}.pdf", pdf)
    assert _pages(pdf) == 1


@pytest.mark.parametrize("kind", ["doctor", "patient"])
def test_a_typical_patients_letter_with_its_therapy_is_one_a4_page(
    live_server: Any, page: Page, typical_patient: Any, kind: str
) -> None:
    """The letters name the therapy given (denosumab here, with its warning) and still fit one
    sheet beside the patient's several open alerts."""
    log_in(page, live_server.url, "nurse")
    _open_printout(page, f"{live_server.url}/patients/{typical_patient.pk}/letters/{kind}/")
    expect(page.get_by_text("denosumab", exact=False).first).to_be_visible()
    pdf = page.pdf(format="A4", print_background=True)
    _save(f"letter-{kind}.pdf", pdf)
    assert _pages(pdf) == 1


def test_a_patient_losing_bone_with_low_labs_prints_on_one_page(
    live_server: Any, page: Page, losing_bone_patient: Any
) -> None:
    """The tester's ordinary patient (nurse11 7) printed on two sheets: every open alert and
    recommendation now fits one, the projection written in brief and the advice every patient
    gets named on one line, each saying where the rest is."""
    log_in(page, live_server.url, "nurse")
    _open_printout(page, f"{live_server.url}/patients/{losing_bone_patient.pk}/summary/")
    alerts = page.locator("h2:has-text('Open alerts') + ul > li")
    expect(page.get_by_role("heading", name="Open alerts (6)")).to_be_visible()
    for title in (
        "Bone therapy indicated",
        "Low calcium",
        "Rapid BMD loss: total hip",
        "Significant BMD loss: lumbar spine, total hip",
        "Vitamin D deficient",
    ):
        expect(alerts.filter(has_text=title)).to_have_count(1)
    for recommendation in ("Dental review", "Correct the calcium", "Repeat DEXA", "Replete"):
        expect(page.get_by_text(recommendation).first).to_be_visible()
    # The projection in brief, or named by its sites only once the supplements line (nurse12
    # F10) took its room: either way the page says where the rest is (phys12 F18).
    expect(
        page.get_by_text(
            re.compile("the table is on the patient page|its dates are on the patient page")
        )
    ).to_be_visible()
    expect(page.get_by_text("(their text is on the patient page)")).to_be_visible()
    # The chart, shorter to make room, still has no label over another.
    labels = page.locator("[data-chart='bmd-chart']").evaluate(READ_BOXES)["annotations"]
    assert any(label["text"] == "Osteopenia" for label in labels)
    for n, first in enumerate(labels):
        for second in labels[n + 1 :]:
            assert not _meet(first, second), (first, second)
    pdf = page.pdf(format="A4", print_background=True)
    _save("printout-summary-losing-bone.pdf", pdf)
    assert _pages(pdf) == 1


SHEET_WIDTH_PX = 703  # 186 mm: A4 less the margins of print.css
PRINTED_HEIGHT = """() => {
  const sheet = document.querySelector("main.print-sheet");
  return [sheet.getBoundingClientRect().height, Number(sheet.dataset.estimatedPx)];
}"""


@pytest.mark.parametrize(
    "fixture", ["typical_patient", "alerting_patient", "losing_bone_patient", "overridden_patient"]
)
def test_the_summarys_estimate_is_never_below_its_printed_height(
    live_server: Any, page: Page, fixture: str, request: pytest.FixtureRequest
) -> None:
    """What gives way is chosen on an estimate of the printed height (summary_fit): laid out for
    print at the sheet's width, the summary is never taller than estimated, so that a summary
    estimated to fit does."""
    patient = request.getfixturevalue(fixture)
    log_in(page, live_server.url, "nurse")
    _open_printout(page, f"{live_server.url}/patients/{patient.pk}/summary/")
    page.set_viewport_size({"width": SHEET_WIDTH_PX, "height": 1000})
    page.emulate_media(media="print")
    printed, estimated = page.evaluate(PRINTED_HEIGHT)
    assert printed <= estimated
    # Not so far above it that much gives way for nothing.
    assert estimated - printed < 100


def test_a_summary_with_three_override_notes_prints_on_one_page(
    live_server: Any, page: Page, overridden_patient: Any
) -> None:
    """phys12 F18: three override notes, five open alerts and two recommendations the kidney
    function limits printed on two sheets."""
    log_in(page, live_server.url, "nurse")
    for printout in ("summary", "scan-request"):
        _open_printout(page, f"{live_server.url}/patients/{overridden_patient.pk}/{printout}/")
        expect(page.get_by_text("Bone therapy checks overridden")).to_be_visible()
        pdf = page.pdf(format="A4", print_background=True)
        _save(f"printout-{printout}-overridden.pdf", pdf)
        assert _pages(pdf) == 1, printout


@pytest.fixture
def followed_on_patient(overridden_patient: Any) -> Any:
    """P12-DMAB whose zoledronic acid follow-on was started and given today despite failed
    checks (phys13 #6, #8): the letters name the denosumab given before, the overrides, and the
    vitamin D to replete now, beside the open alerts."""
    from django.utils import timezone as tz

    from bonehealth.accounts.models import User

    physician = User.objects.get(username="physician")
    override = {
        "safety_checks_failed": ["vitamin_d", "calcium", "renal"],
        "safety_override_reason": "follow-on after denosumab, calcium corrected, MDT decision",
        "safety_override_by": physician,
        "safety_override_at": tz.now(),
    }
    course = BoneTherapyCourse.objects.create(
        patient=overridden_patient,
        drug="zoledronic_acid",
        dose="4 mg",
        start_date=TODAY,
        dental_review_date=TODAY - dt.timedelta(days=678),
        **override,
    )
    BoneTherapyDose.objects.create(course=course, given_on=TODAY, **override)
    patient_assessment_refresh(patient=overridden_patient)
    return overridden_patient


@pytest.mark.parametrize("printout", ["letters/doctor", "letters/patient", "summary"])
def test_a_follow_on_given_despite_checks_prints_on_one_page(
    live_server: Any, page: Page, followed_on_patient: Any, printout: str
) -> None:
    log_in(page, live_server.url, "nurse")
    _open_printout(page, f"{live_server.url}/patients/{followed_on_patient.pk}/{printout}/")
    expect(page.get_by_text("denosumab", exact=False).first).to_be_visible()
    pdf = page.pdf(format="A4", print_background=True)
    _save(f"printout-{printout.replace('/', '-')}-followed-on.pdf", pdf)
    assert _pages(pdf) == 1, printout
    if printout == "summary":
        page.set_viewport_size({"width": SHEET_WIDTH_PX, "height": 1000})
        page.emulate_media(media="print")
        printed, estimated = page.evaluate(PRINTED_HEIGHT)
        assert printed <= estimated


def _switch_ai(patient: Any, days_ago: int) -> None:
    """Stop the patient's aromatase inhibitor `days_ago` and start exemestane that day."""
    from patients.models import AromataseInhibitorCourse

    switch = TODAY - dt.timedelta(days=days_ago)
    AromataseInhibitorCourse.objects.filter(patient=patient).update(stop_date=switch)
    AromataseInhibitorCourseFactory(patient=patient, drug="exemestane", start_date=switch)


@pytest.fixture
def switched_followed_on_patient(followed_on_patient: Any) -> Any:
    """P12-DMAB with its follow-on given (phys14 #2, #11): the aromatase inhibitor switched a
    month ago (the time since the first start said beside the drug) and the zoledronic acid given
    ruled out by the eGFR of 29 (the letters ask to stop and switch)."""
    _switch_ai(followed_on_patient, 30)
    patient_assessment_refresh(patient=followed_on_patient)
    return followed_on_patient


@pytest.fixture
def switched_awaiting_patient(roles: None) -> Any:
    """SHOW-20 after an AI switch (phys14 #2, #7): osteoporotic, denosumab for two years stopped
    with its last dose 5 months ago, zoledronic acid opened today as the follow-on with no
    infusion yet (planned, not given), labs in range, anastrozole switched to exemestane."""
    site = north_general("nurse")
    patient = PatientFactory(site=site, mrn="P14-AWAIT", name="Awaited Infusion")
    AromataseInhibitorCourseFactory(patient=patient, start_date=TODAY - dt.timedelta(days=1000))
    _switch_ai(patient, 40)
    DexaScanFactory(patient=patient, scan_date=TODAY - dt.timedelta(days=200), t=-2.6)
    for analyte, value, unit in (
        ("vitamin_d_25oh", "34", "ng/mL"),
        ("calcium", "2.36", "mmol/L"),
        ("egfr", "78", "mL/min/1.73m2"),
    ):
        LabResultFactory(
            patient=patient,
            sample_date=TODAY - dt.timedelta(days=30),
            analyte=analyte,
            value=Decimal(value),
            entered_value=Decimal(value),
            entered_unit=unit,
        )
    denosumab = BoneTherapyCourse.objects.create(
        patient=patient,
        drug="denosumab",
        dose="60 mg every 6 months",
        start_date=TODAY - dt.timedelta(days=880),
        dental_review_date=TODAY - dt.timedelta(days=900),
        stop_date=TODAY - dt.timedelta(days=20),
    )
    for days in (880, 698, 516, 334, 150):
        BoneTherapyDose.objects.create(course=denosumab, given_on=TODAY - dt.timedelta(days=days))
    BoneTherapyCourse.objects.create(
        patient=patient,
        drug="zoledronic_acid",
        dose="4 mg every 6 months",
        start_date=TODAY,
        dental_review_date=TODAY - dt.timedelta(days=7),
    )
    patient_assessment_refresh(patient=patient)
    return patient


@pytest.mark.parametrize("printout", ["letters/doctor", "letters/patient", "summary"])
@pytest.mark.parametrize("who", ["switched_followed_on_patient", "switched_awaiting_patient"])
def test_a_switch_and_a_zoledronic_acid_follow_on_print_on_one_page(
    live_server: Any, page: Page, request: pytest.FixtureRequest, who: str, printout: str
) -> None:
    patient = request.getfixturevalue(who)
    log_in(page, live_server.url, "nurse")
    _open_printout(page, f"{live_server.url}/patients/{patient.pk}/{printout}/")
    expect(page.get_by_text("zoledronic acid", exact=False).first).to_be_visible()
    if printout != "letters/patient":  # hers names no aromatase inhibitor
        expect(page.get_by_text("aromatase inhibitor since", exact=False).first).to_be_visible()
    pdf = page.pdf(format="A4", print_background=True)
    _save(f"printout-{printout.replace('/', '-')}-{who}.pdf", pdf)
    assert _pages(pdf) == 1, printout
