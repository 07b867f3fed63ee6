"""Issue 17, alert triage on the dashboard: unacknowledged first, new since the last visit,
counts that filter the list, the T-score sparkline of each row."""

import datetime as dt
from typing import Any
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring.assessment.alerts import alert_acknowledge
from monitoring.models import DexaMeasurement
from monitoring.overview import cache_keys
from patients.models import Patient
from tests.conftest import login
from tests.factories import DexaScanFactory, PatientFactory
from tests.monitoring.app.overview_data import alert, assessed, populate

pytestmark = pytest.mark.django_db
URL = reverse("monitoring:dashboard")


def _mrns(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [row.patient.mrn for row in response.context["patient_rows"]]


def test_unacknowledged_alerts_come_before_acknowledged_worse_and_older_ones(
    physician_client: Client, physician, site
) -> None:  # type: ignore[no-untyped-def]
    seen = PatientFactory(site=site, mrn="SEEN")
    critical = alert(seen, "HYPOCALCEMIA", "critical", days_ago=30)
    alert_acknowledge(actor=physician, alert=critical, note="calcium given")
    alert(PatientFactory(site=site, mrn="OLDWARN"), "DEXA_OVERDUE", "warning", days_ago=300)
    alert(PatientFactory(site=site, mrn="NEWHIGH"), "BONE_THERAPY_INDICATED", "high", days_ago=0)
    response = physician_client.get(URL)
    # Worst severity then oldest put the new high alert after the acknowledged critical one.
    assert _mrns(response) == ["NEWHIGH", "OLDWARN", "SEEN"]
    assert "all acknowledged" in response.text


def test_alerts_raised_since_the_previous_visit_are_marked_new_in_words(physician, site) -> None:  # type: ignore[no-untyped-def]
    old = PatientFactory(site=site, mrn="OLD")
    alert(old, "DEXA_OVERDUE", "warning", days_ago=10)
    first = login(physician)
    assert "New since your last visit" not in first.get(URL).text  # no earlier visit
    assert AuditEvent.objects.filter(
        actor=physician, action=AuditAction.VIEW, changes__shown="dashboard"
    ).exists()  # the visit the next sign-in compares with
    fresh = PatientFactory(site=site, mrn="FRESH")
    alert(fresh, "BONE_THERAPY_INDICATED", "high", days_ago=0)  # raised after that visit
    again = login(physician)  # signs in again
    response = again.get(URL)
    rows = {row.patient.mrn: row for row in response.context["patient_rows"]}
    assert rows["FRESH"].new
    assert not rows["OLD"].new
    assert response.text.count("New since your last visit") == 1
    assert "(new)" in response.text
    # Another page of this visit does not count as a visit: the mark stays.
    assert "New since your last visit" in again.get(URL, {"page": "1"}).text


def test_the_counts_are_links_that_filter_the_list(physician_client: Client, site) -> None:  # type: ignore[no-untyped-def]
    populate(site, 3)  # risk low, moderate, high; BONE_THERAPY_INDICATED and DEXA_OVERDUE each
    only = PatientFactory(site=site, mrn="VITD")
    alert(only, "VITAMIN_D_DEFICIENT", "warning", days_ago=1)
    assessed(only, "high")
    page = physician_client.get(URL)
    assert "?risk=high" in page.text
    assert "?code=VITAMIN_D_DEFICIENT" in page.text
    high = physician_client.get(URL, {"risk": "high"})
    assert _mrns(high) == ["P0002", "VITD"]
    assert high.context["page"].paginator.count == 2
    assert _mrns(physician_client.get(URL, {"code": "VITAMIN_D_DEFICIENT"})) == ["VITD"]
    both = physician_client.get(URL, {"code": "BONE_THERAPY_INDICATED", "risk": "high"})
    assert _mrns(both) == ["P0002"]
    # Under one filter, each count is what adding its own filter would list.
    assert {r["code"]: r["n"] for r in both.context["code_counts"]}["VITAMIN_D_DEFICIENT"] == 1
    # A link keeps the other filters and drops the page.
    filtered = physician_client.get(URL, {"severity": "warning", "page": "1"})
    assert "?severity=warning&amp;risk=high" in filtered.text


@pytest.mark.parametrize("field", ["risk", "code"])
def test_an_invalid_filter_is_named_next_to_its_field_and_ignored(
    physician_client: Client, site, field: str
) -> None:  # type: ignore[no-untyped-def]
    populate(site, 2)
    response = physician_client.get(URL, {field: "nonsense", "severity": "high"})
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert f'id="id_{field}-error"' in response.text
    assert "is-invalid" in response.text
    assert len(_mrns(response)) == 2  # the other filters still apply, the list is not widened


def test_each_row_shows_the_lowest_t_score_per_valid_scan_as_a_sparkline(
    physician_client: Client, site
) -> None:  # type: ignore[no-untyped-def]
    patient = PatientFactory(site=site, mrn="TREND")
    alert(patient, "SIGNIFICANT_BMD_LOSS", "warning", days_ago=1)
    DexaScanFactory(patient=patient, scan_date=dt.date(2022, 1, 1), t=-1.5)
    later = DexaScanFactory(patient=patient, scan_date=dt.date(2024, 1, 1), t=-1.9)
    DexaMeasurement.objects.filter(scan=later, site="femoral_neck").update(t_score=-2.6)
    DexaScanFactory(patient=patient, scan_date=dt.date(2025, 1, 1), t=-4.0, entered_in_error=True)
    response = physician_client.get(URL)
    svg = str(response.context["patient_rows"][0].sparkline)
    assert "<svg" in svg, svg
    assert "Lowest T-score -1.5 on 2022-01-01 to -2.6 on 2024-01-01 over 2 scans" in svg
    assert "-4.0" not in svg
    no_scan = PatientFactory(site=site, mrn="NOSCAN")
    alert(no_scan, "BASELINE_DEXA_MISSING", "warning", days_ago=1)
    assert "No scan" in physician_client.get(URL).text


def _queries(client: Client, **params: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL, params).status_code == 200
    return len(queries)


def test_query_count_stays_constant_with_filters_sparklines_and_groups(
    physician_client: Client, site
) -> None:  # type: ignore[no-untyped-def]
    populate(site, 1, prefix="S")
    physician_client.get(URL)  # the first view of a sign-in also reads the last visit
    cache.clear()  # a view that draws the page, as the later ones do
    small = _queries(physician_client)
    small_filtered = _queries(physician_client, risk="low", code="DEXA_OVERDUE")
    for patient in populate(site, 12, prefix="L"):
        alert(patient, "RAPID_BMD_LOSS", "warning", days_ago=1, site="lumbar_spine")
        alert(patient, "RAPID_BMD_LOSS", "warning", days_ago=1, site="total_hip")
    assert _queries(physician_client) == small
    assert _queries(physician_client, risk="low", code="DEXA_OVERDUE") == small_filtered


def test_each_count_is_the_number_of_patients_its_link_lists(
    physician_client: Client, site
) -> None:  # type: ignore[no-untyped-def]
    """A tester counted 125 high-risk patients and a list of 119 behind the link: every count
    now counts the patients its link shows (one patient with an alert at three skeletal sites
    is one patient), under whatever filters are already chosen."""
    populate(site, 3)  # risk low, moderate, high; BONE_THERAPY_INDICATED and DEXA_OVERDUE each
    quiet = PatientFactory(site=site, mrn="QUIET")
    assessed(quiet, "high")  # no open alert: not on the list, so not counted
    loss = PatientFactory(site=site, mrn="LOSS")
    for bone in ("lumbar_spine", "total_hip", "femoral_neck"):
        alert(loss, "SIGNIFICANT_BMD_LOSS", "warning", days_ago=2, site=bone)
    assessed(loss, "moderate")

    def drawn(filters: dict[str, str]) -> Any:  # the page's context, drawn afresh
        cache.clear()
        return physician_client.get(URL, filters).context

    for filters in ({}, {"severity": "high"}, {"risk": "moderate"}, {"code": "DEXA_OVERDUE"}):
        page = drawn(filters)
        for row in page["risk_rows"]:
            listed = drawn({**filters, "risk": row["code"]})
            assert listed["page"].paginator.count == row["n"], (filters, row)
        for row in page["code_counts"]:
            listed = drawn({**filters, "code": row["code"]})
            assert listed["page"].paginator.count == row["n"], (filters, row)
    counts = drawn({})["code_counts"]
    assert {r["code"]: r["n"] for r in counts}["SIGNIFICANT_BMD_LOSS"] == 1


def test_the_last_visit_is_read_once_per_sign_in(physician, site) -> None:  # type: ignore[no-untyped-def]
    """Kept in the session: a later view of the same sign-in does not read the audit trail for
    it, and signing in again (a new last_login) reads it afresh."""
    alert(PatientFactory(site=site, mrn="OLD"), "DEXA_OVERDUE", "warning", days_ago=10)
    client = login(physician)
    client.get(URL)
    with CaptureQueriesContext(connection) as queries:
        client.get(URL)
    assert not [q for q in queries if "audit_auditevent" in q["sql"] and "MAX" in q["sql"]]
    alert(PatientFactory(site=site, mrn="FRESH"), "BONE_THERAPY_INDICATED", "high", days_ago=0)
    physician.refresh_from_db()
    physician.last_login = timezone.now()  # signs in again in the same browser session
    physician.save(update_fields=["last_login"])
    assert client.get(URL).text.count("New since your last visit") == 1


@pytest.mark.parametrize(
    "narrowed",
    [
        {},
        {"min_severity": "high"},
        {"risk": "moderate"},
        {"code": "RAPID_BMD_LOSS"},
        {"min_severity": "warning", "risk": "low", "code": "DEXA_OVERDUE"},
    ],
)
def test_the_counts_of_each_site_add_up_to_the_counts_of_all(
    physician, site, other_site, narrowed: dict[str, str]
) -> None:  # type: ignore[no-untyped-def]
    """The dashboard adds up each site's cached counts: the sum is what one count over all the
    physician's sites gives (a patient is at one site; per-site alerts of one code count once)."""
    from monitoring.overview import selectors as overview

    physician.sites.add(other_site)
    for where, count in ((site, 4), (other_site, 3)):
        for patient in populate(where, count, prefix=where.code):
            alert(patient, "RAPID_BMD_LOSS", "warning", days_ago=1, site="lumbar_spine")
            alert(patient, "RAPID_BMD_LOSS", "warning", days_ago=1, site="total_hip")
    filters = {"min_severity": None, "risk": None, "code": None, **narrowed}
    whole = overview.dashboard_counts(user=physician, **filters)
    added = overview.counts_added(
        overview.dashboard_counts(user=physician, site=one, **filters) for one in (site, other_site)
    )
    assert added == whole
    assert whole.alerting_patients > 0
    # And each span's of each site (spans of two ids here: several per site).
    with mock.patch.object(cache_keys, "SPAN", 2):
        for spans in (None, range(Patient.objects.latest("pk").pk)):
            by_span = [
                overview.dashboard_counts_by_span(user=physician, site=one, spans=spans, **filters)
                for one in (site, other_site)
            ]
            assert len(by_span[0]) > 1
            added = overview.counts_added(c for parts in by_span for c in parts.values())
            assert added == whole
