"""The audit rows of reads say what was read (sec10 F2-F4), read back from the database.

- A VIEW of a patient's record names the page or document it produced (a letter, a printout
  leaves the hospital), and the audit viewer and its CSV show it even to an administrator who
  sees no clinical value.
- Each view of the audit trail's pages is itself audited, with its filters, at the viewer's sites.
- A list's VIEW row records the filters it applied, not those its form refused.
"""

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from bonehealth.accounts.models import Site, User
from bonehealth.audit.models import AuditAction, AuditEvent, AuditEventSite
from patients.models import Patient
from tests.conftest import login
from tests.factories import UserFactory
from tests.monitoring.app.test_access_monitoring import records

pytestmark = pytest.mark.django_db


def _newest() -> AuditEvent:
    return AuditEvent.objects.order_by("-pk").first()  # type: ignore[return-value]


def _read(client: Client, url: str, params: dict[str, str] | None = None) -> AuditEvent:
    before = AuditEvent.objects.count()
    assert client.get(url, params or {}).status_code == 200
    assert AuditEvent.objects.count() == before + 1  # one row per read, as before
    return _newest()


def test_each_page_and_document_of_a_patient_is_named_in_its_view_row(
    physician_client: Client, patient: Patient
) -> None:
    """The tester's sequence: seven reads, seven different rows (all were `{}`)."""
    r = records(patient)
    pk = patient.pk
    expected = [
        ("monitoring:patient", [pk], {}, {"page": "monitoring:patient"}),
        (
            "monitoring:patient_summary",
            [pk],
            {},
            {"page": "monitoring:patient_summary", "document": "printable summary"},
        ),
        (
            "monitoring:letter",
            [pk, "patient"],
            {},
            {"page": "monitoring:letter", "kind": "patient", "document": "letter to the patient"},
        ),
        (
            "monitoring:letter",
            [pk, "doctor"],
            {"copy": "clinician"},
            {
                "page": "monitoring:letter",
                "kind": "doctor",
                "document": "letter to the doctor",
                "copy": "clinician",
            },
        ),
        (
            "monitoring:scan_request",
            [pk],
            {},
            {"page": "monitoring:scan_request", "document": "DEXA scan request"},
        ),
        ("monitoring:labs_create", [pk], {}, {"page": "monitoring:labs_create"}),
        ("monitoring:lab_update", [pk, r["lab"]], {}, {"page": "monitoring:lab_update"}),
        ("monitoring:plan", [pk], {}, {"page": "monitoring:plan"}),
    ]
    for name, args, params, changes in expected:
        row = _read(physician_client, reverse(name, args=args), params)
        assert (row.action, row.patient_id, row.object_id) == (AuditAction.VIEW, pk, str(pk))
        if name == "monitoring:lab_update":
            changes = {**changes, "record_pk": r["lab"]}  # which record the form opened
        assert row.changes == changes, name


def test_a_copy_the_letter_ignores_is_not_recorded(
    physician_client: Client, patient: Patient
) -> None:
    url = reverse("monitoring:letter", args=[patient.pk, "doctor"])
    row = _read(physician_client, url, {"copy": "everything"})
    assert "copy" not in row.changes
    assert row.changes["document"] == "letter to the doctor"


def test_an_administrator_sees_which_document_was_produced_but_no_record_value(
    physician_client: Client, admin_client_: Client, patient: Patient
) -> None:
    lab = records(patient)["lab"]
    _read(
        physician_client,
        reverse("monitoring:letter", args=[patient.pk, "doctor"]),
        {"copy": "clinician"},
    )
    _read(physician_client, reverse("monitoring:lab_update", args=[patient.pk, lab]))
    page = admin_client_.get(reverse("audit:list"), {"user": "physician"}).text
    assert "letter to the doctor" in page
    assert "monitoring:lab_update" in page
    response = admin_client_.get(reverse("audit:export"), {"user": "physician"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    values = [row["values"] for row in csv.DictReader(io.StringIO(body))]
    assert (
        "copy: clinician; document: letter to the doctor; kind: doctor; page: monitoring:letter"
        in values
    )
    # The id of the lab opened is the record's, hidden as every value of it is.
    assert "page: monitoring:lab_update; record_pk: (hidden)" in values


def test_each_view_of_the_audit_trail_is_audited_with_its_filters(
    admin_user: User, admin_client_: Client, patient: Patient, site: Site, other_site: Site
) -> None:
    for _ in range(2):
        row = _read(admin_client_, reverse("audit:list"), {"mrn": patient.mrn})
        assert (row.action, row.actor_id, row.patient_id) == (
            AuditAction.VIEW,
            admin_user.pk,
            None,
        )
        assert row.changes["shown"] == "audit trail"
        assert row.changes["filters"] == {"mrn": patient.mrn}
        assert row.changes["page"] == 1
    assert AuditEvent.objects.filter(actor=admin_user, changes__shown="audit trail").count() == 2
    # Scoped as every event naming no patient: the sites recorded are the viewer's.
    assert row.sites_recorded
    assert set(AuditEventSite.objects.filter(event=row).values_list("site", flat=True)) == {site.pk}
    # A refused filter (a reversed range) applies none, and none is recorded.
    row = _read(
        admin_client_, reverse("audit:list"), {"date_from": "2026-02-01", "date_to": "2026-01-01"}
    )
    assert row.changes["filters"] == {}
    # The administrator of another site does not read them.
    elsewhere = UserFactory(username="admin.elsewhere", role="admin", sites=[other_site])
    TOTPDevice.objects.create(user=elsewhere, name="test", confirmed=True)
    rows = login(elsewhere).get(reverse("audit:list")).context["rows"]
    assert all(r.event.actor_id != admin_user.pk for r in rows)


def test_the_worklist_records_the_weeks_it_listed_not_those_refused(
    nurse_client: Client,
) -> None:
    row = _read(nurse_client, reverse("monitoring:worklist"), {"weeks": "520"})
    assert row.changes["filters"] == {"weeks": 8}  # as worklist.csv records it
    assert row.changes["refused"] == {"weeks": "520"}
    csv_response = nurse_client.get(reverse("monitoring:worklist_csv"), {"weeks": "520"})
    b"".join(csv_response.streaming_content)  # type: ignore[attr-defined]
    assert _newest().changes["filters"] == row.changes["filters"]
    row = _read(nurse_client, reverse("monitoring:worklist"), {"weeks": "9", "page": "7"})
    assert row.changes["filters"] == {"weeks": 9}
    assert "refused" not in row.changes
    assert (row.changes["page"], row.changes["work_page"]) == (1, 1)  # the pages shown
    row = _read(nurse_client, reverse("monitoring:worklist"), {"site": "999"})
    assert row.changes["filters"] == {"weeks": 8}
    assert row.changes["refused"] == {"site": "999"}


def test_the_dashboard_records_the_filters_it_applied(physician_client: Client, site: Site) -> None:
    row = _read(physician_client, reverse("monitoring:dashboard"), {"severity": "worst"})
    assert row.changes["filters"] == {}
    assert row.changes["refused"] == {"severity": "worst"}
    params = {"severity": "high", "site": str(site.pk), "unknown": "x"}
    row = _read(physician_client, reverse("monitoring:dashboard"), params)
    assert row.changes["filters"] == {"severity": "high", "site": site.code}
    assert "refused" not in row.changes


def test_the_patient_list_records_the_search_it_applied(
    physician_client: Client, patient: Patient
) -> None:
    row = _read(physician_client, reverse("patients:list"), {"q": "x" * 101, "page": "9"})
    assert "query" not in row.changes  # too long: refused, every patient listed
    assert row.changes["page"] == 1
    assert row.changes["patients"] == [patient.pk]
