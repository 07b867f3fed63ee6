"""`cli.main`, the code behind `manage.py assess FILE|- [--as-of DATE]`."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

from monitoring.domain.cli import main

TODAY = dt.date(2030, 1, 1)

HISTORY = {
    "as_of": "2025-06-01",
    "patient": {"mrn": "C1", "sex": "F", "birth_date": "1960-01-01"},
    "dexa_scans": [
        {
            "date": "2025-05-01",
            "scanner": "S1",
            "sites": {"lumbar_spine": {"bmd": 0.9, "t_score": -1.2}},
        }
    ],
}


def run(argv: list[str], stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, stdin=io.StringIO(stdin), stdout=out, stderr=err, today=TODAY)
    return code, out.getvalue(), err.getvalue()


def test_file(tmp_path: Path) -> None:
    path = tmp_path / "h.json"
    path.write_text(json.dumps(HISTORY), encoding="utf-8")
    code, out, err = run([str(path)])
    assert (code, err) == (0, "")
    result = json.loads(out)
    assert result["as_of"] == "2025-06-01"
    assert out == json.dumps(result, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_stdin_and_as_of_flag() -> None:
    code, out, _ = run(["-", "--as-of", "2026-01-01"], json.dumps(HISTORY))
    assert code == 0
    assert json.loads(out)["as_of"] == "2026-01-01"


def test_missing_as_of_uses_today() -> None:
    data = {key: value for key, value in HISTORY.items() if key != "as_of"}
    code, out, _ = run(["-"], json.dumps(data))
    assert code == 0
    assert json.loads(out)["as_of"] == TODAY.isoformat()


def test_bad_field_exits_2_with_one_line() -> None:
    bad = json.loads(json.dumps(HISTORY))
    bad["dexa_scans"][0]["sites"]["lumbar_spine"]["bmd"] = 2.5
    code, out, err = run(["-"], json.dumps(bad))
    assert code == 2
    assert out == ""
    assert err == (
        "error: <stdin>: dexa_scans[0].sites.lumbar_spine.bmd: 2.5 is outside 0.2 to 2.0\n"
    )


def test_bad_invocations_exit_2() -> None:
    for argv, stdin in (
        (["-", "--as-of", "tomorrow"], json.dumps(HISTORY)),
        (["/nonexistent/file.json"], ""),
        (["-"], "not json"),
        ([], ""),
    ):
        code, _, err = run(argv, stdin)
        assert code == 2
        assert err.startswith("error: ")
        assert err.count("\n") == 1


def test_stdin_bytes_are_decoded_by_the_parser() -> None:
    """Real standard input has a byte buffer: invalid UTF-8 is one line, not a traceback."""
    out, err = io.StringIO(), io.StringIO()
    stdin = io.TextIOWrapper(io.BytesIO(b'{"patient": "\xff"}'), encoding="utf-8")
    code = main(["-"], stdin=stdin, stdout=out, stderr=err, today=TODAY)
    assert code == 2
    assert (
        err.getvalue()
        == "error: <stdin>: (document): not UTF-8 text (byte 13: invalid start byte)\n"
    )


def test_an_as_of_before_the_birth_date_is_refused() -> None:
    code, out, err = run(["-", "--as-of", "1959-12-31"], json.dumps(HISTORY))
    assert (code, out) == (2, "")
    assert err.startswith("error: <stdin>: --as-of: 1959-12-31 is before the patient's birth date")
    future = json.loads(json.dumps(HISTORY))
    del future["as_of"], future["dexa_scans"]
    future["patient"]["birth_date"] = "2031-01-01"
    code, _, err = run(["-"], json.dumps(future))
    assert code == 2
    assert err == "error: <stdin>: patient.birth_date: 2031-01-01 is after today, 2030-01-01\n"


def test_an_as_of_outside_the_date_range_is_refused() -> None:
    code, _, err = run(["-", "--as-of", "2200-01-01"], json.dumps(HISTORY))
    assert code == 2
    assert err == "error: --as-of: 2200-01-01 is outside 1900-01-01 to 2199-12-31\n"
