"""nurse14 #3: a vitamin D shown below a threshold line is judged below it, and one shown above it
is not, whichever unit it was entered in and whichever unit the site reads (74.9 nmol/L and 30
ng/mL, shown 74.88 nmol/L, were not flagged under "insufficient below 75 nmol/L"); nurse14 #6:
a converted value reads at the precision laboratories report.

The invariant, across units, at the boundaries (deficient, insufficient, high, toxic): the value
a page writes is below the threshold it writes exactly when the rules judge it below (the flag,
the alerts, the recommendation and the schedule), and above exactly when they judge it above.
"""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bonehealth.accounts.models import LabUnits, Site
from monitoring import domain
from monitoring.domain import lab_limits, thresholds
from monitoring.models import Alert, LabResult
from monitoring.overview import charts
from monitoring.overview.lab_texts import in_site_units
from monitoring.overview.lab_values import (
    entered_result,
    shown_result,
    shown_threshold,
    shown_threshold_above,
)
from monitoring.overview.labs import lab_flag
from patients.models import Patient
from tests.html_forms import visible_text
from tests.monitoring.domain.builders import AS_OF, ai, history, normal_scan

VITD = domain.Analyte.VITAMIN_D_25OH
UNITS = domain.ACCEPTED_UNITS[VITD]
BELOW = {
    thresholds.VITD_DEFICIENT_BELOW: "deficient",
    thresholds.VITD_SUFFICIENT_FROM: "insufficient",
}
ABOVE = {thresholds.VITD_HIGH_ABOVE: "warning", thresholds.VITD_TOXIC_ABOVE: "high"}
LIMITS = (*BELOW, *ABOVE)
THOUSANDTH = Decimal("0.001")


def _other(unit: str) -> str:
    return next(u for u in UNITS if u != unit)


@st.composite
def near_a_limit(draw: st.DrawFn) -> tuple[Decimal, str]:
    """A vitamin D with up to 3 decimals (what a history file or an import holds), entered in
    either unit, within 2 units of one of the four limits as written in its unit, or of the
    conversion of the limit written in the other unit (74.88 nmol/L, 30.05 ng/mL): where the
    two numbers of a limit disagree."""
    unit = draw(st.sampled_from(UNITS))
    limit = draw(st.sampled_from(LIMITS))
    own = lab_limits.limit_in(VITD, limit, unit)
    assert own is not None
    other = lab_limits.limit_in(VITD, limit, _other(unit))
    assert other is not None
    converted = domain.from_canonical(
        VITD, domain.to_canonical(VITD, other, _other(unit)), unit
    ).quantize(THOUSANDTH)
    centre = draw(st.sampled_from([own, converted]))
    value = centre + draw(st.integers(-2000, 2000)) * THOUSANDTH
    assume(value > 0)
    return value, unit


anywhere = st.tuples(
    st.decimals(min_value=Decimal("0.001"), max_value=Decimal(750), places=3),
    st.sampled_from(UNITS),
)


def _alerts(lab: domain.LabResult) -> dict[str, domain.Alert]:
    assessment = domain.assess(
        history(aromatase_inhibitors=(ai("2024-01-01"),), dexa_scans=(normal_scan(),), labs=(lab,)),
        as_of=AS_OF,
    )
    return {alert.code: alert for alert in assessment.alerts}


# A vitamin D a text quotes, and the threshold its clause compares it with, in the same unit.
_QUOTED = re.compile(
    r"vitamin D \(?(?P<value>[\d.]+) (?P<unit>ng/mL|nmol/L) on \S+?"
    r"(?:[^;:)]*?(?P<op><|>=|>) (?P<limit>[\d.]+) (?P=unit))?"
)


def _check_everywhere(value: Decimal, unit: str) -> None:
    """Every place the result is written and judged agrees, in both unit systems."""
    lab = entered_result(VITD, value, unit)
    lab = domain.LabResult(
        date=dt.date(2025, 5, 1),
        analyte=VITD,
        value=lab.value,
        entered_value=lab.entered_value,
        entered_unit=lab.entered_unit,
    )
    below = {limit for limit in BELOW if lab_limits.below(lab, limit)}
    above = {limit for limit in ABOVE if lab_limits.above(lab, limit)}
    # The rules: the alert and its severity, the repletion, the recheck.
    raised = _alerts(lab)
    if thresholds.VITD_DEFICIENT_BELOW in below:
        assert "VITAMIN_D_DEFICIENT" in raised
    elif below:
        assert "VITAMIN_D_INSUFFICIENT" in raised
    else:
        assert not {"VITAMIN_D_DEFICIENT", "VITAMIN_D_INSUFFICIENT"} & set(raised)
    high = raised.get("VITAMIN_D_HIGH")
    expected_high = ABOVE[max(above)] if above else None
    assert (high.severity if high else None) == expected_high
    for system in domain.UnitSystem:
        site_unit = domain.display_unit(VITD, system)
        shown = shown_result(lab, site_unit)
        # Written in the site's unit, or as entered where no conversion reads on its side.
        assert shown.unit in (site_unit, unit)
        # The labs table's value against every line its unit writes.
        for limit in BELOW:
            line = shown_threshold(VITD, limit, shown.unit)
            assert (shown.value < line) is (limit in below), (value, unit, system, limit)
        for limit in ABOVE:
            line = shown_threshold_above(VITD, limit, shown.unit)
            assert (shown.value > line) is (limit in above), (value, unit, system, limit)
        # Its flag names the line it crosses, which the value shown is on the far side of.
        flag = lab_flag(lab, shown.unit)
        if flag is None:
            assert not below
            assert not above
        else:
            number = Decimal(re.search(r"(?:below|above) ([\d.]+) ", flag.note)[1])  # type: ignore[index]
            assert shown.value < number if not flag.above else shown.value > number
        # The rules' texts as the pages write them: the value quoted and the threshold of its
        # clause, in one unit, on the side the rule says.
        for alert in raised.values():
            if not alert.code.startswith("VITAMIN_D") or alert.code.endswith("MEASURED"):
                continue
            text = in_site_units(alert.message, system)
            found = _QUOTED.search(text)
            assert found is not None, text
            assert Decimal(found["value"]) == shown.value, text
            assert found["unit"] == shown.unit, text
            if found["op"] == "<":
                assert Decimal(found["value"]) < Decimal(found["limit"]), text
            elif found["op"] == ">":
                assert Decimal(found["value"]) > Decimal(found["limit"]), text


@given(near_a_limit())
@settings(max_examples=300, deadline=None)
def test_near_a_limit_the_page_and_the_rules_agree(case: tuple[Decimal, str]) -> None:
    _check_everywhere(*case)


@given(anywhere)
@settings(max_examples=150, deadline=None)
def test_anywhere_the_page_and_the_rules_agree(case: tuple[Decimal, str]) -> None:
    _check_everywhere(*case)


@pytest.mark.parametrize(
    ("value", "unit", "judged"),
    [
        # nurse14 #3: both below the 75 nmol/L the page writes, once judged 30.00-30.01 ng/mL.
        ("74.9", "nmol/L", "insufficient"),
        ("74.88", "nmol/L", "insufficient"),
        ("74.999", "nmol/L", "insufficient"),
        ("75", "nmol/L", None),
        ("49.92", "nmol/L", "deficient"),
        ("50", "nmol/L", "insufficient"),
        # 30 ng/mL is 74.88 nmol/L: sufficient (the spec's ">= 30 ng/mL"), shown as 75.
        ("30", "ng/mL", None),
        ("29.99", "ng/mL", "insufficient"),
        ("19.999", "ng/mL", "deficient"),
        ("20", "ng/mL", "insufficient"),
    ],
)
def test_the_limits_in_the_unit_entered(value: str, unit: str, judged: str | None) -> None:
    lab = entered_result(VITD, Decimal(value), unit)
    flag = lab_flag(lab, unit)
    assert (flag.word if flag else None) == judged
    _check_everywhere(Decimal(value), unit)


@pytest.mark.parametrize(
    ("value", "unit", "site_unit", "shown"),
    [
        ("30", "ng/mL", "nmol/L", "75 nmol/L"),  # 74.88: whole nmol/L, not below 75
        ("29.9", "ng/mL", "nmol/L", "74.6 nmol/L"),  # 74.63 would round to 75: one decimal
        ("20", "ng/mL", "nmol/L", "50 nmol/L"),
        ("19.99", "ng/mL", "nmol/L", "49.9 nmol/L"),
        ("112", "ng/mL", "nmol/L", "280 nmol/L"),  # nurse14 #6: was 279.55
        ("100.1", "ng/mL", "nmol/L", "100.1 ng/mL"),  # 249.85 nmol/L, high: as entered
        ("100", "ng/mL", "nmol/L", "250 nmol/L"),  # 249.6, not high
        ("51.21", "nmol/L", "ng/mL", "20.5 ng/mL"),
        ("74.9", "nmol/L", "ng/mL", "74.9 nmol/L"),  # 30.01 ng/mL, insufficient: as entered
        ("74.9", "nmol/L", "nmol/L", "74.9 nmol/L"),  # as typed
        ("250", "nmol/L", "ng/mL", "250 nmol/L"),  # 100.16 ng/mL, not high: as entered
        ("420", "nmol/L", "ng/mL", "168.3 ng/mL"),
    ],
)
def test_a_value_reads_at_the_precision_laboratories_report(
    value: str, unit: str, site_unit: str, shown: str
) -> None:
    assert str(shown_result(entered_result(VITD, Decimal(value), unit), site_unit)) == shown


@pytest.mark.parametrize(
    ("analyte", "value", "unit", "site_unit", "shown"),
    [
        (domain.Analyte.CREATININE, "0.9", "mg/dL", "µmol/L", "80 µmol/L"),  # was 79.58
        (domain.Analyte.CREATININE, "80", "µmol/L", "mg/dL", "0.9 mg/dL"),  # 0.90
        (domain.Analyte.CALCIUM, "9.1", "mg/dL", "mmol/L", "2.27 mmol/L"),
        (domain.Analyte.CALCIUM, "2.27", "mmol/L", "mg/dL", "9.1 mg/dL"),
        (domain.Analyte.CALCIUM, "2.11", "mmol/L", "mg/dL", "8.46 mg/dL"),  # low: not 8.5
        (domain.Analyte.CALCIUM, "9.1", "mg/dL", "mg/dL", "9.1 mg/dL"),  # as typed
        (domain.Analyte.CTX, "310", "pg/mL", "ng/mL", "0.31 ng/mL"),
    ],
)
def test_other_converted_values_read_as_laboratories_report_them(
    analyte: domain.Analyte, value: str, unit: str, site_unit: str, shown: str
) -> None:
    assert str(shown_result(entered_result(analyte, Decimal(value), unit), site_unit)) == shown


# --- Through the pages ------------------------------------------------------------------------

TODAY = timezone.localdate()
SAMPLED = (TODAY - dt.timedelta(days=5)).isoformat()


def _enter(client: Client, patient: Patient, values: dict[str, str]) -> None:
    url = reverse("monitoring:labs_create", args=[patient.pk])
    response = client.post(url, {"sample_date": SAMPLED, **values})
    assert response.status_code == 302, response.context["form"].errors


def _open_codes(patient: Patient) -> set[str]:
    return set(
        Alert.objects.filter(patient=patient, cleared_at__isnull=True).values_list(
            "code", flat=True
        )
    )


def _labs_row(page: str, analyte: str) -> str:
    """The visible text of the labs table's row of `analyte`."""
    table = page.split('class="table table-sm labs-table', 1)[1].split("</table>", 1)[0]
    row = next(r for r in table.split("<tr")[1:] if f">{analyte}</td>" in r)
    return visible_text("<tr" + row)


def _vitamin_d(client: Client, patient: Patient, value: str, unit: str) -> str:
    _enter(client, patient, {"vitamin_d_25oh_value": value, "vitamin_d_25oh_unit": unit})
    response = client.get(reverse("monitoring:patient", args=[patient.pk]))
    assert response.status_code == 200
    return response.text


@pytest.mark.django_db
@pytest.mark.parametrize(("value", "unit"), [("74.9", "nmol/L"), ("74.88", "nmol/L")])
def test_74_9_nmol_is_flagged_alerted_and_rechecked(
    nurse_client: Client, patient: Patient, site: Site, value: str, unit: str
) -> None:
    """The tester's second entry: shown below 75 nmol/L, flagged, alerted, on the worklist."""
    Site.objects.filter(pk=site.pk).update(lab_units=LabUnits.SI)
    page = _vitamin_d(nurse_client, patient, value, unit)
    row = _labs_row(page, "25-OH vitamin D")
    assert f"{value} nmol/L" in row
    assert "insufficient below 75 nmol/L (30 ng/mL)" in row
    assert "VITAMIN_D_INSUFFICIENT" in _open_codes(patient)
    text = visible_text(page)
    assert (
        f"25-OH vitamin D {value} nmol/L on {SAMPLED} is insufficient (< 75 nmol/L, 30 ng/mL)"
        in (text)
    )
    assert f"Replete vitamin D ({value} nmol/L on {SAMPLED}, target >= 75 nmol/L" in text
    worklist = visible_text(nurse_client.get(reverse("monitoring:worklist"), {"weeks": 52}).text)
    assert "Vitamin D recheck" in worklist
    lab = LabResult.objects.get(patient=patient)
    # Stored as before: the value as entered, and its conversion at full precision.
    assert (lab.entered_value, lab.entered_unit) == (Decimal(value), "nmol/L")
    assert lab.value == domain.to_canonical(VITD, Decimal(value), "nmol/L").quantize(
        Decimal("0.000001")
    )


@pytest.mark.django_db
def test_30_ng_reads_75_nmol_and_sufficient(
    nurse_client: Client, patient: Patient, site: Site
) -> None:
    """The tester's first entry: 30 ng/mL is sufficient, so it must not read below 75."""
    Site.objects.filter(pk=site.pk).update(lab_units=LabUnits.SI)
    page = _vitamin_d(nurse_client, patient, "30", "ng/mL")
    row = _labs_row(page, "25-OH vitamin D")
    assert "75 nmol/Lentered as 30 ng/mL none" in row
    assert "74.88" not in page
    assert not {c for c in _open_codes(patient) if c.startswith("VITAMIN_D")}


@pytest.mark.django_db
def test_at_a_conventional_site_a_nmol_result_judged_below_reads_as_entered(
    nurse_client: Client, patient: Patient, site: Site
) -> None:
    """74.9 nmol/L is 30.01 ng/mL: no number in ng/mL reads below 30 and is true; the page
    writes it as entered, with the line it is judged against, and the chart's hover says it."""
    Site.objects.filter(pk=site.pk).update(lab_units=LabUnits.CONVENTIONAL)
    page = _vitamin_d(nurse_client, patient, "74.9", "nmol/L")
    row = _labs_row(page, "25-OH vitamin D")
    assert "74.9 nmol/L" in row
    assert "as entered: judged in this unit" in row
    assert "insufficient below 75 nmol/L (30 ng/mL)" in row
    assert "30.01" not in page
    # No value in ng/mL: its threshold beside the nmol/L one only.
    assert re.findall(r"[\d.]+ ng/mL", row) == ["30 ng/mL"]
    assert "VITAMIN_D_INSUFFICIENT" in _open_codes(patient)
    from monitoring.assessment.history_document import history_from_records
    from monitoring.records.selectors import patients_with_records

    figure = charts.labs_figure(
        history_from_records(patients_with_records([patient.pk]).get()),
        domain.UnitSystem.CONVENTIONAL,
        as_of=TODAY,
    )
    assert figure is not None
    (trace,) = [t for t in figure["data"] if t["name"].startswith("25-OH vitamin D")]
    assert trace["customdata"] == ["74.9 nmol/L"]
    assert trace["text"] == ["insufficient"]


@pytest.mark.django_db
def test_converted_values_read_as_laboratories_report_them_on_every_page(
    nurse_client: Client, patient: Patient, site: Site
) -> None:
    """nurse14 #6: 112 ng/mL reads 280 nmol/L, not 279.55, in the table, the alert, the
    recommendation, the printout and the doctor's letter."""
    Site.objects.filter(pk=site.pk).update(lab_units=LabUnits.SI)
    _vitamin_d(nurse_client, patient, "112", "ng/mL")
    assert "VITAMIN_D_HIGH" in _open_codes(patient)
    for url in (
        reverse("monitoring:patient", args=[patient.pk]),
        reverse("monitoring:patient_summary", args=[patient.pk]),
        reverse("monitoring:letter", args=[patient.pk, "doctor"]),
    ):
        text = visible_text(nurse_client.get(url).text)
        assert "279.5" not in text, url
        assert "25-OH vitamin D 280 nmol/L on" in text, url


@pytest.mark.django_db
def test_a_typed_total_calcium_reads_as_typed(
    nurse_client: Client, patient: Patient, site: Site
) -> None:
    """nurse14 #6: a total calcium typed as 9.1 mg/dL read "9.10" in the save message."""
    url = reverse("monitoring:labs_create", args=[patient.pk])
    data = {
        "sample_date": SAMPLED,
        "calcium_value": "",
        "calcium_unit": "mg/dL",
        "total_calcium": "9.1",
        "total_calcium_unit": "mg/dL",
        "albumin": "3.2",
        "albumin_unit": "g/dL",
    }
    response = nurse_client.post(url, data, follow=True)
    text = visible_text(response.text)
    assert "Calcium stored: 9.74 mg/dL (adjusted from total 9.1, albumin 3.2 g/dL)." in text
    lab = LabResult.objects.get(patient=patient)
    assert (lab.entered_value, lab.total_calcium) == (Decimal("9.74"), Decimal("9.1"))
