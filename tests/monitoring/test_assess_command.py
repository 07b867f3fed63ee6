"""`manage.py assess` wraps the domain CLI: JSON out, exit 2 with one line on bad input."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.monitoring.domain.test_vignettes import VIGNETTES


def test_prints_the_assessment_for_a_vignette_without_touching_the_database() -> None:
    # No django_db mark: any database access would fail the test.
    history = VIGNETTES / "15-significant-loss-not-rapid.history.json"
    out = StringIO()
    call_command("assess", str(history), stdout=out)
    data = json.loads(out.getvalue())
    assert data["as_of"] == "2025-06-01"
    assert data["risk_category"] == "moderate"
    assert out.getvalue().endswith("}\n")


def test_as_of_overrides_the_file(tmp_path: Path) -> None:
    history = tmp_path / "h.json"
    history.write_text(
        json.dumps(
            {"as_of": "2025-01-01", "patient": {"mrn": "X", "sex": "F", "birth_date": "1950-01-01"}}
        )
    )
    out = StringIO()
    call_command("assess", str(history), "--as-of", "2026-02-03", stdout=out)
    assert json.loads(out.getvalue())["as_of"] == "2026-02-03"


def test_bad_input_exits_2_with_one_line_naming_the_field(tmp_path: Path) -> None:
    history = tmp_path / "bad.json"
    history.write_text('{"patient": {"mrn": "X", "sex": "F", "birth_date": "1950-02-30"}}')
    err = StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("assess", str(history), stdout=StringIO(), stderr=err)
    assert exit_info.value.code == 2
    lines = err.getvalue().strip().splitlines()
    assert len(lines) == 1
    assert "patient.birth_date" in lines[0]
