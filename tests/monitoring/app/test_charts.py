"""Charts: plotly figures built as plain dicts (validated here), drawn under the chart-page CSP."""

import datetime as dt
from decimal import Decimal
from typing import Any

import plotly.graph_objects as go
import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from monitoring import domain
from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.models import (
    BoneTherapyCourse,
    BoneTherapyDose,
    DexaMeasurement,
    DexaScan,
    LabResult,
    Scanner,
)
from monitoring.overview import charts
from monitoring.overview.csp import EMPTY_STYLE_HASH
from monitoring.overview.print_layout import for_print
from monitoring.records.selectors import patients_with_records, stored_assessment
from patients.models import Patient
from tests.factories import AromataseInhibitorCourseFactory

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2025, 6, 1)


def scan(patient: Patient, scanner: Scanner, day: dt.date, spine: str, t: str) -> DexaScan:
    made = DexaScan.objects.create(patient=patient, scan_date=day, scanner=scanner)
    DexaMeasurement.objects.create(scan=made, site="lumbar_spine", bmd=spine, t_score=t)
    DexaMeasurement.objects.create(scan=made, site="total_hip", bmd="0.800", t_score="-1.1")
    return made


def lab(patient: Patient, day: dt.date, analyte: str, value: str, unit: str) -> None:
    LabResult.objects.create(
        patient=patient,
        sample_date=day,
        analyte=analyte,
        value=value,
        entered_value=value,
        entered_unit=unit,
        fasting=analyte == "ctx",
    )


@pytest.fixture
def charted(patient: Patient) -> Patient:
    """Anastrozole since 2024, a significant spine loss on a scanner with its own LSC, and
    denosumab with a dose and CTX/P1NP before and after its start."""
    AromataseInhibitorCourseFactory(patient=patient, start_date=dt.date(2024, 1, 15))
    scanner = Scanner.objects.create(site=patient.site, name="Lunar", lsc_lumbar_spine="0.028")
    scan(patient, scanner, dt.date(2024, 5, 1), "0.900", "-1.2")
    scan(patient, scanner, dt.date(2025, 5, 1), "0.860", "-1.6")
    course = BoneTherapyCourse.objects.create(
        patient=patient, drug="denosumab", start_date=dt.date(2025, 5, 10)
    )
    BoneTherapyDose.objects.create(course=course, given_on=dt.date(2025, 5, 10))
    lab(patient, dt.date(2025, 5, 2), "ctx", "0.50", "ng/mL")
    lab(patient, dt.date(2025, 5, 2), "p1np", "60", "µg/L")
    lab(patient, dt.date(2025, 5, 30), "ctx", "0.20", "ng/mL")
    patient_assessment_refresh(patient=patient)
    return patient


def _history(patient: Patient) -> domain.History:
    from monitoring.assessment.history import build_history

    return build_history(patients_with_records([patient.pk]).get())


def _projection() -> dict[str, object]:
    return {
        "projections": [
            {
                "site": "lumbar_spine",
                "basis": "own_trend",
                "crosses_minus_2_0_on": "2026-09-19",
                "crosses_minus_2_5_on": "2028-06-13",
            }
        ]
    }


def test_bmd_figure_is_a_valid_plotly_figure_with_every_layer(charted: Patient) -> None:
    figure = charts.bmd_figure(_history(charted), _projection(), as_of=AS_OF)
    assert figure is not None
    go.Figure(figure)  # plotly's own validation: raises on any invalid key or value
    traces = {trace["name"]: trace for trace in figure["data"]}
    spine = traces["Lumbar spine"]
    assert spine["x"] == ["2024-05-01", "2025-05-01"]
    assert spine["y"] == [0.9, 0.86]
    assert spine["error_y"]["array"] == [0.028, 0.028]  # the scanner's own LSC
    assert traces["Total hip"]["error_y"]["array"] == [0.025, 0.025]  # the default LSC
    assert spine["customdata"][1][0] == -1.6  # T-score on hover
    assert "T-score" in spine["hovertemplate"]
    # The last scan predates the denosumab start: its trend is not drawn through the denosumab.
    assert not [name for name in traces if "estimate" in name]
    assert traces["Dose given"]["x"] == ["2025-05-10"]
    layout = figure["layout"]
    bands = [s for s in layout["shapes"] if s.get("yref") == "y2" and s["type"] == "rect"]
    assert next((b["y0"], b["y1"]) for b in bands) == (-2.5, -1.0)
    assert bands[1]["y1"] == -2.5
    periods = [s for s in layout["shapes"] if s.get("yref") == "paper"]
    assert [(p["x0"], p["x1"]) for p in periods] == [
        ("2024-01-15", "2025-06-01"),
        ("2025-05-10", "2025-06-01"),
    ]
    texts = " ".join(a["text"] for a in layout["annotations"])
    assert "Osteopenia" in texts
    assert "Osteoporosis" in texts
    assert "Anastrozole 2024-01-15" in texts
    assert "Denosumab 2025-05-10" in texts


@pytest.fixture
def untreated(patient: Patient) -> Patient:
    """Anastrozole for five years from 2024, spine loss on one scanner, then a scan on another."""
    AromataseInhibitorCourseFactory(
        patient=patient, start_date=dt.date(2024, 1, 15), planned_duration_months=60
    )
    lunar = Scanner.objects.create(site=patient.site, name="Lunar", lsc_lumbar_spine="0.028")
    hologic = Scanner.objects.create(site=patient.site, name="Hologic")
    scan(patient, lunar, dt.date(2022, 5, 1), "0.930", "-1.0")
    scan(patient, lunar, dt.date(2024, 5, 1), "0.900", "-1.2")
    scan(patient, hologic, dt.date(2025, 5, 1), "0.860", "-1.6")
    return patient


def test_a_projection_stops_at_the_end_of_the_ai_course(untreated: Patient) -> None:
    far = {
        "projections": [
            {
                "site": "lumbar_spine",
                "basis": "own_trend",
                "crosses_minus_2_0_on": "2026-09-19",
                "crosses_minus_2_5_on": "2061-06-13",
            }
        ]
    }
    figure = charts.bmd_figure(_history(untreated), far, as_of=AS_OF)
    assert figure is not None
    go.Figure(figure)
    estimate = {trace["name"]: trace for trace in figure["data"]}[
        "Lumbar spine: estimate (own trend)"
    ]
    assert estimate["line"]["dash"] == "dash"
    # The course's planned end (2029-01-15) comes before five years after the scan (2030-05-01):
    # the line stops there, on the straight line towards -2.5 in 2061.
    assert estimate["x"] == ["2025-05-01", "2026-09-19", "2029-01-15"]
    assert estimate["y"][:2] == [-1.6, -2.0]
    assert -2.5 < estimate["y"][2] < -2.0
    assert estimate["text"][-1] == "estimate"
    context = charts.patient_figures(_history(untreated), far, as_of=AS_OF, static=False)
    row = context["projection_rows"][0]
    assert (row["cross_2_5"], row["drawn_to"], row["not_drawn"]) == (
        "2061-06-13",
        "2029-01-15",
        None,
    )


def test_points_of_two_scanners_are_not_joined(untreated: Patient) -> None:
    figure = charts.bmd_figure(_history(untreated), {}, as_of=AS_OF)
    assert figure is not None
    go.Figure(figure)
    traces = {trace["name"]: trace for trace in figure["data"]}
    spine = traces["Lumbar spine"]
    assert spine["x"] == ["2022-05-01", "2024-05-01", None, "2025-05-01"]
    assert spine["y"] == [0.93, 0.9, None, 0.86]
    assert spine["connectgaps"] is False
    assert traces["Lumbar spine T-score"]["y"] == [-1.0, -1.2, None, -1.6]


def test_band_labels_sit_in_the_right_margin_apart(untreated: Patient) -> None:
    """Inside the plot they met markers and estimates on a phone (issue 17); in the margin, each at
    its own height (the bands' top edges and the T -2.0 line), they meet nothing."""
    figure = charts.bmd_figure(_history(untreated), {}, as_of=AS_OF)
    assert figure is not None
    layout = figure["layout"]
    bands = {a["text"]: a for a in layout["annotations"] if a.get("yref") == "y2"}
    assert set(bands) == {"Osteopenia", "T \u22122.0", "Osteoporosis"}
    for label in bands.values():
        assert (label["xref"], label["x"], label["xanchor"]) == ("paper", 1, "left")
    assert [bands[name]["y"] for name in ("Osteopenia", "T \u22122.0", "Osteoporosis")] == [
        -1.0,
        -2.0,
        -2.5,
    ]
    assert "\u22122.5 to \u22121.0" in bands["Osteopenia"]["hovertext"]
    assert layout["margin"]["r"] >= 80


def test_each_treatment_period_label_has_a_row_of_its_own(patient: Patient) -> None:
    """A switch of aromatase inhibitor put two labels on one row, over each other; a course that
    starts late in the chart is labelled back from its end, so that it stays on the chart."""
    AromataseInhibitorCourseFactory(
        patient=patient,
        drug="letrozole",
        start_date=dt.date(2021, 3, 1),
        stop_date=dt.date(2021, 5, 1),
        stop_reason="joint pain",
    )
    AromataseInhibitorCourseFactory(patient=patient, start_date=dt.date(2021, 5, 8))
    BoneTherapyCourse.objects.create(
        patient=patient, drug="denosumab", start_date=dt.date(2025, 1, 10)
    )
    scanner = Scanner.objects.create(site=patient.site, name="Lunar")
    scan(patient, scanner, dt.date(2021, 4, 1), "0.900", "-1.2")
    scan(patient, scanner, dt.date(2024, 4, 1), "0.880", "-1.4")
    figure = charts.bmd_figure(_history(patient), {}, as_of=AS_OF)
    assert figure is not None
    periods = [a for a in figure["layout"]["annotations"] if a.get("yref") == "paper"]
    assert [(a["text"].split()[0], a["yshift"]) for a in periods] == [
        ("Letrozole", 2),
        ("Anastrozole", 18),
        ("Denosumab", 34),
    ]
    assert [(a["x"], a["xanchor"]) for a in periods] == [
        ("2021-03-01", "left"),
        ("2021-05-08", "left"),
        ("2025-06-01", "right"),  # starts in the later half: read back from today
    ]
    assert figure["layout"]["margin"]["t"] == 18 + 16 * 3
    printed = for_print({"bmd_figure": figure})["bmd_figure"]["layout"]
    assert printed["margin"]["t"] == 34 + 16  # the highest row, and no more
    assert printed["margin"]["r"] == figure["layout"]["margin"]["r"]  # the band labels


def test_the_printed_legend_leaves_the_estimates_to_the_dashes_and_the_table(
    untreated: Patient,
) -> None:
    """Three long estimate names wrapped the narrow sheet's legend onto the x-axis labels."""
    projection = {
        "site": "lumbar_spine",
        "basis": "own_trend",
        "crosses_minus_2_0_on": "2026-09-19",
    }
    figure = charts.bmd_figure(_history(untreated), {"projections": [projection]}, as_of=AS_OF)
    assert figure is not None
    printed = for_print({"bmd_figure": figure})["bmd_figure"]
    shown = {t["name"]: t.get("showlegend", True) for t in printed["data"]}
    assert shown["Lumbar spine: estimate (own trend)"] is False
    assert shown["Lumbar spine"] is True
    assert all(t.get("showlegend", True) for t in figure["data"] if "estimate" in t["name"])


def test_btm_figure_is_valid_and_marks_the_therapy_start(charted: Patient) -> None:
    figure = charts.btm_figure(_history(charted), as_of=AS_OF)
    assert figure is not None
    go.Figure(figure)
    names = [trace["name"] for trace in figure["data"]]
    assert names == ["CTX (ng/mL)", "P1NP (µg/L)"]
    assert figure["data"][0]["y"] == [0.5, 0.2]
    assert figure["data"][1]["yaxis"] == "y2"
    start = figure["layout"]["shapes"][0]
    assert start["x0"] == "2025-05-10"
    assert start["line"]["dash"] == "dashdot"
    assert "Denosumab start" in figure["layout"]["annotations"][0]["text"]


def test_one_sample_day_gets_three_months_of_axis_and_shows_both_markers(
    patient: Patient,
) -> None:
    lab(patient, dt.date(2025, 5, 2), "ctx", "0.50", "ng/mL")
    lab(patient, dt.date(2025, 5, 2), "p1np", "60", "µg/L")
    lab(patient, dt.date(2025, 5, 2), "vitamin_d_25oh", "25", "ng/mL")
    history = _history(patient)
    btm = charts.btm_figure(history, as_of=AS_OF)
    labs = charts.labs_figure(history, domain.UnitSystem.SI, as_of=AS_OF)
    assert btm is not None
    assert labs is not None
    # Not hours around one instant (plotly's own choice for a single date).
    assert btm["layout"]["xaxis"]["range"] == ["2025-03-18", "2025-06-16"]
    assert labs["layout"]["xaxis"]["range"] == ["2025-03-18", "2025-06-16"]
    # The P1NP marker, on its own axis at the same spot, leaves the CTX one visible.
    ctx, p1np = btm["data"]
    assert p1np["marker"]["symbol"].endswith("-open")
    assert p1np["marker"]["size"] > ctx["marker"]["size"]
    go.Figure(btm)


def test_dates_far_apart_keep_plotlys_axis(patient: Patient) -> None:
    lab(patient, dt.date(2024, 5, 2), "vitamin_d_25oh", "25", "ng/mL")
    lab(patient, dt.date(2025, 5, 2), "vitamin_d_25oh", "32", "ng/mL")
    figure = charts.labs_figure(_history(patient), domain.UnitSystem.SI, as_of=AS_OF)
    assert figure is not None
    assert figure["layout"]["xaxis"] == {
        "type": "date",
        "tickformat": "%Y-%m-%d",
        "hoverformat": "%Y-%m-%d",
        "tickfont": {"size": 11},
        "anchor": "y",
    }


def test_no_figures_without_data(patient: Patient) -> None:
    history = _history(patient)
    assert charts.bmd_figure(history, {}, as_of=AS_OF) is None
    assert charts.btm_figure(history, as_of=AS_OF) is None


def test_a_stored_projection_from_before_the_therapy_is_withheld(charted: Patient) -> None:
    """The rules project the spine from its loss, measured before denosumab started: the page
    shows neither its line nor its dates, and says why (phys13 #14)."""
    assessment = stored_assessment(patient=charted)
    assert assessment is not None
    assert any(p["site"] == "lumbar_spine" for p in assessment.data["projections"])
    context = charts.patient_figures(
        _history(charted), assessment.data, as_of=timezone.localdate(), static=True
    )
    go.Figure(context["bmd_figure"])
    assert context["bmd_figure"]["config"]["staticPlot"] is True
    assert not [row for row in context["projection_rows"] if row["site"] == "lumbar_spine"]
    assert (
        "No projected T-score for the lumbar spine: its latest scan (2025-05-01) came before "
        "denosumab started 2025-05-10, and an estimate across a bone-therapy course would not "
        "reflect it"
    ) in context["bmd_note"]
    # Newest first, as the Labs table (nurse14 #10); CTX before P1NP on one day.
    assert [(row["date"], row["analyte"]) for row in context["btm_rows"]] == [
        (dt.date(2025, 5, 30), "CTX"),
        (dt.date(2025, 5, 2), "CTX"),
        (dt.date(2025, 5, 2), "P1NP"),
    ]
    assert context["btm_rows"][0]["value"] == Decimal("0.20")


def test_the_page_reads_each_charts_points_and_projections_once(
    charted: Patient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The chart and the table under it share one reading (issue 17: the first view of a patient
    page drew the BMD points and projections twice, once for each)."""
    from monitoring.overview.charts import bmd, btm, projection

    calls: dict[str, int] = {}
    homes = {"bmd_points": bmd, "projections": projection, "btm_points": btm}
    for name, home in homes.items():
        original = getattr(home, name)

        def wrapper(*args: object, _name: str = name, _original: Any = original, **kw: Any) -> Any:
            calls[_name] = calls.get(_name, 0) + 1
            return _original(*args, **kw)

        for module in (charts, bmd, btm, projection):  # wherever it is imported: count every call
            if getattr(module, name, None) is original:
                monkeypatch.setattr(module, name, wrapper)
    context = charts.patient_figures(_history(charted), _projection(), as_of=AS_OF, static=False)
    assert calls == {"bmd_points": 1, "projections": 1, "btm_points": 1}
    assert context["bmd_figure"] is not None
    assert "No projected T-score for the lumbar spine" in context["bmd_note"]  # scan before dmab
    assert context["btm_rows"]


def test_patient_page_ships_the_figures_and_plotly_only_where_charts_are(
    physician_client: Client, charted: Patient
) -> None:
    page = physician_client.get(reverse("monitoring:patient", args=[charted.pk]))
    assert '<script id="bmd-chart" type="application/json">' in page.text
    assert '<script id="btm-chart" type="application/json">' in page.text
    assert 'data-chart="bmd-chart"' in page.text
    assert "vendor/plotly/plotly-basic.min.js" in page.text
    assert "js/charts.js" in page.text
    assert "Bone turnover markers" in page.text
    assert "0.5 ng/mL" in page.text
    assert "No projected T-score for the lumbar spine" in page.text  # its scan predates dmab
    dashboard = physician_client.get(reverse("monitoring:dashboard"))
    assert "plotly" not in dashboard.text


def test_no_plotly_on_a_patient_page_without_chart_data(
    physician_client: Client, patient: Patient
) -> None:
    page = physician_client.get(reverse("monitoring:patient", args=[patient.pk]))
    assert "plotly" not in page.text
    assert "No scan recorded yet: no BMD chart." in page.text


CHART_PAGES = ["monitoring:patient", "monitoring:patient_summary", "monitoring:scan_request"]


@pytest.mark.parametrize("name", CHART_PAGES)
def test_chart_pages_allow_only_empty_inline_styles(
    physician_client: Client, charted: Patient, name: str
) -> None:
    policy = physician_client.get(reverse(name, args=[charted.pk]))["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["style-src"] == f"'self' {EMPTY_STYLE_HASH}"
    assert directives["script-src"] == "'self'"
    assert "unsafe" not in policy


def test_other_pages_keep_style_src_self(physician_client: Client) -> None:
    policy = physician_client.get(reverse("monitoring:dashboard"))["Content-Security-Policy"]
    assert "style-src 'self';" in policy
    assert EMPTY_STYLE_HASH not in policy


def test_the_empty_style_hash_is_the_hash_of_nothing() -> None:
    import base64
    import hashlib

    assert f"'sha256-{base64.b64encode(hashlib.sha256(b'').digest()).decode()}'" == EMPTY_STYLE_HASH


def test_plotly_bundle_is_installed_for_whitenoise() -> None:
    """`make static-vendor` (run by `make test` and `make demo`) installs the npm bundle."""
    assert finders.find("vendor/plotly/plotly-basic.min.js"), "run `make static-vendor`"
