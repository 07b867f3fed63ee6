"""The worklist's rows are `{% cache %}` fragments (monitoring/overview/worklist_rows.py): after a
change at the user's sites only the rows that show it are drawn, and a row's key holds
everything the row shows."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bonehealth.accounts.models import Site
from monitoring.assessment.versions import patient_records_changed
from monitoring.models.alerts import ALERT_WORK_CODES
from monitoring.overview.alert_work import WORK_OF_ALERT
from monitoring.overview.worklist_rows import row_key
from patients.models import Patient
from tests.factories import PatientFactory
from tests.monitoring.app.overview_data import TODAY, populate, stored

pytestmark = pytest.mark.django_db
URL = reverse("monitoring:worklist")


ROW = "monitoring/_worklist_row.html"


def _view(client: Client) -> tuple[str, int, int]:
    """The page, how many rows were drawn (not found in the cache) and how many queries ran."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    assert response.status_code == 200
    drawn = [template for template in response.templates if template.name == ROW]
    return response.text, len(drawn), len(queries)


def _renamed(patient: Patient, name: str) -> None:
    """A change to the patient record as the services make one: the change and a new version."""
    Patient.objects.filter(pk=patient.pk).update(name=name)
    patient_records_changed([patient.pk])


def test_after_a_change_only_the_rows_showing_it_are_drawn(
    nurse_client: Client, site: Site
) -> None:
    shown = populate(site, 3)  # each: a scan due, a dose due, a therapy decision
    elsewhere = PatientFactory(site=site, mrn="NOTSHOWN")
    stored(elsewhere)
    _page, drawn, queries = _view(nurse_client)
    assert drawn == 9
    patient_records_changed([elsewhere.pk])  # the lists' cached part misses, no row does
    _page, drawn, again = _view(nurse_client)
    assert drawn == 0
    _renamed(shown[1], "Renamed Patient")
    page, drawn, renamed = _view(nurse_client)
    assert drawn == 3
    assert page.count("Renamed Patient") == 3
    assert queries == again == renamed  # whichever rows are found in the cache


def _item(**changes: object) -> SimpleNamespace:
    site = SimpleNamespace(name="North General")
    patient = SimpleNamespace(name="Ann", mrn="M1", birth_date=dt.date(1960, 1, 2), site=site)
    item = SimpleNamespace(
        patient_id=7,
        patient=patient,
        item="dexa",
        due=TODAY,
        dose_course=None,
        dental_course=None,
        due_state="due",
        severity="",
        alert_label="",
    )
    for name, value in changes.items():
        owner = patient if name in ("name", "mrn", "birth_date") else item
        setattr(owner, name, value)
    if "site_name" in changes:
        patient.site = SimpleNamespace(name=changes["site_name"])
    item.get_item_display = lambda: changes.get("display", "DEXA scan")
    return item


def test_a_rows_key_holds_everything_the_row_shows() -> None:
    viewer = [TODAY.isoformat(), "nurse permissions"]
    key = row_key(_item(), viewer)
    assert row_key(_item(), viewer) == key
    others = [
        row_key(_item(), [(TODAY + dt.timedelta(days=1)).isoformat(), "nurse permissions"]),
        row_key(_item(), [TODAY.isoformat(), "physician permissions"]),
        *(
            row_key(_item(**{name: value}), viewer)
            for name, value in [
                ("patient_id", 8),
                ("name", "Anne"),
                ("mrn", "M2"),
                ("birth_date", dt.date(1960, 2, 1)),
                ("site_name", "Renamed Site"),
                ("item", "btm_check"),
                ("due", TODAY - dt.timedelta(days=1)),
                ("display", "Bloods before the antiresorptive (calcium)"),
                ("dose_course", 12),
                ("due_state", "overdue"),  # the rules' alerts call it overdue now
                ("dental_course", 12),
                ("severity", "high"),  # a high alert is now about the item
                ("alert_label", "Denosumab dose overdue"),
            ]
        ),
    ]
    assert len({key, *others}) == 1 + len(others)
    # A line break in a name does not make another patient's row.
    assert row_key(_item(name="Ann\nM2", mrn="X"), viewer) != row_key(
        _item(name="Ann", mrn="M2\nX"), viewer
    )


def test_the_alerts_asking_for_work_are_those_indexed() -> None:
    """The index of the open alerts that ask for work (`open_alerts_asking_work`) holds the codes
    the worklist reads; otherwise PostgreSQL reads every open alert."""
    assert sorted(WORK_OF_ALERT) == sorted(ALERT_WORK_CODES)
