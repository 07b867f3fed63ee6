"""nurse12 F12: a CTX imported with an empty fasting column was stored, and shown, as "Fasting:
No", a fact nobody entered. The lab form asks the question and refuses a CTX without an answer;
the import's preview does the same, as a problem of that row, and nothing is written."""

from typing import Any

import pytest
from django.test import Client

from monitoring.models import LabResult
from patients.models import Patient
from tests.monitoring.imports.helpers import results_csv, snapshot
from tests.monitoring.imports.test_nurse11_import_messages import _confirm, _upload

pytestmark = pytest.mark.django_db


def _ctx(fasting: str) -> list[dict[str, Any]]:
    return [
        {"mrn": "A1001", "date": "2025-03-02", "measure": "ctx", "value": "0.3", "unit": "ng/mL",
         "fasting": fasting},
    ]  # fmt: skip


def test_a_ctx_without_a_fasting_answer_is_a_problem_of_its_row(
    nurse_client: Client, patient: Patient
) -> None:
    before = snapshot()
    preview = _upload(nurse_client, results_csv(_ctx("")))
    page = preview.content.decode()
    assert "This file is refused: nothing will be saved." in page
    assert "<td>fasting</td>" in page.replace(" ", "")
    assert "say whether the CTX sample was a fasting morning sample: yes, or no" in page
    assert snapshot()[:3] == before[:3]
    assert not LabResult.objects.filter(patient=patient).exists()


@pytest.mark.parametrize(
    ("answer", "fasting"), [("yes", True), ("no", False), ("not known", False)]
)
def test_an_answered_ctx_is_stored_as_answered(
    nurse_client: Client, patient: Patient, answer: str, fasting: bool
) -> None:
    preview = _upload(nurse_client, results_csv(_ctx(answer)))
    assert "Confirming will add" in preview.content.decode()
    _confirm(nurse_client, preview)
    assert LabResult.objects.get(patient=patient, analyte="ctx").fasting is fasting


def test_other_analytes_need_no_fasting_answer(nurse_client: Client, patient: Patient) -> None:
    rows = [{"mrn": "A1001", "date": "2025-03-02", "measure": "p1np", "value": "45",
             "unit": "ng/mL"}]  # fmt: skip
    _confirm(nurse_client, _upload(nurse_client, results_csv(rows)))
    assert LabResult.objects.get(patient=patient, analyte="p1np").fasting is False
