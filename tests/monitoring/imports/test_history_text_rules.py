"""A history file's text fields follow the rules of the forms that write the same columns (sec12
#1): a name with a right-to-left override showed as another patient's name, and tabs, line
breaks, zero-width spaces, DEL and C1 controls were imported though the patient form refuses
them. The preview names the path of each problem; nothing is imported, by the upload page or by
`import_history`."""

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from bonehealth.accounts.models import Site, User
from patients.models import Patient
from tests.monitoring.imports.helpers import snapshot
from tests.monitoring.imports.test_nurse11_import_messages import _confirm, _upload

pytestmark = pytest.mark.django_db

REFUSED_NAMES = [
    "\u202eeuD bamusoneD omeD",  # right-to-left override: reads "Demo Denosumab Due"
    "Tab\there",
    "New\nline",
    "Line\u2028separator",
    "Zero\u200bwidth",
    "Del\u007fete",
    "Nel\u0085line",
]


def _history(**patient: Any) -> dict[str, Any]:
    return {
        "patient": {"mrn": "SPOOF-1", "sex": "F", "birth_date": "1964-12-22", **patient},
        "aromatase_inhibitors": [{"drug": "anastrozole", "start_date": "2024-01-15"}],
    }


def _state() -> tuple[Any, ...]:
    return (*snapshot(), Patient.objects.count())


@pytest.mark.parametrize("name", REFUSED_NAMES)
def test_the_upload_refuses_a_name_the_patient_form_refuses(
    nurse_client: Client, site: Site, name: str
) -> None:
    before = _state()
    preview = _upload(
        nurse_client, json.dumps(_history(name=name)), kind="history_json", site=site.pk
    )
    text = preview.content.decode()
    assert "patient.name: Write the name on one line, without tabs or invisible characters." in text
    _confirm(nurse_client, preview)
    assert _state() == before
    assert not Patient.objects.filter(mrn="SPOOF-1").exists()


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"patient": {"mrn": "A\u202e1"}}, "patient.mrn: Use letters, digits"),
        (
            {"aromatase_inhibitors": [{"drug": "anastrozole", "start_date": "2024-01-15",
              "stop_date": "2024-06-01", "stop_reason": "side\u202eeffects"}]},
            "aromatase_inhibitors[0].stop_reason: write it on one line",
        ),
        ({"plan": {"next_dexa_due": "2026-01-15", "reason": "as\u200bplanned"}},
         "plan.reason: write it on one line"),
    ],
)  # fmt: skip
def test_the_import_refuses_other_text_the_forms_refuse(
    physician: User,
    site: Site,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    change: dict[str, Any],
    problem: str,
) -> None:
    history = _history(name="Ada Example")
    for key, value in change.items():
        history[key] = {**history[key], **value} if key == "patient" else value
    path = tmp_path / "history.json"
    path.write_text(json.dumps(history))
    before = _state()
    with pytest.raises(SystemExit) as failed:
        call_command("import_history", str(path), "--site", site.code, "--actor", "physician")
    assert failed.value.code == 2
    assert _state() == before
    assert problem in capsys.readouterr().err


def test_the_problem_lines_name_each_path() -> None:
    from monitoring import domain
    from monitoring.records.history_text import history_cleaned, text_problems

    history = _history(name="Zero\u200bwidth", mrn=" a\tb ")
    history["bone_therapy"] = [
        {"drug": "denosumab", "dose": "60\tmg", "stop_reason": "ok", "start_date": "2024-02-01"}
    ]
    parsed = history_cleaned(domain.parse_history(history))
    assert parsed.patient.mrn == "A\tB"
    assert text_problems(parsed) == [
        "patient.mrn: Use letters, digits and . / _ - only, starting with a letter or digit.",
        "patient.name: Write the name on one line, without tabs or invisible characters.",
        "bone_therapy[0].dose: write it on one line, without tabs or invisible characters",
    ]


def test_a_clean_name_and_a_lowercase_mrn_import_as_the_form_stores_them(
    nurse: User, site: Site
) -> None:
    from monitoring.records.history_import import history_import

    history_import(data=_history(name="  Ada Example ", mrn=" spoof-1 "), site=site, actor=nurse)
    stored = Patient.objects.get()
    assert (stored.mrn, stored.name) == ("SPOOF-1", "Ada Example")
