"""Every CSV download starts with a UTF-8 byte-order mark, so Excel reads an accented patient name
("Renée Lefèvre") as written instead of in the machine's legacy code page (issue 17)."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from bonehealth.accounts.models import Site
from bonehealth.csv_safe import BOM, csv_lines
from tests.factories import AromataseInhibitorCourseFactory, PatientFactory
from tests.monitoring.app.overview_data import due

UTF8_BOM = b"\xef\xbb\xbf"
ACCENTED = "Renée Lefèvre"


def _body(response) -> bytes:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return b"".join(response.streaming_content)


def test_the_mark_comes_once_before_the_header() -> None:
    text = "".join(csv_lines(["name"], [[ACCENTED], ["=1"]]))
    assert text == BOM + "name\r\nRenée Lefèvre\r\n'=1\r\n"
    assert "".join(csv_lines(["name"], [])) == BOM + "name\r\n"


@pytest.fixture
def accented(site: Site):  # type: ignore[no-untyped-def]
    patient = PatientFactory(site=site, mrn="E1", name=ACCENTED)
    AromataseInhibitorCourseFactory(patient=patient, start_date=date(2024, 1, 1))
    due(patient, "dexa", in_days=3)
    return patient


@pytest.mark.django_db
@pytest.mark.usefixtures("accented")
def test_worklist_csv_starts_with_the_mark(nurse_client: Client) -> None:
    body = _body(nurse_client.get(reverse("monitoring:worklist_csv")))
    assert body.startswith(UTF8_BOM + b"due,status,")
    assert ACCENTED.encode() in body


@pytest.mark.django_db
@pytest.mark.usefixtures("accented")
def test_cohort_csv_starts_with_the_mark(nurse_client: Client) -> None:
    response = nurse_client.post(
        reverse("monitoring:cohort_export"), {"follow_up": "active", "format": "csv"}
    )
    body = _body(response)
    assert body.startswith(UTF8_BOM + b"mrn,")
    assert ACCENTED.encode() in body


@pytest.mark.django_db
def test_audit_csv_starts_with_the_mark(admin_client_: Client) -> None:
    body = _body(admin_client_.get(reverse("audit:export")))
    assert body.startswith(UTF8_BOM + b"at,")


@pytest.mark.django_db
def test_results_template_starts_with_the_mark(nurse_client: Client) -> None:
    body = _body(nurse_client.get(reverse("monitoring:import_template")))
    assert body.startswith(UTF8_BOM + b"mrn,date,")
