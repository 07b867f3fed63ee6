"""The worklist: what is due in the next N weeks, overdue first; CSV and printout audited."""

import csv
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bonehealth.audit.models import AuditAction, AuditEvent
from patients.models import FollowUpStatus
from tests.factories import PatientFactory
from tests.monitoring.app.overview_data import alert, due, populate

pytestmark = pytest.mark.django_db
URL = reverse("monitoring:worklist")


def _rows(response) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(i.patient.mrn, i.item) for i in response.context["items"]]


@pytest.fixture
def schedule(site, other_site):  # type: ignore[no-untyped-def]
    late = PatientFactory(site=site, mrn="LATE")
    due(late, "denosumab_dose", in_days=-40)
    alert(late, "DENOSUMAB_OVERDUE", "high", days_ago=12)  # the rules' word for 40 days late
    soon = PatientFactory(site=site, mrn="SOON")
    due(soon, "dexa", in_days=10)
    due(soon, "vitamin_d_recheck", in_days=0)
    later = PatientFactory(site=site, mrn="LATER")
    due(later, "btm_check", in_days=8 * 7 + 1)
    due(PatientFactory(site=other_site, mrn="THEIRS"), "dexa", in_days=1)
    ended = PatientFactory(site=site, mrn="ENDED", follow_up_status=FollowUpStatus.ENDED)
    due(ended, "dexa", in_days=1)
    due(PatientFactory(site=site, mrn="ERROR", entered_in_error=True), "dexa", in_days=1)


@pytest.mark.usefixtures("schedule")
@pytest.mark.parametrize("client_name", ["nurse_client", "physician_client"])
def test_due_in_the_next_8_weeks_overdue_first(request, client_name: str) -> None:  # type: ignore[no-untyped-def]
    client = request.getfixturevalue(client_name)
    response = client.get(URL)
    assert response.status_code == 200
    assert _rows(response) == [
        ("LATE", "denosumab_dose"),
        ("SOON", "vitamin_d_recheck"),
        ("SOON", "dexa"),
    ]
    assert "Overdue" in response.text
    # an injection says its days (nurse10 3)
    assert 'Overdue</span> <span class="small">by 40 days (5 weeks)' in response.text
    assert "Due today" in response.text
    assert "in 10 days" in response.text
    assert reverse("monitoring:scan_request", args=[response.context["items"][2].patient_id]) in (
        response.text
    )


@pytest.mark.usefixtures("schedule")
def test_weeks_is_a_form_field(nurse_client: Client) -> None:
    wider = nurse_client.get(URL, {"weeks": 9})
    assert ("LATER", "btm_check") in _rows(wider)
    assert 'value="9"' in wider.text
    narrow = nurse_client.get(URL, {"weeks": 1})
    assert _rows(narrow) == [("LATE", "denosumab_dose"), ("SOON", "vitamin_d_recheck")]
    invalid = nurse_client.get(URL, {"weeks": 0})
    assert invalid.context["form"].errors
    assert invalid.context["weeks"] == 8


@pytest.mark.usefixtures("schedule")
def test_csv_export_is_audited(nurse_client: Client, nurse) -> None:  # type: ignore[no-untyped-def]
    response = nurse_client.get(reverse("monitoring:worklist_csv"), {"weeks": 9})
    assert response["Content-Type"] == "text/csv; charset=utf-8"  # accented names in any reader
    rows = list(
        csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    )
    assert [(r["mrn"], r["status"]) for r in rows] == [
        ("LATE", "overdue"),
        ("SOON", "due"),
        ("SOON", "due"),
        ("LATER", "due"),
    ]
    assert rows[0]["days_past_due"] == "40"
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.actor == nurse
    assert event.changes["export"] == "worklist CSV"
    assert event.changes["rows"] == 4
    assert event.changes["filters"] == {"weeks": 9}


@pytest.mark.usefixtures("schedule")
def test_print_view_lists_everything_and_is_audited(nurse_client: Client) -> None:
    response = nurse_client.get(reverse("monitoring:worklist_print"))
    assert response.status_code == 200
    assert [i.patient.mrn for i in response.context["items"]] == ["LATE", "SOON", "SOON"]
    assert 'data-action="print"' in response.text
    assert "css/print.css" in response.text
    assert AuditEvent.objects.get(action=AuditAction.EXPORT).changes["export"] == (
        "worklist printout"
    )


def test_nothing_due(nurse_client: Client) -> None:
    assert "Nothing is due in the next 8 weeks" in nurse_client.get(URL).text


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "name", ["monitoring:worklist", "monitoring:worklist_print", "monitoring:worklist_csv"]
)
def test_query_count_does_not_grow_with_patients(
    nurse_client: Client, site, name: str, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    url = reverse(name)
    populate(site, 1, prefix="S")
    small = _queries(nurse_client, url)
    populate(site, 30, prefix="L")
    large = _queries(nurse_client, url)
    assert small == large
    with django_assert_max_num_queries(15):
        nurse_client.get(url)
