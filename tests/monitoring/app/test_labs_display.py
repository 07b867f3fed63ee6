"""Labs a clinician can read: each analyte in one unit (the site's SI or conventional setting),
the value as entered on hover, flags in words from the rules' thresholds, and a chart of vitamin D,
calcium and kidney function with the thresholds labelled."""

import datetime as dt
import re
from decimal import Decimal

import plotly.graph_objects as go
import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from bonehealth.accounts.models import LabUnits, Site
from monitoring import domain
from monitoring.assessment.history_document import history_from_records
from monitoring.domain import thresholds
from monitoring.models import LabResult
from monitoring.overview import charts
from monitoring.overview.lab_values import entered_result, plain, shown_result, shown_threshold
from monitoring.overview.labs import lab_flag, lab_rows
from monitoring.records.selectors import patients_with_records
from patients.models import Patient

A = domain.Analyte
SI = domain.UnitSystem.SI
CONVENTIONAL = domain.UnitSystem.CONVENTIONAL
AS_OF = dt.date(2025, 6, 1)


# --- The unit choice -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("analyte", "si", "conventional"),
    [
        (A.VITAMIN_D_25OH, "nmol/L", "ng/mL"),
        (A.CALCIUM, "mmol/L", "mg/dL"),
        (A.CREATININE, "µmol/L", "mg/dL"),
        (A.EGFR, "mL/min/1.73m2", "mL/min/1.73m2"),
        (A.CTX, "ng/mL", "ng/mL"),
    ],
)
def test_each_analyte_has_one_unit_per_system(analyte: A, si: str, conventional: str) -> None:
    assert domain.display_unit(analyte, SI) == si
    assert domain.display_unit(analyte, CONVENTIONAL) == conventional


@pytest.mark.parametrize("system", list(domain.UnitSystem))
def test_every_shown_unit_is_an_accepted_unit(system: domain.UnitSystem) -> None:
    for analyte in A:
        assert domain.display_unit(analyte, system) in domain.ACCEPTED_UNITS[analyte]


def _shown(analyte: A, typed: str, unit: str, shown_in: str) -> Decimal:
    return shown_result(entered_result(analyte, Decimal(typed), unit), shown_in).value


def test_published_factors_give_round_numbers() -> None:
    assert domain.from_canonical(A.VITAMIN_D_25OH, Decimal(30), "nmol/L") == Decimal("74.880")
    # At the precision laboratories report (nurse14 #6): 49.92 nmol/L in whole nmol/L.
    assert _shown(A.VITAMIN_D_25OH, "20", "ng/mL", "nmol/L") == Decimal(50)
    assert _shown(A.CALCIUM, "2.12", "mmol/L", "mg/dL") == Decimal("8.5")
    assert _shown(A.CREATININE, "88.42", "µmol/L", "mg/dL") == Decimal("1.00")


@given(
    analyte=st.sampled_from(list(A)),
    value=st.decimals(min_value=Decimal("0.01"), max_value=Decimal(3000), places=3),
    data=st.data(),
)
def test_from_canonical_undoes_to_canonical(
    analyte: A, value: Decimal, data: st.DataObject
) -> None:
    unit = data.draw(st.sampled_from(domain.ACCEPTED_UNITS[analyte]))
    canonical = domain.to_canonical(analyte, value, unit)
    assert abs(domain.from_canonical(analyte, canonical, unit) - value) < Decimal("1e-20")


# --- Flags -----------------------------------------------------------------------------------


def _result(analyte: A, value: Decimal, unit: str | None = None) -> domain.LabResult:
    """A result of `value` in `unit` (the canonical unit by default), as entered."""
    return entered_result(analyte, value, unit or domain.CANONICAL_UNIT[analyte])


def _word(analyte: A, value: Decimal, unit: str | None = None) -> str | None:
    flag = lab_flag(_result(analyte, value, unit))
    return flag.word if flag else None


def test_vitamin_d_flags_follow_the_thresholds() -> None:
    deficient, sufficient = thresholds.VITD_DEFICIENT_BELOW, thresholds.VITD_SUFFICIENT_FROM
    assert _word(A.VITAMIN_D_25OH, deficient - Decimal("0.01")) == "deficient"
    assert _word(A.VITAMIN_D_25OH, deficient) == "insufficient"
    assert _word(A.VITAMIN_D_25OH, sufficient - Decimal("0.01")) == "insufficient"
    assert _word(A.VITAMIN_D_25OH, sufficient) is None
    # As the rules judge: in the unit entered (nurse14 #3: 74.88 nmol/L is 30 ng/mL, but below
    # 75 nmol/L).
    assert _word(A.VITAMIN_D_25OH, Decimal("74.88"), "nmol/L") == "insufficient"
    assert _word(A.VITAMIN_D_25OH, Decimal(75), "nmol/L") is None


def test_a_flag_gives_its_threshold_in_the_unit_shown() -> None:
    low_vitamin_d = lab_flag(_result(A.VITAMIN_D_25OH, Decimal(15)), "nmol/L")
    assert low_vitamin_d is not None
    # The number clinicians know in nmol/L, with the 20 ng/mL the rules compare with (phys13
    # #15a); calcium's mg/dL, the least the rules do not flag (phys10 F5).
    assert low_vitamin_d.note == "below 50 nmol/L (20 ng/mL)"
    low_calcium = lab_flag(_result(A.CALCIUM, Decimal(2)), "mg/dL")
    assert low_calcium is not None
    assert low_calcium.note == "below 8.48 mg/dL (2.12 mmol/L)"
    assert lab_flag(_result(A.CALCIUM, Decimal(2))) == low_calcium.__class__(
        "low", "below 2.12 mmol/L", "danger"
    )


def test_calcium_low_follows_the_threshold() -> None:
    low = thresholds.CALCIUM_LOW_BELOW
    assert _word(A.CALCIUM, low - Decimal("0.01")) == "low"
    assert _word(A.CALCIUM, low) is None


@pytest.mark.parametrize("analyte", [A.EGFR, A.CRCL])
def test_kidney_function_flags_name_the_drugs(analyte: A) -> None:
    risedronate = thresholds.RISEDRONATE_IBANDRONATE_CONTRAINDICATED_BELOW
    zoledronic = thresholds.ZOLEDRONIC_CONTRAINDICATED_BELOW
    dose_check = thresholds.ZOLEDRONIC_DOSE_CHECK_MAX
    lowest = lab_flag(_result(analyte, risedronate - 1))
    assert lowest is not None
    assert (lowest.word, lowest.level) == ("low", "danger")
    assert "risedronate" in lowest.note
    assert "zoledronic acid" in lowest.note
    below_zoledronic = lab_flag(_result(analyte, zoledronic - Decimal("0.01")))
    assert below_zoledronic is not None
    assert "risedronate" not in below_zoledronic.note
    assert "zoledronic acid" in below_zoledronic.note
    checked = lab_flag(_result(analyte, dose_check))
    assert checked is not None
    assert (checked.word, checked.level) == ("reduced", "warning")
    assert _word(analyte, dose_check + Decimal("0.01")) is None


def test_other_analytes_are_not_flagged() -> None:
    assert lab_flag(_result(A.CTX, Decimal("0.01"))) is None
    assert lab_flag(_result(A.CREATININE, Decimal(500))) is None


# --- Rows, the page and the chart ------------------------------------------------------------


def _lab(patient: Patient, day: dt.date, analyte: A, value: str, unit: str) -> LabResult:
    return LabResult.objects.create(
        patient=patient,
        sample_date=day,
        analyte=analyte,
        value=domain.to_canonical(analyte, Decimal(value), unit).quantize(Decimal("0.000001")),
        entered_value=value,
        entered_unit=unit,
    )


@pytest.fixture
def mixed(patient: Patient) -> Patient:
    """Vitamin D entered in both units, calcium in both, and a low eGFR."""
    _lab(patient, dt.date(2025, 1, 10), A.VITAMIN_D_25OH, "40", "nmol/L")
    _lab(patient, dt.date(2025, 3, 10), A.VITAMIN_D_25OH, "32", "ng/mL")
    _lab(patient, dt.date(2025, 1, 10), A.CALCIUM, "2.05", "mmol/L")
    _lab(patient, dt.date(2025, 3, 10), A.CALCIUM, "9.6", "mg/dL")
    _lab(patient, dt.date(2025, 3, 10), A.EGFR, "28", "mL/min/1.73m2")
    return patient


@pytest.mark.django_db
def test_rows_show_one_unit_and_keep_the_value_as_entered(mixed: Patient) -> None:
    labs = patients_with_records([mixed.pk]).get().valid_labs  # type: ignore[attr-defined]
    rows = {(row.lab.sample_date, row.lab.analyte): row for row in lab_rows(labs, SI)}
    vit_d_ng = rows[(dt.date(2025, 3, 10), "vitamin_d_25oh")]
    # 79.87 nmol/L, in whole nmol/L as laboratories report it (nurse14 #6).
    assert (vit_d_ng.value, vit_d_ng.unit, vit_d_ng.entered) == (Decimal(80), "nmol/L", "32 ng/mL")
    assert vit_d_ng.flag is None
    vit_d_nmol = rows[(dt.date(2025, 1, 10), "vitamin_d_25oh")]
    assert (vit_d_nmol.value, vit_d_nmol.unit) == (Decimal(40), "nmol/L")  # as entered
    assert vit_d_nmol.flag is not None
    assert vit_d_nmol.flag.word == "deficient"
    conventional = {(r.lab.sample_date, r.lab.analyte): r for r in lab_rows(labs, CONVENTIONAL)}
    # 16.03 ng/mL and 8.22 mg/dL, to 0.1 as laboratories report them (nurse14 #6).
    assert conventional[(dt.date(2025, 1, 10), "vitamin_d_25oh")].value == Decimal("16.0")
    assert conventional[(dt.date(2025, 1, 10), "calcium")].unit == "mg/dL"
    assert conventional[(dt.date(2025, 1, 10), "calcium")].value == Decimal("8.2")


def _lab_cells(page: str) -> list[tuple[str, str]]:
    """(analyte, unit) of each row of the labs table."""
    table = page.split('class="table table-sm labs-table', 1)[1].split("</table>", 1)[0]
    rows = re.findall(
        r"<td[^>]*>\d{4}-\d\d-\d\d</td><td[^>]*>([^<]+)</td>.*?class=\"lab-value\"[^>]*>([^<]+)</span>",
        table,
        re.S,
    )
    return [(analyte, shown.split(" ", 1)[1]) for analyte, shown in rows]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("setting", "units"),
    [
        (LabUnits.SI, {"25-OH vitamin D": "nmol/L", "Calcium (albumin-adjusted)": "mmol/L"}),
        (
            LabUnits.CONVENTIONAL,
            {"25-OH vitamin D": "ng/mL", "Calcium (albumin-adjusted)": "mg/dL"},
        ),
    ],
)
def test_the_page_shows_one_unit_per_analyte(
    nurse_client: Client, mixed: Patient, site: Site, setting: str, units: dict[str, str]
) -> None:
    Site.objects.filter(pk=site.pk).update(lab_units=setting)
    page = nurse_client.get(reverse("monitoring:patient", args=[mixed.pk])).text
    cells = _lab_cells(page)
    assert len(cells) == 5
    shown: dict[str, set[str]] = {}
    for analyte, unit in cells:
        shown.setdefault(analyte, set()).add(unit)
    assert {analyte: found for analyte, found in shown.items() if len(found) != 1} == {}
    for analyte, unit in units.items():
        assert shown[analyte] == {unit}
    assert 'title="Entered as 32 ng/mL"' in page
    assert 'title="Entered as 9.6 mg/dL"' in page
    assert "deficient</span>" in page  # 40 nmol/L
    shown = "50 nmol/L (20 ng/mL)" if setting == LabUnits.SI else "20 ng/mL"
    assert f"below {shown}</span>" in page
    assert "> low</span>" in page  # calcium 2.05 mmol/L, eGFR 28
    assert 'data-chart="labs-chart"' in page


@pytest.mark.django_db
def test_changing_the_site_setting_shows_at_once(
    nurse_client: Client, mixed: Patient, site: Site
) -> None:
    url = reverse("monitoring:patient", args=[mixed.pk])
    assert {
        unit for analyte, unit in _lab_cells(nurse_client.get(url).text) if "vitamin D" in analyte
    } == {"nmol/L"}
    # No service, no records_version: the setting itself is in the fragments' key.
    Site.objects.filter(pk=site.pk).update(lab_units=LabUnits.CONVENTIONAL)
    page = nurse_client.get(url).text
    assert {unit for analyte, unit in _lab_cells(page) if "vitamin D" in analyte} == {"ng/mL"}
    assert "below 20 ng/mL: deficient" in page  # the chart's line, in the new unit


@pytest.mark.django_db
@pytest.mark.parametrize("system", list(domain.UnitSystem))
def test_labs_figure_is_valid_with_labelled_thresholds(
    mixed: Patient, system: domain.UnitSystem
) -> None:
    history = history_from_records(patients_with_records([mixed.pk]).get())
    figure = charts.labs_figure(history, system, as_of=AS_OF)
    assert figure is not None
    go.Figure(figure)  # plotly's own validation: raises on any invalid key or value
    traces = {trace["name"]: trace for trace in figure["data"]}
    vit_d_unit = domain.display_unit(A.VITAMIN_D_25OH, system)
    vit_d = traces[f"25-OH vitamin D ({vit_d_unit})"]
    assert vit_d["x"] == ["2025-01-10", "2025-03-10"]
    assert vit_d["y"][0] == pytest.approx(40 if system is SI else 16.0)
    assert vit_d["text"] == ["deficient", ""]
    # Every marker has its own symbol: readable without colour.
    symbols = [trace["marker"]["symbol"] for trace in figure["data"]]
    assert len(set(symbols)) == len(symbols) == 3
    # Each line's words are its tag's hover text (and the key under the chart, threshold_key).
    labels = [a["hovertext"] for a in figure["layout"]["annotations"]]
    # In nmol/L, the numbers clinicians know (phys13 #15a), with the ng/mL the rules compare with.
    deficient, insufficient = ("50", "75") if system is SI else ("20", "30")
    also = (" (20 ng/mL)", " (30 ng/mL)") if system is SI else ("", "")
    assert f"below {deficient} {vit_d_unit}{also[0]}: deficient" in labels
    assert f"below {insufficient} {vit_d_unit}{also[1]}: insufficient" in labels
    # Each line is drawn where its tag says.
    levels = {a["hovertext"]: (a["y"], a["text"]) for a in figure["layout"]["annotations"]}
    assert levels[f"below {deficient} {vit_d_unit}{also[0]}: deficient"] == (
        float(deficient),
        f"< {deficient}",
    )
    assert any(
        label.startswith("below 35 mL/min/1.73 m²: ") and "zoledronic acid" in label
        for label in labels
    )
    assert any("zoledronic acid: check the dose" in label for label in labels)
    lines = [s for s in figure["layout"]["shapes"] if s["type"] == "line"]
    assert len(lines) == len(labels)
    assert all(line["line"]["dash"] == "dash" for line in lines)


@pytest.mark.django_db
def test_no_labs_figure_without_those_analytes(patient: Patient) -> None:
    _lab(patient, dt.date(2025, 1, 10), A.CTX, "0.4", "ng/mL")
    history = history_from_records(patients_with_records([patient.pk]).get())
    assert charts.labs_figure(history, SI, as_of=AS_OF) is None


@pytest.mark.django_db
@pytest.mark.parametrize("with_egfr", [False, True], ids=["clearance-only", "both"])
def test_kidney_panel_draws_clearance_beside_egfr(patient: Patient, with_egfr: bool) -> None:
    _lab(patient, dt.date(2025, 1, 10), A.CRCL, "45", "mL/min")
    if with_egfr:
        _lab(patient, dt.date(2025, 2, 10), A.EGFR, "50", "mL/min/1.73m2")
    history = history_from_records(patients_with_records([patient.pk]).get())
    figure = charts.labs_figure(history, CONVENTIONAL, as_of=AS_OF)
    assert figure is not None
    go.Figure(figure)
    names = [trace["name"] for trace in figure["data"]]
    # With both, the one the rules judge of each sample is ringed (nurse14 #2).
    expected = ["eGFR (mL/min/1.73 m²)"] if with_egfr else []
    ring = ["Judged by the rules"] if with_egfr else []
    assert names == [*expected, "Creatinine clearance (mL/min)", *ring]
    labels = [a["hovertext"] for a in figure["layout"]["annotations"]]
    # One unit on the panel: the lines say it; two: the axis and legend say them.
    assert ("below 35 mL/min: " in labels[1]) is not with_egfr


def test_a_threshold_in_another_unit_reads_as_clinicians_know_it() -> None:
    """Vitamin D in nmol/L reads the numbers of the rules' source (phys13 #15a: 50 and 75, not
    49.91 and 74.87, which read as a conversion bug), the numbers a result entered in nmol/L is
    judged against (nurse14 #3); calcium in mg/dL the least value the rules do not flag (phys10
    F5: 8.48, as 8.49 rounds to 2.12 mmol/L); each with the canonical one beside it."""
    vitamin_d = domain.Analyte.VITAMIN_D_25OH
    assert shown_threshold(vitamin_d, Decimal("20"), "nmol/L") == Decimal("50")
    assert shown_threshold(vitamin_d, Decimal("30"), "nmol/L") == Decimal("75")
    assert shown_threshold(vitamin_d, Decimal("20"), "ng/mL") == Decimal("20")
    assert shown_threshold(vitamin_d, Decimal("30"), "ng/mL") == Decimal("30")
    assert shown_threshold(A.CALCIUM, Decimal("2.12"), "mg/dL") == Decimal("8.48")
    flag = lab_flag(_result(vitamin_d, Decimal("49.95"), "nmol/L"), "nmol/L")
    assert flag is not None
    # 49.95 nmol/L is 20.01 ng/mL, but below 50 nmol/L: deficient, as its flag says.
    assert (flag.word, flag.note) == ("deficient", "below 50 nmol/L (20 ng/mL)")
    insufficient = lab_flag(_result(vitamin_d, Decimal(50), "nmol/L"), "nmol/L")
    assert insufficient is not None
    assert insufficient.word == "insufficient"


@pytest.mark.parametrize(
    ("analyte", "limit", "unit"),
    [
        (A.VITAMIN_D_25OH, thresholds.VITD_DEFICIENT_BELOW, "nmol/L"),
        (A.VITAMIN_D_25OH, thresholds.VITD_SUFFICIENT_FROM, "nmol/L"),
        (A.VITAMIN_D_25OH, thresholds.VITD_DEFICIENT_BELOW, "ng/mL"),
        (A.VITAMIN_D_25OH, thresholds.VITD_SUFFICIENT_FROM, "ng/mL"),
        (A.CALCIUM, thresholds.CALCIUM_LOW_BELOW, "mg/dL"),
        (A.CALCIUM, thresholds.CALCIUM_LOW_BELOW, "mmol/L"),
    ],
)
def test_every_result_a_form_accepts_is_flagged_exactly_below_the_threshold_shown(
    analyte: domain.Analyte, limit: Decimal, unit: str
) -> None:
    """Every value with 2 decimals (what the forms accept) near the threshold, typed in the unit
    shown: a flag naming the threshold shown is there exactly when the value is below it
    (phys10 F5; nurse14 #3: 74.87-74.99 nmol/L, once judged by the rules' 30 ng/mL and not
    flagged, are below 75 nmol/L and flagged). The flag is always the rules' decision."""
    shown = shown_threshold(analyte, limit, unit)
    cent = Decimal("0.01")
    for step in range(-300, 300):
        typed = shown + step * cent
        flag = lab_flag(_result(analyte, typed, unit), unit)
        below = flag is not None and f"below {plain(shown)} {unit}" in flag.note
        assert below is (typed < shown), typed
