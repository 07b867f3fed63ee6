"""The worklist's rows are `{% cache %}` fragments (monitoring/overview/worklist_rows.py): after a
change at the user's sites only the changed patient's rows are drawn, and a row's key holds
everything the row shows besides its patient's records."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bonehealth.accounts.models import Site
from monitoring.assessment.versions import patient_records_changed
from monitoring.models import PatientAssessment
from monitoring.models.alerts import ALERT_WORK_CODES
from monitoring.overview.alert_work import WORK_OF_ALERT
from monitoring.overview.worklist_rows import worklist_rows
from patients.models import Patient
from tests.factories import PatientFactory
from tests.monitoring.app.overview_data import TODAY, populate, stored

pytestmark = pytest.mark.django_db
URL = reverse("monitoring:worklist")


def _view(client: Client) -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    assert response.status_code == 200
    return response.text, [query["sql"] for query in queries.captured_queries]


def _renamed(patient: Patient, name: str) -> None:
    """A change to the patient record as the services make one: the change and a new version."""
    Patient.objects.filter(pk=patient.pk).update(name=name)
    patient_records_changed([patient.pk])


def test_a_change_to_a_patient_not_shown_draws_no_row(nurse_client: Client, site: Site) -> None:
    populate(site, 3)
    elsewhere = PatientFactory(site=site, mrn="NOTSHOWN")
    stored(elsewhere)
    _view(nurse_client)
    patient_records_changed([elsewhere.pk])  # the lists' cached part misses, no row does
    _page, queries = _view(nurse_client)
    assert [sql for sql in queries if "monitoring_alert" in sql]  # the lists were read again
    assert not [sql for sql in queries if "monitoring_bonetherapycourse" in sql]
    assert not [sql for sql in queries if '"patients_patient"."name"' in sql]


def test_a_changed_patients_rows_are_drawn_again(nurse_client: Client, site: Site) -> None:
    shown = populate(site, 3)
    before, _queries = _view(nurse_client)
    assert "Renamed Patient" not in before
    _renamed(shown[1], "Renamed Patient")
    after, queries = _view(nurse_client)
    assert after.count("Renamed Patient") == 3  # a scan due, a dose due, a therapy decision
    # The rows drawn read their patients and courses once, for all of the page's rows.
    assert len([sql for sql in queries if "monitoring_bonetherapycourse" in sql]) == 1
    assert len([sql for sql in queries if '"patients_patient"."name"' in sql]) == 1


def _key(
    patient: Patient, *, today: dt.date = TODAY, permissions: str = "nurse", **row: object
) -> str | None:
    source = SimpleNamespace(patient_id=patient.pk, item="dexa", due=TODAY, measure=[])
    for name, value in row.items():
        setattr(source, name, value)
    [[shown]] = worklist_rows([[source]], today=today, permissions=permissions)
    return shown.row_key


def test_a_rows_key_holds_what_the_row_shows(site: Site) -> None:
    patient = PatientFactory(site=site)
    stored(patient)
    key = _key(patient)
    assert key is not None
    assert _key(patient) == key
    others = [
        _key(patient, today=TODAY + dt.timedelta(days=1)),  # overdue, days left
        _key(patient, permissions="physician"),  # the links
        _key(patient, item="btm_check"),
        _key(patient, due=TODAY - dt.timedelta(days=1)),
        _key(patient, item="bloods_before_infusion", measure=["calcium"]),
    ]
    patient_records_changed([patient.pk])  # the patient's records: name, MRN, courses
    others.append(_key(patient))
    Site.objects.filter(pk=site.pk).update(name="Renamed Site")
    others.append(_key(patient))
    assert len({key, *others}) == 1 + len(others)


def test_a_patient_without_a_stored_assessment_has_rows_drawn_on_every_view(site: Site) -> None:
    patient = PatientFactory(site=site)
    PatientAssessment.objects.filter(patient=patient).delete()
    assert _key(patient) is None


def test_the_alerts_asking_for_work_are_those_indexed() -> None:
    """The index of the open alerts that ask for work (`open_alerts_asking_work`) holds the codes
    the worklist reads; otherwise PostgreSQL reads every open alert."""
    assert sorted(WORK_OF_ALERT) == sorted(ALERT_WORK_CODES)
