"""nurse14 #14: a results CSV's unit in another letter case ("ng/ml", as lab systems export it) is
the accepted unit and is stored as accepted; a unit that is none is still refused, and nothing of
the file is saved. #11: the preview says "(fasting)" of the CTX, not of the whole sample."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from monitoring import domain
from monitoring.models import LabResult
from patients.models import Patient
from tests.html_forms import visible_text
from tests.monitoring.imports.helpers import results_csv, snapshot
from tests.monitoring.imports.test_nurse11_import_messages import _confirm, _upload

pytestmark = pytest.mark.django_db
SAMPLED = timezone.localdate() - timedelta(days=4)


def _row(measure: str, value: str, unit: str, fasting: str = "") -> dict[str, Any]:
    return {
        "mrn": "A1001",
        "date": SAMPLED.isoformat(),
        "measure": measure,
        "value": value,
        "unit": unit,
        "fasting": fasting,
    }


@pytest.mark.parametrize(
    ("typed", "accepted"),
    [
        ("ng/mL", "ng/mL"),
        ("ng/ml", "ng/mL"),
        ("NG/ML", "ng/mL"),
        ("umol/l", "µmol/L"),
        ("UMOL/L", "µmol/L"),
        ("μmol/l", "µmol/L"),
        ("ml/min/1.73m2", "mL/min/1.73m2"),
        ("mg/dl", "mg/dL"),
        ("Nmol Bce/Mmol Creatinine", "nmol BCE/mmol creatinine"),
    ],
)
def test_a_unit_in_any_letter_case_is_the_accepted_unit(typed: str, accepted: str) -> None:
    assert domain.normalize_unit(typed) == accepted


def test_a_unit_that_is_none_is_left_as_typed_to_be_refused() -> None:
    assert domain.normalize_unit("ng/dl") == "ng/dl"
    assert domain.normalize_unit("mmol") == "mmol"


def test_lower_case_units_are_imported_and_stored_as_accepted(
    nurse_client: Client, patient: Patient
) -> None:
    rows = [
        _row("vitamin_d_25oh", "30", "ng/ml"),
        _row("creatinine", "80", "umol/l"),
        _row("egfr", "88", "ml/min/1.73m2"),
    ]
    preview = _upload(nurse_client, results_csv(rows))
    text = visible_text(preview.content.decode())
    assert "Confirming will add" in text
    assert "25-OH vitamin D 30 ng/mL; Creatinine 80 µmol/L; eGFR 88 mL/min/1.73m2" in text
    _confirm(nurse_client, preview)
    stored = {lab.analyte: (lab.entered_value, lab.entered_unit) for lab in LabResult.objects.all()}
    assert stored == {
        "vitamin_d_25oh": (30, "ng/mL"),
        "creatinine": (80, "µmol/L"),
        "egfr": (88, "mL/min/1.73m2"),
    }
    # The same file again (or with the units as accepted) changes nothing.
    before = snapshot()
    again = _upload(nurse_client, results_csv(rows))
    assert "Confirming will add" not in visible_text(again.content.decode())
    assert snapshot() == before


def test_an_unknown_unit_is_still_refused_and_nothing_saved(
    nurse_client: Client, patient: Patient
) -> None:
    before = snapshot()
    rows = [_row("vitamin_d_25oh", "30", "ng/dl"), _row("egfr", "88", "ml/min/1.73m2")]
    preview = _upload(nurse_client, results_csv(rows))
    text = visible_text(preview.content.decode())
    assert "This file is refused: nothing will be saved." in text
    assert "unit 'ng/dl' is not allowed for 25-OH vitamin D (use ng/mL, nmol/L)" in text
    assert snapshot()[:3] == before[:3]
    assert not LabResult.objects.exists()


def test_an_implausible_value_in_a_lower_case_unit_is_said_in_the_accepted_unit(
    nurse_client: Client, patient: Patient
) -> None:
    preview = _upload(nurse_client, results_csv([_row("vitamin_d_25oh", "900", "ng/ml")]))
    text = visible_text(preview.content.decode())
    assert "900 ng/mL is implausible for 25-OH vitamin D" in text
    assert not LabResult.objects.exists()


def test_the_preview_says_fasting_of_the_ctx_only(nurse_client: Client, patient: Patient) -> None:
    rows = [
        _row("vitamin_d_25oh", "52", "nmol/L"),
        _row("egfr", "90", "mL/min/1.73m2"),
        _row("calcium", "2.31", "mmol/L"),
        _row("ctx", "0.31", "ng/mL", fasting="yes"),
    ]
    text = visible_text(_upload(nurse_client, results_csv(rows)).content.decode())
    assert (
        f"Labs {SAMPLED:%Y-%m-%d}: 25-OH vitamin D 52 nmol/L; eGFR 90 mL/min/1.73m2; "
        "Calcium (albumin-adjusted) 2.31 mmol/L; CTX 0.31 ng/mL (fasting)"
    ) in text
    assert f"Labs {SAMPLED:%Y-%m-%d} (fasting)" not in text
    not_fasting = [_row("p1np", "45", "µg/L"), _row("ctx", "0.31", "ng/mL", fasting="no")]
    text = visible_text(_upload(nurse_client, results_csv(not_fasting)).content.decode())
    assert f"Labs {SAMPLED:%Y-%m-%d}: P1NP 45 µg/L; CTX 0.31 ng/mL (not fasting)" in text
    assert not LabResult.objects.exists()  # previews save nothing
