"""phys10 F5: a result a hair over a threshold, typed in another unit than the rules compare in.
Through the lab form, every threshold the patient page writes in that unit (labs flag, chart line,
alert and recommendation texts) agrees with the flag the rules gave (vitamin D in nmol/L: the
numbers clinicians know, 50 and 75, phys13 #15a); a value with more decimals than the rules judge
is refused next to its field, as typed."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import LabUnits, Site
from monitoring.models import BoneTherapyCourse, LabResult
from patients.models import Patient
from tests.html_forms import posted_data

pytestmark = pytest.mark.django_db
SAMPLED = (timezone.localdate() - dt.timedelta(days=3)).isoformat()
# A threshold the page writes in a unit: "below 50 nmol/L", "(< 75 nmol/L", ">= 75 ...".
_THRESHOLD = r"(?:below|&lt;|&gt;=|<|>=) (\d+(?:\.\d+)?) {unit}"


def _enter(client: Client, patient: Patient, analyte: str, value: str, unit: str) -> None:
    url = reverse("monitoring:labs_create", args=[patient.pk])
    data = {"sample_date": SAMPLED, f"{analyte}_value": value, f"{analyte}_unit": unit}
    if analyte == "ctx":  # a CTX is saved only with its fasting question answered
        data["fasting"] = "yes"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors


def _page(client: Client, patient: Patient) -> str:
    return client.get(reverse("monitoring:patient", args=[patient.pk])).text


def _flag_of(page: str, shown: str) -> str | None:
    """The flag word of the labs row showing `shown` ("49.95 nmol/L"), None when unflagged."""
    table = page.split('class="table table-sm labs-table', 1)[1].split("</table>", 1)[0]
    row = next(r for r in table.split("<tr") if f">{shown}</span>" in r)
    found = re.search(r'<span aria-hidden="true">[^<]*</span> (\w+)</span>', row)
    return found.group(1) if found else None


def _thresholds(page: str, unit: str) -> set[Decimal]:
    return {Decimal(x) for x in re.findall(_THRESHOLD.format(unit=re.escape(unit)), page)}


@pytest.mark.parametrize(
    ("typed", "flag"),
    [
        ("49.95", "deficient"),
        ("74.9", "insufficient"),
        ("49.9", "deficient"),
        ("74.86", "insufficient"),
        ("50", "insufficient"),
        ("75", None),
    ],
)
def test_vitamin_d_in_nmol_reads_the_thresholds_clinicians_know(
    physician_client: Client, patient: Patient, site: Site, typed: str, flag: str | None
) -> None:
    """phys13 #15a: 50 and 75 nmol/L, the numbers of the rules' source, with their ng/mL beside
    them; the flag is the rules', judged in nmol/L against them (nurse14 #3: 49.95 nmol/L is
    20.01 ng/mL, but below 50 nmol/L: deficient). A threshold is written beside a flag only when
    the result is below it."""
    Site.objects.filter(pk=site.pk).update(lab_units=LabUnits.SI)
    _enter(physician_client, patient, "vitamin_d_25oh", typed, "nmol/L")
    page = _page(physician_client, patient)
    assert _flag_of(page, f"{typed} nmol/L") == flag
    written = _thresholds(page, "nmol/L")
    # The deficient line is always drawn; no threshold is written with the conversion's decimals.
    assert Decimal(50) in written
    assert written <= {Decimal(50), Decimal(75)}
    assert "below 50 nmol/L (20 ng/mL): deficient" in page  # the chart's line
    if flag == "insufficient":
        assert "is insufficient (&lt; 75 nmol/L, 30 ng/mL)" in page
        assert "below 75 nmol/L (30 ng/mL)</span>" in page
    if flag == "deficient":
        assert "is deficient (&lt; 50 nmol/L, 20 ng/mL)" in page
    for decimals in ("49.91", "74.87", "49.92", "74.88"):
        assert f"below {decimals} nmol/L" not in page
        assert f"&lt; {decimals} nmol/L" not in page


@pytest.mark.parametrize(("typed", "flag"), [("8.49", None), ("8.48", None), ("8.47", "low")])
def test_calcium_in_mg_per_dl_reads_its_threshold_where_the_rules_flag(
    physician_client: Client,
    physician: object,
    patient: Patient,
    site: Site,
    typed: str,
    flag: str | None,
) -> None:
    """8.49 mg/dL is 2.12 mmol/L as the rules round it: not low, so denosumab's calcium check
    passes; the conventional site's page says low below 8.48 mg/dL, not 8.5."""
    Site.objects.filter(pk=site.pk).update(lab_units=LabUnits.CONVENTIONAL)
    BoneTherapyCourse.objects.create(
        patient=patient,
        drug="denosumab",
        start_date=timezone.localdate() + dt.timedelta(days=7),
        entered_by=physician,
    )
    _enter(physician_client, patient, "calcium", typed, "mg/dL")
    page = _page(physician_client, patient)
    assert _flag_of(page, f"{typed} mg/dL") == flag
    assert _thresholds(page, "mg/dL") == {Decimal("8.48")}
    assert "below 8.48 mg/dL (2.12 mmol/L): low" in page
    assert ("(&lt; 8.48 mg/dL, 2.12 mmol/L): do not give denosumab" in page) is (flag == "low")
    assert "8.5 mg/dL" not in page


@pytest.mark.parametrize(
    ("analyte", "typed", "unit"),
    [
        ("vitamin_d_25oh", "19.995", "ng/mL"),
        ("vitamin_d_25oh", "49.908", "nmol/L"),
        ("calcium", "8.477", "mg/dL"),
        ("calcium", "2.115", "mmol/L"),
        ("egfr", "34.995", "mL/min/1.73m2"),
    ],
)
def test_a_third_decimal_of_a_judged_result_is_refused_as_typed(
    nurse_client: Client, patient: Patient, analyte: str, typed: str, unit: str
) -> None:
    """19.995 ng/mL would be judged 20.00, not deficient, under every "below 20 ng/mL"."""
    url = reverse("monitoring:labs_create", args=[patient.pk])
    data = {"sample_date": SAMPLED, f"{analyte}_value": typed, f"{analyte}_unit": unit}
    response = nurse_client.post(url, data)
    assert response.status_code == 200
    errors = response.context["form"].errors[f"{analyte}_value"]
    assert errors[0].startswith("Enter at most 2 decimals")
    assert f'value="{typed}"' in response.text
    assert not LabResult.objects.filter(patient=patient).exists()


def test_a_correction_to_a_third_decimal_is_refused_too(
    nurse_client: Client, patient: Patient
) -> None:
    _enter(nurse_client, patient, "vitamin_d_25oh", "25", "ng/mL")
    lab = LabResult.objects.get(patient=patient)
    url = reverse("monitoring:lab_update", args=[patient.pk, lab.pk])
    data = posted_data(nurse_client.get(url).text, having="version") | {"value": "19.995"}
    response = nurse_client.post(url, data)
    assert response.context["form"].errors["value"][0].startswith("Enter at most 2 decimals")
    lab.refresh_from_db()
    assert lab.entered_value == Decimal(25)


@pytest.mark.parametrize(("typed", "unit"), [("20.000", "ng/mL"), ("0.345", "ng/mL")])
def test_trailing_zeros_and_unjudged_results_keep_three_decimals(
    nurse_client: Client, patient: Patient, typed: str, unit: str
) -> None:
    analyte = "vitamin_d_25oh" if typed == "20.000" else "ctx"
    _enter(nurse_client, patient, analyte, typed, unit)
    assert LabResult.objects.get(patient=patient).entered_value == Decimal(typed)
