"""physician11 F7: where T-score categories do not apply (WHO-CAT Population: a premenopausal
woman, a man under 50), the BMD chart draws no WHO bands and no page shows the projected T-score
(PROJ's thresholds are T-score categories, its ATAC loss rates postmenopausal); one line says
why. The chart's lower panel shows the Z-scores where scans have them. The rules are unchanged:
the stored assessment still holds PROJ's projections."""

import datetime as dt
from typing import Any

import plotly.graph_objects as go
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from monitoring.assessment.history import build_history
from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.models import DexaMeasurement, DexaScan, Scanner
from monitoring.overview import charts
from monitoring.records.selectors import patients_with_records, stored_assessment
from patients.models import Patient
from tests.factories import AromataseInhibitorCourseFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
NOTE = (
    "No WHO bands or projected T-score: T-score categories and the projection's loss rates do "
    "not apply to a premenopausal woman; read the Z-scores."
)


def _scans(patient: Patient, *, z_scores: bool) -> None:
    """Two scans a year apart on one scanner, spine and hip, Z-scores a little above T."""
    scanner = Scanner.objects.create(site=patient.site, name="Lunar")
    rows = (("lumbar_spine", "0.950", "-1.2", "-1.0"), ("total_hip", "0.850", "-1.0", "-0.9"))
    for years_ago, step in ((2, "0.000"), (1, "0.010")):
        scan = DexaScan.objects.create(
            patient=patient, scan_date=TODAY - dt.timedelta(days=365 * years_ago), scanner=scanner
        )
        for site, bmd, t_score, z_score in rows:
            DexaMeasurement.objects.create(
                scan=scan,
                site=site,
                bmd=str(float(bmd) - float(step)),
                t_score=t_score,
                z_score=z_score if z_scores else None,
            )


def _on_an_ai(patient: Patient, *, premenopausal: bool, z_scores: bool = True) -> Patient:
    if premenopausal:
        patient.menopausal_status = "premenopausal"
        patient.birth_date = TODAY - dt.timedelta(days=42 * 366)
        patient.save()
    AromataseInhibitorCourseFactory(patient=patient, start_date=TODAY - dt.timedelta(days=800))
    _scans(patient, z_scores=z_scores)
    patient_assessment_refresh(patient=patient)
    return patient


def _figures(patient: Patient) -> dict[str, Any]:
    assessment = stored_assessment(patient=patient)
    assert assessment is not None
    history = build_history(patients_with_records([patient.pk]).get())
    return charts.patient_figures(history, assessment.data, as_of=TODAY, static=False)


def _bands(figure: dict[str, Any]) -> list[dict[str, Any]]:
    shapes = figure["layout"]["shapes"]
    return [s for s in shapes if s.get("yref") == "y2" and s["type"] == "rect"]


def test_the_rules_still_project_but_the_chart_shows_z_scores_without_bands(
    patient: Patient,
) -> None:
    _on_an_ai(patient, premenopausal=True)
    assessment = stored_assessment(patient=patient)
    assert assessment is not None
    assert assessment.data["who_category"] == "not_applicable"
    assert assessment.data["projections"]  # PROJ is unchanged (vignette 78)
    context = _figures(patient)
    assert context["projection_rows"] == []
    assert context["bmd_panel"] == "z"
    assert context["bmd_note"] == NOTE
    figure = context["bmd_figure"]
    go.Figure(figure)
    assert _bands(figure) == []
    traces = {t["name"]: t for t in figure["data"]}
    assert not [name for name in traces if "estimate" in name]
    assert "Lumbar spine T-score" not in traces
    assert traces["Lumbar spine Z-score"]["y"] == [-1.0, -1.0]
    assert traces["Total hip Z-score"]["y"] == [-0.9, -0.9]
    assert "Z-score %{customdata[2]}" in traces["Lumbar spine"]["hovertemplate"]
    layout = figure["layout"]
    assert layout["yaxis2"]["title"]["text"] == "Z-score"
    labels = [a["text"] for a in layout["annotations"] if a.get("yref") == "y2"]
    assert labels == ["Z \u22122.0"]


def test_without_z_scores_the_t_scores_are_drawn_without_bands(patient: Patient) -> None:
    _on_an_ai(patient, premenopausal=True, z_scores=False)
    context = _figures(patient)
    assert context["projection_rows"] == []
    assert context["bmd_panel"] == "t_plain"
    figure = context["bmd_figure"]
    go.Figure(figure)
    assert _bands(figure) == []
    traces = {t["name"]: t for t in figure["data"]}
    assert traces["Lumbar spine T-score"]["y"] == [-1.2, -1.2]
    labels = [a["text"] for a in figure["layout"]["annotations"] if a.get("yref") == "y2"]
    assert "Osteopenia" not in labels


def test_a_postmenopausal_patient_keeps_bands_and_projection(patient: Patient) -> None:
    _on_an_ai(patient, premenopausal=False)
    context = _figures(patient)
    assert context["bmd_panel"] == "t_bands"
    assert context["bmd_note"] is None
    assert context["projection_rows"]
    assert len(_bands(context["bmd_figure"])) == 2


PAGES = ["monitoring:patient", "monitoring:patient_summary", "monitoring:scan_request"]


@pytest.mark.parametrize("name", PAGES)
def test_no_page_shows_bands_or_a_projection_where_t_scores_do_not_apply(
    physician_client: Client, patient: Patient, name: str
) -> None:
    _on_an_ai(patient, premenopausal=True)
    text = " ".join(physician_client.get(reverse(name, args=[patient.pk])).text.split())
    assert NOTE.replace("'", "&#x27;") in text
    assert "Projected T-score" not in text
    assert "Shaded bands" not in text
    assert "Dashed lines are an" not in text
    assert "Lower panel: Z-scores" in text


def test_the_doctors_letter_has_no_projection_either(
    physician_client: Client, patient: Patient
) -> None:
    _on_an_ai(patient, premenopausal=True)
    url = reverse("monitoring:letter", args=[patient.pk, "doctor"])
    text = " ".join(physician_client.get(url).text.split())
    assert "Lowest Z-score" in text
    for word in ("Projected", "projected", "estimate", "ATAC", "Reaches T"):
        assert word not in text


def test_the_postmenopausal_page_keeps_its_projection_table(
    physician_client: Client, patient: Patient
) -> None:
    _on_an_ai(patient, premenopausal=False)
    text = physician_client.get(reverse("monitoring:patient", args=[patient.pk])).text
    assert "Projected T-score (estimate)" in text
    assert "Shaded bands" in text
    assert "No WHO bands" not in text
