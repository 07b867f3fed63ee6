"""The projection table says when a crossing date has already passed (physician7 F16); a
projection from a scan before a change of bone therapy is not shown at all, and the page says why
(phys13 #14: its dates, "already passed" across two years of denosumab, had no use)."""

import datetime as dt

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from monitoring.assessment.history import build_history
from monitoring.models import BoneTherapyCourse, DexaMeasurement, DexaScan, Scanner
from monitoring.overview import charts
from monitoring.records.selectors import patients_with_records
from patients.models import Patient
from tests.factories import AromataseInhibitorCourseFactory
from tests.html_forms import visible_text

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 12, 7)
PASSED = "already passed: estimated, not measured"


def _scan(patient: Patient, scanner: Scanner, day: dt.date, spine: str, t: str) -> None:
    made = DexaScan.objects.create(patient=patient, scan_date=day, scanner=scanner)
    DexaMeasurement.objects.create(scan=made, site="lumbar_spine", bmd=spine, t_score=t)


@pytest.fixture
def losing(patient: Patient) -> Patient:
    AromataseInhibitorCourseFactory(patient=patient, start_date=dt.date(2023, 1, 15))
    scanner = Scanner.objects.create(site=patient.site, name="Lunar", lsc_lumbar_spine="0.028")
    _scan(patient, scanner, dt.date(2023, 5, 1), "0.900", "-1.2")
    _scan(patient, scanner, dt.date(2024, 5, 1), "0.860", "-1.6")
    return patient


def _table(patient: Patient, crossings: tuple[str, str]) -> str:
    history = build_history(patients_with_records([patient.pk]).get())
    stored = {
        "projections": [
            {
                "site": "lumbar_spine",
                "basis": "own_trend",
                "crosses_minus_2_0_on": crossings[0],
                "crosses_minus_2_5_on": crossings[1],
            }
        ]
    }
    context = charts.patient_figures(history, stored, as_of=AS_OF, static=True)
    return render_to_string("monitoring/_bmd_chart.html", context)


def test_a_crossing_date_already_passed_is_marked_as_an_estimate(losing: Patient) -> None:
    table = _table(losing, ("2026-04-08", "2028-02-01"))
    cells = table.split("<tbody>")[1].split("</td><td>")[3:5]
    cross_2_0, cross_2_5 = (visible_text(cell) for cell in cells)
    assert cross_2_0.startswith("2026-04-08")
    assert PASSED in cross_2_0
    assert cross_2_5.startswith("2028-02-01")
    assert PASSED not in cross_2_5
    assert "Scan before" not in table  # no therapy since the scan


WITHHELD = (
    "No projected T-score for the lumbar spine: its latest scan (2024-05-01) came before "
    "denosumab started 2024-11-01; denosumab stopped 2026-11-01, and an estimate across a "
    "bone-therapy course would not reflect it; a new scan gives a starting point."
)


def _denosumab_2_years(patient: Patient) -> None:
    BoneTherapyCourse.objects.create(
        patient=patient,
        drug="denosumab",
        start_date=dt.date(2024, 11, 1),
        stop_date=dt.date(2026, 11, 1),
    )


def test_a_projection_from_a_scan_before_the_therapy_is_withheld(losing: Patient) -> None:
    _denosumab_2_years(losing)
    table = _table(losing, ("2026-10-26", "2029-01-01"))
    assert "Projected T-score" not in table
    assert "2026-10-26" not in table
    assert PASSED not in table
    assert WITHHELD in visible_text(table)


def test_the_patient_page_says_why(physician_client: Client, losing: Patient) -> None:
    _denosumab_2_years(losing)
    page = physician_client.get(reverse("monitoring:patient", args=[losing.pk]))
    stored = page.context["full"]()["assessment"].data["projections"]
    assert stored, "the rules project the spine (ATAC: the AI runs, no antiresorptive now)"
    assert page.context["full"]()["projection_rows"] == []
    assert WITHHELD in visible_text(page.text)
    summary = physician_client.get(reverse("monitoring:patient_summary", args=[losing.pk]))
    assert WITHHELD in visible_text(summary.text)
    assert "Projected T-score" not in summary.text
