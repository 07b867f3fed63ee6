"""nurse10 F2: the work open alerts ask for lists first what the viewer can do. A nurse's first
page was fifty therapy decisions only a physician makes, with the dental review and the bloods
before an infusion on page 2; a physician, who does all of it, keeps the severity order."""

import csv
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from monitoring.assessment.permissions import THERAPY_DECISION_CODES
from monitoring.overview.alert_work import (
    BLOODS,
    DECISION,
    DENTAL,
    FURTHER_WORK,
    HIGH_CALCIUM,
    LOW_CALCIUM,
    work_doable_by,
)
from patients.models import Patient
from tests.factories import PatientFactory
from tests.monitoring.app.overview_data import alert

pytestmark = pytest.mark.django_db
URL = reverse("monitoring:worklist")


def _decisions(site, count: int, *, severity: str = "high") -> None:  # type: ignore[no-untyped-def]
    """`count` patients, each with a therapy decision waiting longer than any other work."""
    for n in range(count):
        patient = PatientFactory(site=site, mrn=f"DEC{n:03d}")
        alert(patient, "BONE_THERAPY_INDICATED", severity, days_ago=100 + n)


def _nurse_work(site) -> None:  # type: ignore[no-untyped-def]
    """A dental review (high) and bloods (warning) raised after every decision."""
    alert(PatientFactory(site=site, mrn="BLOODS"), "CALCIUM_NOT_MEASURED", "warning", days_ago=9)
    alert(PatientFactory(site=site, mrn="DENTAL"), "DENTAL_REVIEW_MISSING", "high", days_ago=2)


def _rows(page) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(row.patient.mrn, row.item) for row in page.object_list]


def test_a_nurses_first_page_starts_with_her_work(nurse_client: Client, site) -> None:  # type: ignore[no-untyped-def]
    _decisions(site, 55)
    critical = PatientFactory(site=site, mrn="CRIT")
    alert(critical, "DENOSUMAB_STOPPED_NO_FOLLOW_ON", "critical", days_ago=1)
    _nurse_work(site)
    response = nurse_client.get(URL)
    work = response.context["work"]
    assert work.paginator.count == 58
    rows = _rows(work)
    # Hers first, the high dental review before the older warning; then the decisions, the
    # critical one first, then the high ones the longest waiting first.
    assert rows[:4] == [
        ("DENTAL", DENTAL),
        ("BLOODS", BLOODS),
        ("CRIT", DECISION),
        ("DEC054", DECISION),
    ]
    assert len(rows) == 50
    assert {
        item for _mrn, item in _rows(nurse_client.get(URL, {"work_page": 2}).context["work"])
    } == {DECISION}
    text = response.text.split('id="h-alert-work"')[1]
    assert "The work you can do comes first" in text
    assert text.index("MRN DENTAL<") < text.index("MRN BLOODS<") < text.index("MRN CRIT<")
    assert ">Open the therapy</a>" in text  # the dental review's row (no course yet)
    assert reverse("monitoring:labs_create", args=[_pk("BLOODS")]) in text


def _pk(mrn: str) -> int:
    return Patient.objects.get(mrn=mrn).pk


def test_a_physicians_order_is_by_severity(physician_client: Client, site) -> None:  # type: ignore[no-untyped-def]
    _decisions(site, 3)
    _nurse_work(site)
    response = physician_client.get(URL)
    assert _rows(response.context["work"]) == [
        ("DEC002", DECISION),  # high, the longest waiting first
        ("DEC001", DECISION),
        ("DEC000", DECISION),
        ("DENTAL", DENTAL),  # high too, raised later
        ("BLOODS", BLOODS),  # a warning
    ]
    assert "The work you can do comes first" not in response.text


def _csv_rows(client: Client) -> list[dict[str, str]]:
    response = client.get(reverse("monitoring:worklist_csv"))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return [r for r in csv.DictReader(io.StringIO(text)) if r["asked_by"] == "open alert"]


def test_the_csv_and_printout_keep_the_nurses_order(nurse_client: Client, site) -> None:  # type: ignore[no-untyped-def]
    _decisions(site, 2)
    _nurse_work(site)
    order = ["DENTAL", "BLOODS", "DEC001", "DEC000"]
    rows = _csv_rows(nurse_client)
    assert [r["mrn"] for r in rows] == order
    assert [r["alert"] for r in rows] == [
        "Dental review missing",
        "Calcium not measured",
        "Bone therapy indicated",
        "Bone therapy indicated",
    ]
    printed = nurse_client.get(reverse("monitoring:worklist_print")).text
    at = [printed.index(f"MRN {mrn}<") for mrn in order]
    assert at == sorted(at)


@pytest.mark.parametrize("code", sorted(THERAPY_DECISION_CODES))
def test_every_therapy_decision_follows_a_nurses_work(
    nurse_client: Client, site, code: str
) -> None:  # type: ignore[no-untyped-def]
    """Read from THERAPY_DECISION_CODES: a code added there is a physician's decision too. A
    critical HYPOCALCEMIA also asks the nurse to correct the calcium (FURTHER_WORK): her work,
    first as critical."""
    alert(PatientFactory(site=site, mrn="DECIDE"), code, "critical", days_ago=300)
    alert(PatientFactory(site=site, mrn="DENTAL"), "DENTAL_REVIEW_MISSING", "warning", days_ago=1)
    nurses = [("DECIDE", FURTHER_WORK[code][0])] if code in FURTHER_WORK else []
    assert _rows(nurse_client.get(URL).context["work"]) == [
        *nurses,
        ("DENTAL", DENTAL),
        ("DECIDE", DECISION),
    ]


def test_what_each_role_can_do(nurse, physician) -> None:  # type: ignore[no-untyped-def]
    assert work_doable_by(nurse) == {DENTAL, BLOODS, LOW_CALCIUM}
    assert work_doable_by(physician) == {DENTAL, BLOODS, LOW_CALCIUM, HIGH_CALCIUM, DECISION}


def _queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL).status_code == 200
    return len(queries)


def test_the_order_costs_no_query(nurse_client: Client, physician_client: Client, site) -> None:  # type: ignore[no-untyped-def]
    """As many queries with a nurse's own work on the page as without, for either role."""
    _decisions(site, 3)
    before = (_queries(nurse_client), _queries(physician_client))
    _nurse_work(site)
    alert(PatientFactory(site=site, mrn="MORE"), "BONE_THERAPY_INDICATED", "high", days_ago=1)
    assert (_queries(nurse_client), _queries(physician_client)) == before
