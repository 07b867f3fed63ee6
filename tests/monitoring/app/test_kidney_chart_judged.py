"""nurse14 #2 and #5: the kidney panel of the labs chart shows the kidney function the rules judge,
and a creatinine's flag says what is low.

- #2: a woman of 65, 54 kg, eGFR 40 and creatinine 150 µmol/L of one sample. RENAL judges the
  Cockcroft-Gault clearance of 28.2 mL/min (below 35: no zoledronic acid), as the labs table says,
  but the chart drew the eGFR 40 alone, above the "< 35" line, under a heading of mL/min/1.73 m².
  The chart now draws the estimate beside the eGFR and rings the value judged (the rules' own
  decision, `kidney.kidney_function_by_sample`), its heading naming both units.
- #5: the creatinine's flag read "▼ low estimated creatinine clearance …": scanning the flag
  column, "creatinine low". Its badge now says "low clearance".

Read as a nurse reads the page (`visible_text`) and from the chart's JSON the page draws.
"""

import datetime as dt
import json
import re
from decimal import Decimal
from typing import Any

import plotly.graph_objects as go
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from monitoring.assessment.history_document import history_from_records
from monitoring.domain.rules import kidney
from monitoring.records.selectors import patients_with_records
from patients.models import Patient
from tests.html_forms import visible_text

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
SAMPLED = TODAY - dt.timedelta(days=3)
# Zofia Kowalczyk: 65 on the sample date, 54 kg. By hand: (140 - 65) x 54 / (72 x 150 / 88.42)
# x 0.85 = 28.18 -> 28.2 mL/min.
BORN_65 = dt.date(SAMPLED.year - 65, 1, 1)


def _record_labs(client: Client, patient: Patient, **values: str) -> None:
    data = {"sample_date": SAMPLED.isoformat()} | {
        f"{analyte}_value": value for analyte, value in values.items()
    }
    units = {"creatinine": "µmol/L", "vitamin_d_25oh": "nmol/L", "calcium": "mmol/L"}
    data |= {f"{analyte}_unit": units[analyte] for analyte in values if analyte in units}
    response = client.post(reverse("monitoring:labs_create", args=[patient.pk]), data)
    assert response.status_code == 302


@pytest.fixture
def zofia(patient: Patient) -> Patient:
    patient.birth_date = BORN_65
    patient.weight_kg = Decimal(54)
    patient.save()
    return patient


def _page(client: Client, patient: Patient) -> str:
    response = client.get(reverse("monitoring:patient", args=[patient.pk]))
    assert response.status_code == 200
    return response.text


def _figure(page: str) -> dict[str, Any]:
    """The labs chart as the page gives it to plotly (`json_script`)."""
    found = re.search(r'<script id="labs-chart" type="application/json">(.*?)</script>', page, re.S)
    assert found is not None
    figure: dict[str, Any] = json.loads(found.group(1))
    go.Figure(figure)  # plotly's own validation
    return figure


def _traces(figure: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {trace["name"]: trace for trace in figure["data"]}


def _key(page: str) -> str:
    found = re.search(r'<ul class="labs-key.*?</ul>', page, re.S)
    assert found is not None
    return visible_text(found.group(0))


def _flag_of(page: str, analyte: str) -> str:
    """The visible text of the flag cell of the labs table's `analyte` row."""
    table = re.search(r'<table class="table table-sm labs-table.*?</table>', page, re.S)
    assert table is not None
    for row in re.findall(r"<tr.*?</tr>", table.group(0), re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        if len(cells) > 3 and visible_text(cells[1]) == analyte:
            return visible_text(cells[3])
    raise AssertionError(analyte)


def test_the_chart_draws_and_rings_the_lower_estimate_the_rules_judge(
    nurse_client: Client, zofia: Patient
) -> None:
    _record_labs(
        nurse_client, zofia, egfr="40", creatinine="150", vitamin_d_25oh="80", calcium="2.35"
    )
    page = _page(nurse_client, zofia)
    traces = _traces(_figure(page))
    day = SAMPLED.isoformat()

    estimate = traces["Cockcroft-Gault clearance (mL/min)"]
    assert (estimate["x"], estimate["y"]) == ([day], [28.2])
    assert estimate["line"]["dash"] == "dot"
    assert estimate["text"][0].startswith("low · judged: lower than the eGFR 40 mL/min/1.73 m²")
    assert "from creatinine 150 µmol/L and 54 kg on record" in estimate["text"][0]

    ring = traces["Judged by the rules"]
    assert (ring["x"], ring["y"], ring["mode"]) == ([day], [28.2], "markers")
    assert ring["marker"]["symbol"] == "circle-open"
    assert ring["text"][0].startswith(
        "creatinine clearance 28.2 mL/min, estimated by Cockcroft-Gault"
    )
    assert "no zoledronic acid" in ring["text"][0]

    egfr = traces["eGFR (mL/min/1.73 m²)"]
    assert (egfr["x"], egfr["y"]) == ([day], [40.0])
    assert egfr["text"][0].startswith("not judged")

    # The kidney axis and the key name both units: no longer mL/min/1.73 m² alone.
    layout = _figure(page)["layout"]
    titles = [axis["title"]["text"] for name, axis in layout.items() if name.startswith("yaxis")]
    assert "Kidney function<br>(mL/min/1.73 m², mL/min)" in titles
    key = _key(page)
    assert "Kidney function (mL/min/1.73 m², mL/min):" in key
    assert "Kidney function (mL/min/1.73 m²):" not in key
    assert "below 35: no zoledronic acid; no alendronate" in key
    assert "Ringed: the kidney function the rules judge of each sample" in key
    # The point judged is below the "< 35" line the chart draws.
    tags = {a["text"]: a["y"] for a in layout["annotations"] if a.get("hovertext")}
    assert ring["y"][0] < tags["< 35"]

    # The labs table says the same value is the one judged (nurse14 #2's "correctly").
    assert "28.2 mL/min" in _flag_of(page, "Creatinine")
    assert _flag_of(page, "eGFR").startswith("ⓘ see creatinine")


def test_the_ring_is_the_rules_decision(nurse_client: Client, zofia: Patient) -> None:
    """The chart rings what the rules' one decision gives for the sample, the value RENAL's
    alert quotes."""
    _record_labs(nurse_client, zofia, egfr="40", creatinine="150")
    history = history_from_records(patients_with_records([zofia.pk]).get())
    (judged,) = kidney.kidney_function_by_sample(history.labs, history.patient).values()
    ring = _traces(_figure(_page(nurse_client, zofia)))["Judged by the rules"]
    assert ring["y"] == [float(judged.value)] == [28.2]
    assert judged.estimated


def test_a_creatinine_flag_says_the_clearance_is_low(nurse_client: Client, zofia: Patient) -> None:
    _record_labs(nurse_client, zofia, egfr="40", creatinine="150")
    flag = _flag_of(_page(nurse_client, zofia), "Creatinine")
    assert flag.startswith("▼ low clearance estimated creatinine clearance 28.2 mL/min")
    assert not flag.startswith("▼ low estimated")


def test_a_higher_estimate_is_drawn_as_information_and_the_egfr_ringed(
    nurse_client: Client, zofia: Patient
) -> None:
    """Creatinine 100 µmol/L gives 42.3 mL/min, above the eGFR 40 of the same sample, which
    stays the one judged."""
    _record_labs(nurse_client, zofia, egfr="40", creatinine="100")
    page = _page(nurse_client, zofia)
    traces = _traces(_figure(page))
    ring = traces["Judged by the rules"]
    assert ring["y"] == [40.0]
    assert ring["text"][0].startswith("eGFR 40 mL/min/1.73 m²: reduced")
    estimate = traces["Cockcroft-Gault clearance (mL/min)"]
    assert estimate["y"] == [42.3]
    assert (
        "information only: the eGFR 40 mL/min/1.73 m² of the same sample is judged"
        in (estimate["text"][0])
    )
    assert traces["eGFR (mL/min/1.73 m²)"]["text"] == ["reduced"]
    assert _flag_of(page, "Creatinine").startswith("ⓘ estimate")


def test_without_a_weight_the_chart_stays_the_egfr_alone(
    nurse_client: Client, zofia: Patient
) -> None:
    Patient.objects.filter(pk=zofia.pk).update(weight_kg=None)
    _record_labs(nurse_client, zofia, egfr="40", creatinine="150")
    page = _page(nurse_client, zofia)
    assert list(_traces(_figure(page))) == ["eGFR (mL/min/1.73 m²)"]
    key = _key(page)
    assert "Kidney function (mL/min/1.73 m²):" in key
    assert "Ringed" not in key


def test_a_creatinine_alone_is_drawn_as_information(nurse_client: Client, zofia: Patient) -> None:
    """No eGFR or measured clearance: the rules find kidney function unknown (vignette 38); the
    estimate is drawn, ringed nowhere, and the key says it is information only."""
    _record_labs(nurse_client, zofia, creatinine="150")
    page = _page(nurse_client, zofia)
    traces = _traces(_figure(page))
    assert list(traces) == ["Cockcroft-Gault clearance (mL/min)"]
    assert "information only" in traces["Cockcroft-Gault clearance (mL/min)"]["text"][0]
    key = _key(page)
    assert "Kidney function (mL/min):" in key
    assert "below 35 mL/min: no zoledronic acid" in key
    assert "information only: the rules judge a measured creatinine clearance or eGFR" in key
