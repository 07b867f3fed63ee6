"""Clinicians: lateness was worded differently by kind of item ("due" for a vitamin D recheck
months past, "overdue" for a scan one day past). Every kind is worded by one statement
(monitoring/overview/lateness.py): due today or later, due since its date in the rules' grace
(a baseline DEXA, a denosumab dose), overdue the day after its date otherwise."""

import csv
import datetime as dt
import io

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from monitoring.overview.lateness import due_state, due_words, in_grace
from tests.factories import PatientFactory
from tests.monitoring.app.overview_data import TODAY, alert, due

pytestmark = pytest.mark.django_db
NO_GRACE = ["dexa", "zoledronic_acid_dose", "btm_check", "vitamin_d_recheck", "denosumab_dose"]


@pytest.mark.parametrize(
    ("days_past", "in_grace", "state"),
    [
        (-5, False, "due"),
        (0, False, "due"),
        (0, True, "due"),
        (1, False, "overdue"),
        (1, True, "due_since"),
        (400, True, "due_since"),
        (400, False, "overdue"),
    ],
)
def test_one_statement(days_past: int, in_grace: bool, state: str) -> None:
    day = TODAY - dt.timedelta(days=days_past)
    assert due_state(day, TODAY, in_grace=in_grace) == state
    lead = {"due": "due", "due_since": "due since", "overdue": "overdue since"}[state]
    assert due_words(day, TODAY, in_grace=in_grace) == f"{lead} {day:%Y-%m-%d}"


def _csv(client: Client) -> dict[str, str]:
    response = client.get(reverse("monitoring:worklist_csv"))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return {row["mrn"]: row["status"] for row in csv.DictReader(io.StringIO(text))}


def test_every_kind_is_overdue_the_day_after_without_a_grace(nurse_client: Client, site) -> None:  # type: ignore[no-untyped-def]
    for n, item in enumerate(NO_GRACE):
        due(PatientFactory(site=site, mrn=f"LATE{n}"), item, in_days=-1)
        due(PatientFactory(site=site, mrn=f"TODAY{n}"), item, in_days=0)
    work = PatientFactory(site=site, mrn="WORK")
    alert(work, "DENTAL_REVIEW_MISSING", "warning", days_ago=1)
    fresh = PatientFactory(site=site, mrn="FRESH")
    alert(fresh, "CALCIUM_NOT_MEASURED", "warning", days_ago=0)
    # In the rules' grace: due since.
    baseline = PatientFactory(site=site, mrn="GRACE0")
    due(baseline, "dexa", in_days=-30)
    alert(baseline, "BASELINE_DEXA_DUE", "warning", days_ago=30)
    dose = PatientFactory(site=site, mrn="GRACE1")
    due(dose, "denosumab_dose", in_days=-10)
    alert(dose, "DENOSUMAB_DUE", "warning", days_ago=10)
    cache.clear()
    page = nurse_client.get(reverse("monitoring:worklist"))
    rows = [*page.context["items"], *page.context["work"].object_list]
    states = {row.patient.mrn: row.due_state for row in rows}
    assert states == {
        **{f"LATE{n}": "overdue" for n in range(len(NO_GRACE))},
        **{f"TODAY{n}": "due" for n in range(len(NO_GRACE))},
        "WORK": "overdue",
        "FRESH": "due",
        "GRACE0": "due_since",
        "GRACE1": "due_since",
    }
    assert page.text.count("</span> Overdue</span>") == len(NO_GRACE) + 1
    statuses = _csv(nurse_client)
    assert {mrn for mrn, status in statuses.items() if status == "overdue"} == {
        *(f"LATE{n}" for n in range(len(NO_GRACE))),
        "WORK",
    }
    printed = nurse_client.get(reverse("monitoring:worklist_print")).text
    assert printed.count("</span> Overdue</span>") == len(NO_GRACE) + 1


@pytest.mark.parametrize(
    ("what", "code", "days_past", "grace"),
    [
        ("denosumab_dose", "DENOSUMAB_DUE", 28, True),
        ("GIVE_DENOSUMAB", "DENOSUMAB_DUE", 29, False),
        ("dexa", "BASELINE_DEXA_DUE", 80, True),
        ("BASELINE_DEXA", "BASELINE_DEXA_DUE", 100, False),
        ("dexa", "DENOSUMAB_DUE", 1, False),  # another item's grace
        ("vitamin_d_recheck", "BASELINE_DEXA_DUE", 1, False),
    ],
)
def test_the_grace_ends_with_its_period_though_a_stored_alert_stays(
    what: str, code: str, days_past: int, grace: bool
) -> None:
    """After follow-up ends the patient is no longer reassessed: the stored DENOSUMAB_DUE of a
    dose then 10 days late must not read "due since" a year later."""
    due_on = TODAY - dt.timedelta(days=days_past)
    assert in_grace(what, due_on, TODAY, {code}) is grace
