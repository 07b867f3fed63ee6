"""Clinicians: a critical low calcium (HYPOCALCEMIA) put no "correct calcium and recheck" row on the
worklist, as a plain CALCIUM_LOW does; and a therapy-decision row named only the worst of the
alerts asking for the decision."""

import csv
import io
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from monitoring.models import Alert
from monitoring.overview.alert_work import DECISION, LOW_CALCIUM
from tests.factories import PatientFactory
from tests.monitoring.app.overview_data import alert

pytestmark = pytest.mark.django_db
URL = reverse("monitoring:worklist")
CORRECT = "Low calcium: correct it and check it again"


def _page(client: Client, query: str = "") -> Any:
    cache.clear()  # the tests change alerts directly, not through the services that version them
    return client.get(URL + query).context["work"]


def _work(client: Client) -> list[tuple[str, str, str]]:
    page = _page(client)
    return [(r.patient.mrn, r.item, r.alert_label) for r in page.object_list]


def _csv_work(client: Client) -> list[dict[str, str]]:
    response = client.get(reverse("monitoring:worklist_csv"))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return [r for r in csv.DictReader(io.StringIO(text)) if r["asked_by"] == "open alert"]


def test_a_critical_low_calcium_asks_the_nurse_to_correct_it_and_a_physician_to_decide(
    nurse_client: Client, physician_client: Client, physician, site
) -> None:  # type: ignore[no-untyped-def]
    held = PatientFactory(site=site, mrn="HELD")
    hypo = alert(held, "HYPOCALCEMIA", "critical", days_ago=2)
    plain = PatientFactory(site=site, mrn="PLAIN")
    alert(plain, "CALCIUM_LOW", "high", days_ago=5)
    assert [(mrn, item) for mrn, item, _l in _work(nurse_client)] == [
        ("HELD", LOW_CALCIUM),  # her work, critical first
        ("PLAIN", LOW_CALCIUM),
        ("HELD", DECISION),
    ]
    page = nurse_client.get(URL).text.split('id="h-alert-work"')[1]
    assert page.count(CORRECT) == 2
    # The physician decides (holds the dose): the decision is made, the calcium still to correct.
    Alert.objects.filter(pk=hypo.pk).update(
        acknowledged_at=timezone.now(), acknowledged_by=physician, acknowledgement_note="held"
    )
    assert [(mrn, item) for mrn, item, _l in _work(physician_client)] == [
        ("HELD", LOW_CALCIUM),
        ("PLAIN", LOW_CALCIUM),
    ]
    # Until the alert clears.
    Alert.objects.filter(pk=hypo.pk).update(cleared_at=timezone.now())
    assert [(mrn, item) for mrn, item, _l in _work(physician_client)] == [("PLAIN", LOW_CALCIUM)]


def test_both_calcium_alerts_at_once_make_one_row(nurse_client: Client, site) -> None:  # type: ignore[no-untyped-def]
    """The rules never raise both; were both open, the patient still has one low calcium row."""
    both = PatientFactory(site=site, mrn="BOTH")
    alert(both, "HYPOCALCEMIA", "critical", days_ago=2)
    alert(both, "CALCIUM_LOW", "high", days_ago=9)
    rows = [(mrn, item) for mrn, item, _l in _work(nurse_client)]
    assert rows == [("BOTH", LOW_CALCIUM), ("BOTH", DECISION)]
    assert _page(nurse_client).paginator.count == 2


def test_a_decision_row_names_every_alert_asking_for_it(
    physician_client: Client, physician, site
) -> None:  # type: ignore[no-untyped-def]
    patient = PatientFactory(site=site, mrn="TWO")
    alert(patient, "DENOSUMAB_STOPPED_NO_FOLLOW_ON", "critical", days_ago=3)
    alert(patient, "BONE_THERAPY_INDICATED", "high", days_ago=30)
    alert(patient, "BISPHOSPHONATE_DURATION_REVIEW", "info", days_ago=60)
    decided = alert(patient, "BTM_RESPONSE_INADEQUATE", "warning", days_ago=90)
    Alert.objects.filter(pk=decided.pk).update(
        acknowledged_at=timezone.now(), acknowledged_by=physician, acknowledgement_note="ok"
    )
    [(mrn, item, label)] = _work(physician_client)
    assert (mrn, item) == ("TWO", DECISION)
    # The worst first; the one a physician acknowledged (decided) no longer asks.
    assert label == (
        "Denosumab stopped without follow-on therapy; Bone therapy indicated; "
        "Review the bisphosphonate's duration"
    )
    text = physician_client.get(URL).text.split('id="h-alert-work"')[1]
    assert label.replace("'", "&#x27;") in text
    printed = physician_client.get(reverse("monitoring:worklist_print")).text
    assert label.replace("'", "&#x27;") in printed
    [row] = _csv_work(physician_client)
    assert (row["severity"], row["alert"]) == ("critical", label)


def test_a_decision_asked_by_a_warning_alone_is_named(physician_client: Client, site) -> None:  # type: ignore[no-untyped-def]
    alert(PatientFactory(site=site, mrn="WARN"), "BTM_RESPONSE_INADEQUATE", "warning", days_ago=3)
    [(_mrn, _item, label)] = _work(physician_client)
    assert label
    text = physician_client.get(URL).text.split('id="h-alert-work"')[1]
    assert label in text
    assert "</span> Warning</span>" not in text  # the badge stays for critical and high


def _queries(client: Client, query: str = "") -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL + query).status_code == 200
    return len(queries)


def test_the_query_count_stays_the_same_with_the_low_calcium_rows(
    physician_client: Client, site
) -> None:  # type: ignore[no-untyped-def]
    alert(PatientFactory(site=site, mrn="ONE"), "HYPOCALCEMIA", "critical", days_ago=1)
    _queries(physician_client)  # the first view of a sign-in reads a little more
    few = _queries(physician_client)
    for n in range(60):  # past a page of 50 rows
        patient = PatientFactory(site=site, mrn=f"M{n:03d}")
        alert(patient, "HYPOCALCEMIA", "critical", days_ago=n + 2)
        alert(patient, "BONE_THERAPY_INDICATED", "high", days_ago=n + 2)
    assert _queries(physician_client) == few
    assert _queries(physician_client, "?work_page=2") <= few
    assert (
        _page(physician_client, "?work_page=3").paginator.count == 122
    )  # 61 low calcium rows and 61 decisions
