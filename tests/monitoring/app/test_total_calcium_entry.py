"""A calcium entered as total calcium with its albumin (nurse13 #3): the lab forms work out the
albumin-adjusted calcium (Payne 1973), store it as the calcium result the rules judge, keep the
total and the albumin beside it, and refuse every incomplete or contradictory entry next to its box,
saving nothing."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import LabUnits
from monitoring.domain.calcium_adjustment import adjusted_calcium
from monitoring.models import LabResult
from monitoring.records.forms import calcium
from monitoring.records.imports.results_csv import TOTAL_CALCIUM_REFUSED, results_read
from patients.models import Patient
from tests.factories import LabResultFactory
from tests.html_forms import page_text, posted_data
from tests.record_edits import audit_writes

pytestmark = pytest.mark.django_db
SAMPLED = (timezone.localdate() - timedelta(days=3)).isoformat()
TOTAL_2_10 = {"total_calcium": "2.10", "total_calcium_unit": "mmol/L"}
ALBUMIN_30 = {"albumin": "30", "albumin_unit": "g/L"}
CALCIUM_2_35 = {
    "analyte": "calcium",
    "value": 2.35,
    "entered_value": 2.35,
    "entered_unit": "mmol/L",
}


def _new(client: Client, patient: Patient, typed: dict[str, str]) -> object:
    url = reverse("monitoring:labs_create", args=[patient.pk])
    data = posted_data(client.get(url).text, having="sample_date")
    return client.post(url, {**data, "sample_date": SAMPLED, **typed}, follow=True)


@pytest.mark.parametrize(
    ("total", "unit", "albumin", "albumin_unit", "adjusted"),
    [
        ("2.10", "mmol/L", "30", "g/L", "2.30"),  # the report's example: normal, not low
        ("2.40", "mmol/L", "45", "g/L", "2.30"),  # a high albumin adjusts down
        ("2.10", "mmol/L", "3.0", "g/dL", "2.30"),  # albumin in g/dL: the same sample
        ("2.05", "mmol/L", "32.3", "g/L", "2.20"),  # 2.204 rounded to 0.01, as the rules round
        ("8.4", "mg/dL", "3.0", "g/dL", "9.20"),  # conventional: + 0.8 x (4.0 - 3.0)
        ("8.4", "mg/dL", "30", "g/L", "9.20"),
    ],
)
def test_the_formula(total: str, unit: str, albumin: str, albumin_unit: str, adjusted: str) -> None:
    worked_out = adjusted_calcium(Decimal(total), unit, Decimal(albumin), albumin_unit)
    assert str(worked_out) == adjusted


def test_total_and_albumin_store_the_adjusted_calcium(
    nurse_client: Client, patient: Patient
) -> None:
    response = _new(nurse_client, patient, {**TOTAL_2_10, **ALBUMIN_30})
    lab = LabResult.objects.get(patient=patient)
    assert (lab.analyte, lab.entered_value, lab.entered_unit) == (
        "calcium",
        Decimal("2.3"),
        "mmol/L",
    )
    assert lab.value == Decimal("2.3")  # the canonical value the rules judge
    assert (lab.total_calcium, lab.albumin, lab.albumin_unit) == (
        Decimal("2.1"),
        Decimal(30),
        "g/L",
    )
    text = " ".join(response.text.split())  # type: ignore[attr-defined]
    assert "Calcium stored: 2.30 mmol/L (adjusted from total 2.1, albumin 30 g/L)." in text
    page = page_text(nurse_client, reverse("monitoring:patient", args=[patient.pk]))
    cell = page.split('<span class="lab-value"', 1)[1].split("</td>", 1)[0]
    assert " ".join(re.sub("<[^>]+>", " ", cell.split(">", 1)[1]).split()) == (
        "2.30 mmol/L (adjusted from total 2.1, albumin 30 g/L)"
    )
    assert "Low calcium" not in page  # 2.10 typed as adjusted would have raised it


def test_an_adjusted_calcium_is_stored_as_typed(nurse_client: Client, patient: Patient) -> None:
    _new(nurse_client, patient, {"calcium_value": "2.35", "calcium_unit": "mmol/L"})
    lab = LabResult.objects.get(patient=patient)
    assert (lab.entered_value, lab.total_calcium, lab.albumin, lab.albumin_unit) == (
        Decimal("2.35"),
        None,
        None,
        "",
    )


@pytest.mark.parametrize(
    ("typed", "field", "message"),
    [
        ({**ALBUMIN_30}, "albumin", calcium.ALBUMIN_WITHOUT_TOTAL),
        ({**TOTAL_2_10, "albumin_unit": "g/L"}, "albumin", calcium.TOTAL_WITHOUT_ALBUMIN),
        (
            {"calcium_value": "2.30", "calcium_unit": "mmol/L", **TOTAL_2_10, **ALBUMIN_30},
            "total_calcium",
            calcium.BOTH_GIVEN,
        ),
        (
            {**TOTAL_2_10, "albumin": "3.0", "albumin_unit": "g/L"},  # g/dL typed as g/L
            "albumin",
            "3.0 g/L is outside the plausible range (10 to 60 g/L). Check the value and the unit.",
        ),
        (
            {**TOTAL_2_10, "albumin": "30", "albumin_unit": "g/dL"},
            "albumin",
            "30 g/dL is outside the plausible range (1 to 6 g/dL). Check the value and the unit.",
        ),
        ({**TOTAL_2_10, "albumin": "30", "albumin_unit": ""}, "albumin_unit", calcium.UNIT_NEEDED),
        (
            {"total_calcium": "2.10", "total_calcium_unit": "", **ALBUMIN_30},
            "total_calcium_unit",
            calcium.UNIT_NEEDED,
        ),
        (
            {"total_calcium": "2.10", "total_calcium_unit": "mg/dL", **ALBUMIN_30},  # mmol/L
            "total_calcium",
            "2.10 mg/dL is outside the plausible range (4 to 20 mg/dL). Check the value and "
            "the unit.",
        ),
        (
            {**TOTAL_2_10, "albumin": "30", "albumin_unit": "mmol/L"},  # not a choice
            "albumin_unit",
            "Select a valid choice. mmol/L is not one of the available choices.",
        ),
        (
            {"total_calcium": "2.105", "total_calcium_unit": "mmol/L", **ALBUMIN_30},
            "total_calcium",
            "Enter at most 2 decimals: the rules round this result to 0.01 before comparing it "
            "with its thresholds, so a further decimal would not be judged as typed.",
        ),
    ],
)
def test_bad_entries_are_refused_beside_their_box(
    nurse_client: Client, patient: Patient, typed: dict[str, str], field: str, message: str
) -> None:
    writes = audit_writes()
    # With another result of the same sample: nothing is saved half-way.
    response = _new(nurse_client, patient, {"egfr_value": "80", **typed})
    form = response.context["form"]  # type: ignore[attr-defined]
    assert form.errors[field] == [message]
    assert not LabResult.objects.exists()
    assert audit_writes() == writes
    shown = posted_data(response.text, having="sample_date")  # type: ignore[attr-defined]
    for name, value in typed.items():
        if (name, value) == ("albumin_unit", "mmol/L"):
            continue  # a unit not offered cannot be shown chosen
        assert shown[name] == value, name  # what was typed is kept


def test_the_labels_say_which_value_goes_where(nurse_client: Client, patient: Patient) -> None:
    text = page_text(nurse_client, reverse("monitoring:labs_create", args=[patient.pk]))
    for words in (
        calcium.ADJUSTED_LABEL,
        calcium.ADJUSTED_HELP,
        "Total calcium (not adjusted)",
        "Albumin (same sample)",
        "total calcium + 0.02 x (40 - albumin in g/L) in mmol/L, or + 0.8 x (4.0 - albumin in "
        "g/dL) in mg/dL (Payne 1973)",
        calcium.PREVIEW_BLANK,
    ):
        assert words in text


def test_a_conventional_site_offers_mg_dl_and_g_dl(nurse_client: Client, patient: Patient) -> None:
    patient.site.lab_units = LabUnits.CONVENTIONAL
    patient.site.save()
    url = reverse("monitoring:labs_create", args=[patient.pk])
    data = posted_data(nurse_client.get(url).text, having="sample_date")
    assert (data["total_calcium_unit"], data["albumin_unit"]) == ("mg/dL", "g/dL")
    _new(nurse_client, patient, {"total_calcium": "8.4", "albumin": "3.0"})
    lab = LabResult.objects.get()
    assert (lab.entered_value, lab.entered_unit, lab.albumin_unit) == (
        Decimal("9.2"),
        "mg/dL",
        "g/dL",
    )


def _edit(client: Client, lab: LabResult, typed: dict[str, str]) -> object:
    url = reverse("monitoring:lab_update", args=[lab.patient_id, lab.pk])
    return client.post(url, posted_data(client.get(url).text, having="version") | typed)


def test_a_worked_out_calcium_edited_unchanged_stays_as_it_was(
    nurse_client: Client, patient: Patient
) -> None:
    _new(nurse_client, patient, {**TOTAL_2_10, **ALBUMIN_30})
    lab = LabResult.objects.get()
    url = reverse("monitoring:lab_update", args=[patient.pk, lab.pk])
    data = posted_data(nurse_client.get(url).text, having="version")
    assert (data["value"], data["total_calcium"], data["albumin"]) == ("", "2.1", "30")
    writes = audit_writes()
    nurse_client.post(url, data)
    lab.refresh_from_db()
    assert (lab.version, lab.entered_value, lab.total_calcium) == (
        1,
        Decimal("2.3"),
        Decimal("2.1"),
    )
    assert audit_writes() == writes


def test_a_correction_of_the_albumin_works_the_calcium_out_again(
    nurse_client: Client, patient: Patient
) -> None:
    _new(nurse_client, patient, {**TOTAL_2_10, **ALBUMIN_30})
    lab = LabResult.objects.get()
    _edit(nurse_client, lab, {"albumin": "35"})
    lab.refresh_from_db()
    assert (lab.version, lab.entered_value, lab.value, lab.albumin) == (
        2,
        Decimal("2.2"),
        Decimal("2.2"),
        Decimal(35),
    )
    # The laboratory's own adjusted value replaces it: the total and albumin go.
    _edit(nurse_client, lab, {"value": "2.25", "total_calcium": "", "albumin": ""})
    lab.refresh_from_db()
    assert (lab.entered_value, lab.total_calcium, lab.albumin, lab.albumin_unit) == (
        Decimal("2.25"),
        None,
        None,
        "",
    )


def test_a_correction_giving_both_is_refused(nurse_client: Client, patient: Patient) -> None:
    lab = LabResultFactory(patient=patient, **CALCIUM_2_35)
    response = _edit(nurse_client, lab, {**TOTAL_2_10, **ALBUMIN_30})
    assert response.context["form"].errors["total_calcium"] == [calcium.BOTH_GIVEN]  # type: ignore[attr-defined]
    response = _edit(nurse_client, lab, {"value": ""})
    assert response.context["form"].errors["value"] == [calcium.VALUE_NEEDED]  # type: ignore[attr-defined]
    lab.refresh_from_db()
    assert (lab.version, lab.entered_value, lab.total_calcium) == (1, Decimal("2.35"), None)


def test_the_database_keeps_total_and_albumin_together_on_a_calcium(patient: Patient) -> None:
    for values in (
        {**CALCIUM_2_35, "total_calcium": Decimal("2.1")},
        {
            **CALCIUM_2_35,
            "analyte": "egfr",
            "total_calcium": 2.1,
            "albumin": 30,
            "albumin_unit": "g/L",
        },
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            LabResultFactory(patient=patient, **values)


def test_the_results_csv_says_it_takes_the_adjusted_calcium() -> None:
    readings, problems = results_read(
        "mrn,date,measure,value,unit\n"
        "A1001,2026-01-05,total_calcium,2.10,mmol/L\n"
        "A1001,2026-01-05,albumin,30,g/L\n"
    )
    assert not readings
    assert [(p.row, p.column) for p in problems] == [(2, "measure"), (3, "measure")]
    assert all(TOTAL_CALCIUM_REFUSED in p.message for p in problems)
