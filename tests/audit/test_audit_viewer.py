"""The audit trail viewer: filters, constant query count, hidden clinical values, audited CSV.

And on PostgreSQL: the table is append-only in the database itself (triggers).
"""

import csv
import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import User
from bonehealth.audit.models import AuditAction, AuditEvent
from bonehealth.audit.services import audit_record
from patients.models import Patient
from tests.conftest import login
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

URL = "audit:list"


@pytest.fixture
def trail(nurse: User, physician: User, patient: Patient, foreign_patient: Patient) -> None:
    audit_record(
        action=AuditAction.CHANGE,
        actor=nurse,
        obj=patient,
        patient=patient,
        changes={"weight_kg": ["60.0", "58.5"]},
    )
    audit_record(action=AuditAction.VIEW, actor=physician, obj=patient, patient=patient)
    audit_record(
        action=AuditAction.CHANGE,
        actor=physician,
        obj=foreign_patient,
        patient=foreign_patient,
        changes={"height_cm": ["160", "161"]},
    )
    audit_record(action=AuditAction.LOGIN, actor=nurse)


@pytest.fixture
def both_sites(admin_user: User, other_site: object) -> None:
    """The admin administers both sites, so reads every event of the trail (an administrator of
    one site reads only its events: tests/audit/test_audit_scope.py)."""
    admin_user.sites.add(other_site)  # type: ignore[arg-type]


def _events(client: Client, **params: str) -> list[AuditEvent]:
    response = client.get(reverse(URL), params)
    assert response.status_code == 200
    return [row.event for row in response.context["rows"]]


def test_filters_by_user_mrn_action_and_dates(
    admin_client_: Client, trail: None, both_sites: None
) -> None:
    assert len(_events(admin_client_)) == 5  # the trail and the admin's own login
    assert {e.username for e in _events(admin_client_, user="NURSE")} == {"nurse"}
    assert {e.patient_mrn for e in _events(admin_client_, mrn="a1001")} == {"A1001"}
    # The physician's view, and the admin's own three views of the trail so far (each view of
    # the trail is audited, after its events are read: sec10 F3).
    views = _events(admin_client_, action="view")
    assert [(e.action, e.username) for e in views] == [("view", "admin")] * 3 + [
        ("view", "physician")
    ]
    today = timezone.localdate()
    assert len(_events(admin_client_, date_from=str(today), date_to=str(today))) == 5 + 4
    tomorrow = today + timedelta(days=1)
    assert _events(admin_client_, date_from=str(tomorrow)) == []
    assert _events(admin_client_, date_to=str(today - timedelta(days=1))) == []
    # A reversed range is a form error, and shows everything rather than failing.
    response = admin_client_.get(reverse(URL), {"date_from": str(tomorrow), "date_to": str(today)})
    assert "before the start date" in response.text


def test_admins_see_which_fields_changed_but_not_clinical_values(
    admin_client_: Client, trail: None, both_sites: None
) -> None:
    response = admin_client_.get(reverse(URL))
    assert "weight_kg" in response.text
    assert "height_cm" in response.text
    assert "58.5" not in response.text
    assert "161" not in response.text
    assert "values hidden" in response.text
    # Nor the patient's name: only the record's MRN.
    assert "Jane Example" not in response.text


def test_a_viewer_with_a_clinical_role_sees_values_of_their_own_sites_only(
    client: Client, admin_user: User, trail: None
) -> None:
    admin_user.groups.add(Group.objects.get(name="nurse"))
    login(admin_user, client)
    text = client.get(reverse(URL)).text
    assert "60.0 → 58.5" in text  # North General: their site
    assert "161" not in text  # Elsewhere Hospital: not theirs


def test_non_clinical_values_are_shown(admin_client_: Client, nurse: User) -> None:
    admin_client_.post(reverse("accounts:user_deactivate", args=[nurse.pk]))
    assert "True → False" in admin_client_.get(reverse(URL)).text


def test_paginated_with_a_constant_query_count(
    admin_client_: Client, nurse: User, site: object, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.PAGE_SIZE = 10

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = admin_client_.get(reverse(URL), {"page": 1})
        assert response.status_code == 200
        return len(captured)

    patient = PatientFactory(site=site)
    audit_record(action=AuditAction.VIEW, actor=nurse, obj=patient, patient=patient)
    few = queries()
    for _ in range(30):
        patient = PatientFactory(site=site)
        audit_record(
            action=AuditAction.CHANGE,
            actor=nurse,
            obj=patient,
            patient=patient,
            changes={"name": ["a", "b"]},
        )
    assert queries() == few
    response = admin_client_.get(reverse(URL), {"page": 2})
    assert "Page 2 of 4" in response.text


def test_csv_export_follows_the_filters_hides_values_and_is_audited(
    admin_client_: Client, admin_user: User, trail: None, both_sites: None
) -> None:
    response = admin_client_.get(reverse("audit:export"), {"action": "change"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(
        csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    )
    assert {row["fields"] for row in rows} == {"weight_kg", "height_cm"}
    assert {row["values"] for row in rows} == {"(hidden)"}
    export = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert export.actor == admin_user
    assert export.changes["filters"] == {"action": "change"}
    assert export.changes["rows"] == 2


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the append-only triggers exist on PostgreSQL only"
)
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditevent SET action = 'view'",
        "DELETE FROM audit_auditevent",
        "TRUNCATE audit_auditevent CASCADE",
    ],
)
def test_postgresql_refuses_raw_update_delete_and_truncate(nurse: User, statement: str) -> None:
    audit_record(action=AuditAction.LOGIN, actor=nurse)
    with transaction.atomic(), connection.cursor() as cursor:
        # The setting that once let TRUNCATE through no longer does (audit/0003).
        cursor.execute("SET LOCAL bonehealth.allow_audit_truncate = 'on'")
        # Run the deferred foreign-key checks now, or TRUNCATE fails for that reason instead.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            cursor.execute(statement)
    assert AuditEvent.objects.get().action == AuditAction.LOGIN


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_transactional_tests_can_still_flush_the_audit_table() -> None:
    """Browser tests flush with TRUNCATE; the test-only backend does it with triggers off."""
    audit_record(action=AuditAction.LOGIN, username="someone")
    assert AuditEvent.objects.count() == 1


@pytest.mark.parametrize("name", ["date_from", "date_to"])
@pytest.mark.parametrize("day", ["9999-12-31", "1899-12-31"])
def test_an_implausible_filter_date_is_refused_beside_its_field(
    admin_client_: Client, trail: None, name: str, day: str
) -> None:
    """sec9 F6: an end date of 9999-12-31 was a 500 (the day after it overflows)."""
    response = admin_client_.get(reverse(URL), {name: day, "user": "nurse"})
    assert response.status_code == 200
    form = response.context["form"]
    assert "Check the year" in form.errors[name][0]
    assert form["user"].value() == "nurse"  # what was typed stays
    before = AuditEvent.objects.count()
    # The export sends the same filters back to the viewer, exporting and recording nothing.
    export = admin_client_.get(reverse("audit:export"), {name: day, "user": "nurse"})
    assert export.status_code == 302
    assert export["Location"] == f"{reverse(URL)}?{name}={day}&user=nurse"
    assert AuditEvent.objects.count() == before
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()
