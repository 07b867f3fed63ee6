"""nurse9 F16: rows an open critical, then high alert is about come first on the worklist, its
printout and its CSV (each group by date), and say so: a badge on the page, a CSV column."""

import csv
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from monitoring.assessment.versions import patient_records_changed
from monitoring.models import Alert
from monitoring.overview.lists import CSV_COLUMNS
from patients.models import Patient
from tests.factories import PatientFactory
from tests.monitoring.app.overview_data import alert, due

pytestmark = pytest.mark.django_db
URL = reverse("monitoring:worklist")


def _patient(site, mrn: str) -> Patient:  # type: ignore[no-untyped-def]
    patient: Patient = PatientFactory(site=site, mrn=mrn, name=f"Patient {mrn}")
    return patient


@pytest.fixture
def worklist(site):  # type: ignore[no-untyped-def]
    """Routine overdue scans and vitamin D rechecks due long ago; a critical denosumab dose and
    high items due later; alerts that are about something else, or cleared, move nothing."""
    for n, days in enumerate([-300, -200]):
        scan = _patient(site, f"DEXA{n}")
        due(scan, "dexa", in_days=days)
        alert(scan, "DEXA_OVERDUE", "warning", days_ago=-days)
    vit_d = _patient(site, "VITD")
    due(vit_d, "vitamin_d_recheck", in_days=-240)
    alert(vit_d, "VITAMIN_D_INSUFFICIENT", "info", days_ago=330)
    rebound = _patient(site, "REBOUND")
    due(rebound, "denosumab_dose", in_days=-150)
    alert(rebound, "DENOSUMAB_REBOUND_RISK", "critical", days_ago=38)
    later_rebound = _patient(site, "REBOUND2")
    due(later_rebound, "denosumab_dose", in_days=-120)
    alert(later_rebound, "DENOSUMAB_REBOUND_RISK", "critical", days_ago=8)
    late = _patient(site, "DMABHIGH")
    due(late, "denosumab_dose", in_days=-40)
    alert(late, "DENOSUMAB_OVERDUE", "high", days_ago=12)
    baseline = _patient(site, "BASELINE")
    due(baseline, "dexa", in_days=-10)
    alert(baseline, "BASELINE_DEXA_MISSING", "high", days_ago=10)
    # A critical alert about another thing (a low calcium) leaves the patient's scan in its place.
    other = _patient(site, "OTHER")
    due(other, "dexa", in_days=-100)
    alert(other, "HYPOCALCEMIA", "critical", days_ago=3)
    # A cleared critical alert moves nothing.
    given = _patient(site, "GIVEN")
    due(given, "denosumab_dose", in_days=-130)
    cleared = alert(given, "DENOSUMAB_REBOUND_RISK", "critical", days_ago=10)
    Alert.objects.filter(pk=cleared.pk).update(cleared_at=timezone.now())


ORDER = [
    ("REBOUND", "denosumab_dose"),  # critical, due 150 days ago
    ("REBOUND2", "denosumab_dose"),  # critical, due 120 days ago
    ("DMABHIGH", "denosumab_dose"),  # high
    ("BASELINE", "dexa"),  # high
    ("DEXA0", "dexa"),  # the rest, the longest waiting first
    ("VITD", "vitamin_d_recheck"),
    ("DEXA1", "dexa"),
    ("GIVEN", "denosumab_dose"),
    ("OTHER", "dexa"),
]


def _rows(items) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(i.patient.mrn, i.item) for i in items]


def _row_html(text: str, mrn: str) -> str:
    """The table row of the patient with this MRN."""
    return next(row for row in text.split("<tr") if f"MRN {mrn}<" in row)


@pytest.mark.usefixtures("worklist")
def test_critical_then_high_items_come_first_each_by_date(nurse_client: Client) -> None:
    response = nurse_client.get(URL)
    assert _rows(response.context["items"]) == ORDER
    rebound = _row_html(response.text, "REBOUND")
    assert "Critical</span>" in rebound
    assert "Rebound risk after denosumab" in rebound
    assert "row-critical" in rebound
    high = _row_html(response.text, "DMABHIGH")
    assert "High</span>" in high
    assert "Denosumab dose overdue" in high
    assert "Baseline DEXA missing" in _row_html(response.text, "BASELINE")
    # The routine rows (a warning or info alert, a critical one about another thing, a cleared
    # one) name no severity.
    for mrn in ["DEXA0", "VITD", "OTHER", "GIVEN"]:
        row = _row_html(response.text, mrn)
        assert "Critical</span>" not in row
        assert "High</span>" not in row


def _csv(client: Client):  # type: ignore[no-untyped-def]
    response = client.get(reverse("monitoring:worklist_csv"))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.usefixtures("worklist")
def test_the_csv_has_a_severity_column_last_and_the_pages_order(nurse_client):  # type: ignore[no-untyped-def]
    response = nurse_client.get(reverse("monitoring:worklist_csv"))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    header = text.splitlines()[0].split(",")
    assert header == [
        "due",
        "status",
        "days_past_due",
        "item",
        "mrn",
        "name",
        "site",
        "birth_date",
        "asked_by",
        "severity",
        "alert",  # nurse10 F19: the alert's title, as the page shows it beside the item
        "days_until_due",  # nurse14 #9: a date to come, told from one due today
    ]
    assert header == CSV_COLUMNS
    rows = list(csv.DictReader(io.StringIO(text)))
    # The schedule's rows, then the alerts' work: OTHER's low calcium asks the nurse to correct
    # it and check it again (as a plain CALCIUM_LOW does; her work first) and a physician to
    # hold the dose (a therapy decision, physician10 F9), rows of their own; its scan keeps its
    # place.
    work = [(r["mrn"], r["item"], r["severity"]) for r in rows if r["asked_by"] != "schedule"]
    assert work == [
        ("OTHER", "Low calcium: correct it and check it again", "critical"),
        ("OTHER", "Therapy decision (physician)", "critical"),
    ]
    rows = [r for r in rows if r["asked_by"] == "schedule"]
    assert [r["mrn"] for r in rows] == [mrn for mrn, _item in ORDER]
    severity = {r["mrn"]: r["severity"] for r in rows}
    assert severity == {
        "REBOUND": "critical",
        "REBOUND2": "critical",
        "DMABHIGH": "high",
        "BASELINE": "high",
        "DEXA0": "warning",
        "VITD": "info",
        "DEXA1": "warning",
        "GIVEN": "",
        "OTHER": "",
    }
    assert rows[0]["status"] == "overdue"  # and still the rules' word for its lateness
    named = {r["mrn"]: r["alert"] for r in rows}
    assert named == {
        "REBOUND": "Rebound risk after denosumab",
        "REBOUND2": "Rebound risk after denosumab",
        "DMABHIGH": "Denosumab dose overdue",
        "BASELINE": "Baseline DEXA missing",
        "DEXA0": "DEXA overdue",
        "VITD": "Vitamin D insufficient",
        "DEXA1": "DEXA overdue",
        "GIVEN": "",
        "OTHER": "",  # its critical alert is about another thing
    }


@pytest.mark.usefixtures("worklist")
def test_the_printout_follows_the_same_order(nurse_client: Client) -> None:
    response = nurse_client.get(reverse("monitoring:worklist_print"))
    assert _rows(response.context["items"]) == ORDER
    rebound = _row_html(response.text, "REBOUND")
    assert "Critical</span>" in rebound
    assert "Rebound risk after denosumab" in rebound


def test_the_work_a_critical_alert_asks_for_comes_first(physician_client: Client, site) -> None:  # type: ignore[no-untyped-def]
    """For a physician, who does all of it, by severity alone (a nurse's: test_worklist_yours)."""
    dental = _patient(site, "DENTAL")
    alert(dental, "DENTAL_REVIEW_MISSING", "warning", days_ago=90)
    stopped = _patient(site, "STOPPED")
    alert(stopped, "DENOSUMAB_STOPPED_NO_FOLLOW_ON", "critical", days_ago=2)
    indicated = _patient(site, "INDICATED")
    alert(indicated, "BONE_THERAPY_INDICATED", "high", days_ago=5)
    response = physician_client.get(URL)
    work = response.context["work"].object_list
    assert [row.patient.mrn for row in work] == ["STOPPED", "INDICATED", "DENTAL"]
    text = response.text.split('id="h-alert-work"')[1]
    assert "Denosumab stopped without follow-on therapy" in _row_html(text, "STOPPED")
    assert "Critical</span>" in _row_html(text, "STOPPED")
    assert [r["mrn"] for r in _csv(physician_client)] == ["STOPPED", "INDICATED", "DENTAL"]


def _queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL).status_code == 200
    return len(queries)


def test_the_pages_rows_follow_a_rising_severity_in_constant_queries(
    nurse_client: Client, site
) -> None:  # type: ignore[no-untyped-def]
    """A dose whose alert rises from high to critical (a new alert, the records' version raised
    as the services raise it) moves up and shows it: the cached part and the row's cached
    fragment are keyed by what they show, and the page reads as many queries."""
    routine = _patient(site, "ROUTINE")
    due(routine, "dexa", in_days=-300)
    late = _patient(site, "LATE")
    due(late, "denosumab_dose", in_days=-100)
    high = alert(late, "DENOSUMAB_OVERDUE", "warning", days_ago=70)
    patient_records_changed([routine.pk, late.pk])
    before = _queries(nurse_client)
    page = nurse_client.get(URL).text  # from the cache
    assert page.index("MRN ROUTINE<") < page.index("MRN LATE<")
    assert "Critical</span>" not in page

    Alert.objects.filter(pk=high.pk).update(cleared_at=timezone.now(), superseded=True)
    alert(late, "DENOSUMAB_REBOUND_RISK", "critical", days_ago=0)
    patient_records_changed([late.pk])
    after = _queries(nurse_client)
    page = nurse_client.get(URL).text
    assert page.index("MRN LATE<") < page.index("MRN ROUTINE<")
    assert "Critical</span>" in _row_html(page, "LATE")
    assert "Rebound risk after denosumab" in _row_html(page, "LATE")
    assert before == after
