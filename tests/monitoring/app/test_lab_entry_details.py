"""Lab entry as a clinician found it: a value posted without its unit refused, implausible values
refused, a fasting tick never dropped in silence, an edit saved unchanged says nothing changed."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from monitoring.models import LabResult
from patients.models import Patient
from tests.factories import LabResultFactory
from tests.html_forms import posted_data

pytestmark = pytest.mark.django_db
SAMPLED = (timezone.localdate() - timedelta(days=3)).isoformat()


def test_a_value_without_its_unit_is_refused_next_to_the_unit(
    nurse_client: Client, patient: Patient
) -> None:
    url = reverse("monitoring:labs_create", args=[patient.pk])
    response = nurse_client.post(url, {"sample_date": SAMPLED, "vitamin_d_25oh_value": "50"})
    assert response.status_code == 200
    assert response.context["form"].errors["vitamin_d_25oh_unit"] == [
        "Choose the unit of this result."
    ]
    assert 'value="50"' in response.text  # what was typed is kept
    assert not LabResult.objects.filter(patient=patient).exists()


@pytest.mark.parametrize(
    ("analyte", "value", "unit"),
    [
        ("vitamin_d_25oh", "0", "ng/mL"),
        ("calcium", "2.3", "mg/dL"),  # 0.57 mmol/L: the unit, not the patient
        ("creatinine", "2.5", "µmol/L"),
    ],
)
def test_values_no_patient_has_are_refused(
    nurse_client: Client, patient: Patient, analyte: str, value: str, unit: str
) -> None:
    url = reverse("monitoring:labs_create", args=[patient.pk])
    data = {"sample_date": SAMPLED, f"{analyte}_value": value, f"{analyte}_unit": unit}
    response = nurse_client.post(url, data)
    assert "outside the plausible range" in response.context["form"].errors[f"{analyte}_value"][0]
    assert not LabResult.objects.filter(patient=patient).exists()


def test_fasting_on_a_result_other_than_ctx_is_refused_not_dropped(
    nurse_client: Client, patient: Patient
) -> None:
    lab = LabResultFactory(
        patient=patient, analyte="creatinine", value=70, entered_value=70, entered_unit="µmol/L"
    )
    url = reverse("monitoring:lab_update", args=[patient.pk, lab.pk])
    data = posted_data(nurse_client.get(url).text, having="version") | {"fasting": "on"}
    response = nurse_client.post(url, data)
    assert response.context["form"].errors["fasting"] == [
        "Only a CTX result records a fasting sample."
    ]
    lab.refresh_from_db()
    assert lab.fasting is False


def test_an_edit_saved_as_opened_says_nothing_changed(
    nurse_client: Client, patient: Patient
) -> None:
    lab = LabResultFactory(patient=patient, value=Decimal(35), entered_value=Decimal(35))
    url = reverse("monitoring:lab_update", args=[patient.pk, lab.pk])
    data = posted_data(nurse_client.get(url).text, having="version")
    response = nurse_client.post(url, data, follow=True)
    assert "Nothing was changed: the record is as it was." in response.text
    assert "Result corrected" not in response.text
    changed = posted_data(nurse_client.get(url).text, having="version") | {"value": "36"}
    response = nurse_client.post(url, changed, follow=True)
    assert "Result corrected; the assessment is updated." in response.text
    lab.refresh_from_db()
    assert lab.entered_value == Decimal(36)


def test_a_low_value_stored_before_the_entry_floor_still_reads_for_the_rules(
    patient: Patient,
) -> None:
    # The floor is for new entries only: a record saved earlier keeps its assessment.
    from monitoring.assessment.history_document import history_from_records
    from monitoring.records.selectors import patient_with_records

    LabResultFactory(patient=patient, value=Decimal("0.5"), entered_value=Decimal("0.5"))
    history = history_from_records(patient_with_records(patient.pk))
    assert [lab.value for lab in history.labs] == [Decimal("0.5")]


def test_an_edited_calcium_in_mg_dl_is_told_its_range_in_mg_dl(
    nurse_client: Client, patient: Patient
) -> None:
    # A tester typed 30 on a calcium entered in mg/dL and read "(1.0 to 5 mmol/L)".
    lab = LabResultFactory(
        patient=patient,
        analyte="calcium",
        value=Decimal("2.35"),
        entered_value=Decimal("9.4"),
        entered_unit="mg/dL",
    )
    url = reverse("monitoring:lab_update", args=[patient.pk, lab.pk])
    data = posted_data(nurse_client.get(url).text, having="version") | {"value": "30"}
    response = nurse_client.post(url, data)
    [error] = response.context["form"].errors["value"]
    assert "30 mg/dL is outside the plausible range (4 to 20 mg/dL)" in error
    assert "mmol/L" not in error
    assert 'value="30"' in response.text  # what was typed is kept
    lab.refresh_from_db()
    assert (lab.entered_value, lab.value) == (Decimal("9.4"), Decimal("2.35"))


@pytest.mark.parametrize(
    ("analyte", "value", "unit", "shown"),
    [
        ("vitamin_d_25oh", "900", "nmol/L", "(2.5 to 740 nmol/L)"),
        ("vitamin_d_25oh", "301", "ng/mL", "(1 to 300 ng/mL)"),
        ("creatinine", "50", "mg/dL", "(0.11 to 33 mg/dL)"),
        ("calcium", "2.3", "mg/dL", "(4 to 20 mg/dL)"),
    ],
)
def test_a_new_result_is_told_its_range_in_the_unit_typed(
    nurse_client: Client, patient: Patient, analyte: str, value: str, unit: str, shown: str
) -> None:
    url = reverse("monitoring:labs_create", args=[patient.pk])
    data = {"sample_date": SAMPLED, f"{analyte}_value": value, f"{analyte}_unit": unit}
    response = nurse_client.post(url, data)
    [error] = response.context["form"].errors[f"{analyte}_value"]
    assert f"{value} {unit} is outside the plausible range {shown}" in error
    assert not LabResult.objects.filter(patient=patient).exists()


@pytest.mark.parametrize(("value", "refused"), [("250", True), ("201", True), ("200", False)])
def test_an_egfr_above_200_is_refused(
    nurse_client: Client, patient: Patient, value: str, refused: bool
) -> None:
    url = reverse("monitoring:labs_create", args=[patient.pk])
    data = {"sample_date": SAMPLED, "egfr_value": value, "egfr_unit": "mL/min/1.73m2"}
    response = nurse_client.post(url, data)
    if refused:
        [error] = response.context["form"].errors["egfr_value"]
        assert "(1 to 200 mL/min/1.73m2)" in error
    assert LabResult.objects.filter(patient=patient).exists() is not refused


def test_a_converted_bound_is_round_and_never_contradicts_the_refusal() -> None:
    """nurse13 #9: "outside the plausible range (4.01 to 20 mg/dL)". The range of a converted
    unit is round (4 to 20 mg/dL for 1 to 5 mmol/L) and the value is judged against it as shown:
    a refused value lies outside it, an accepted one inside."""
    from monitoring.records.lab_bounds import entry_range_missed

    for value in ("3.99", "3.995", "20.01", "20.1"):
        missed = entry_range_missed("calcium", Decimal(value), "mg/dL")
        assert missed == (Decimal(4), Decimal(20), "mg/dL"), value
        assert str(missed[0]) == "4"
    for value in ("4", "4.0", "9.4", "20"):
        assert entry_range_missed("calcium", Decimal(value), "mg/dL") is None, value
    # 300 ng/mL is 748.8 nmol/L: the nearest round 750 would store a value the rules do not read.
    assert entry_range_missed("vitamin_d_25oh", Decimal(745), "nmol/L") == (
        Decimal("2.5"),
        Decimal(740),
        "nmol/L",
    )


def test_the_form_shows_round_bounds(nurse_client: Client, patient: Patient) -> None:
    url = reverse("monitoring:labs_create", args=[patient.pk])
    data = {"sample_date": SAMPLED, "calcium_value": "21", "calcium_unit": "mg/dL"}
    [error] = nurse_client.post(url, data).context["form"].errors["calcium_value"]
    assert error.startswith("21 mg/dL is outside the plausible range (4 to 20 mg/dL).")
    assert not LabResult.objects.filter(patient=patient).exists()
