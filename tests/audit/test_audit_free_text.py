"""What a clinician typed is hidden in the audit trail from whoever may not read the patients'
values (sec14 #1): the name of an uploaded file, the reason given for an export, a search. An
administrator without a clinical role never reads it, on the page or in the CSV, but reads who,
when, what kind and which records; a clinician administrator reads it when their access gate holds
every patient the row lists. And a list is shown as a list, a change as a change (sec14 #2)."""

import csv
import io

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from bonehealth.accounts.models import Site, User
from bonehealth.audit.models import AuditAction, AuditEvent
from bonehealth.audit.selectors import SHOWN_TO_EVERY_VIEWER, AuditViewer
from bonehealth.audit.services import audit_list_record, audit_record
from monitoring.models import LabResult
from patients.models import Patient
from tests.conftest import admin_at, login
from tests.factories import LabResultFactory, PatientFactory, UserFactory
from tests.html_forms import visible_text
from tests.monitoring.imports.helpers import results_csv

pytestmark = pytest.mark.django_db

FILE = "A1001 Jane Example - bone metastases, vit D deficient.csv"
REASON = "Audit of hypocalcaemia in Jane Example MRN A1001 with metastatic disease"
SEARCH = "Jane Exam"
ERROR_REASON = "Typed into Jane Example's record, belongs to her sister with myeloma"
TYPED = (FILE, REASON, SEARCH, "metastases", "myeloma")


@pytest.fixture
def typed_by_clinicians(nurse: User, physician: User, patient: Patient) -> None:
    """The report's import preview and cohort export, a search, and a result marked in error
    with its reason, each by a clinician of North General, about Jane Example."""
    nurse_client, physician_client = login(nurse), login(physician)
    rows = [{"mrn": patient.mrn, "date": "2025-03-02", "measure": "vitamin_d_25oh",
             "value": "20", "unit": "nmol/L"}]  # fmt: skip
    upload = nurse_client.post(
        reverse("monitoring:import_upload"),
        {"kind": "results_csv", "file": SimpleUploadedFile(FILE, results_csv(rows).encode())},
        follow=True,
    )
    assert upload.status_code == 200
    exported = physician_client.post(
        reverse("monitoring:cohort_export"),
        {"follow_up": "all", "format": "csv", "reason": REASON},
    )
    assert exported.status_code == 200
    assert nurse_client.get(reverse("patients:list"), {"q": SEARCH}).status_code == 200
    lab = LabResultFactory(patient=patient)
    mark = reverse("monitoring:entry_mark_in_error", args=[patient.pk, "lab", lab.pk])
    page = nurse_client.get(mark)
    version = page.context["form"]["version"].value()
    marked = nurse_client.post(mark, {"reason": ERROR_REASON, "version": version})
    assert marked.status_code == 302
    assert LabResult.objects.get(pk=lab.pk).entered_in_error
    # The trail keeps every word: only what a viewer is shown hides them.
    changes = [e.changes for e in AuditEvent.objects.all()]
    assert any(c.get("file") == FILE for c in changes)
    assert any(c.get("reason") == REASON for c in changes)
    assert any(c.get("query") == SEARCH for c in changes)
    assert any(c.get("reason") == ERROR_REASON for c in changes)


def _page(client: Client, **query: str) -> str:
    response = client.get(reverse("audit:list"), query)
    assert response.status_code == 200
    return visible_text(response.text)


def _csv(client: Client, **query: str) -> list[dict[str, str]]:
    response = client.get(reverse("audit:export"), query)
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


def _values(rows: list[dict[str, str]], shown: str) -> str:
    """The values of the CSV row whose `shown` (or `export`) is `shown`."""
    [row] = [r for r in rows if f"shown: {shown}" in r["values"]]
    return row["values"]


def test_an_admin_reads_who_what_and_which_records_but_nothing_typed(
    admin_client_: Client, patient: Patient, typed_by_clinicians: None
) -> None:
    page = _page(admin_client_)
    rows = _csv(admin_client_)
    exported = " ".join(" ".join(row.values()) for row in rows)
    for shown in (page, exported):
        for words in TYPED:
            assert words not in shown, words
    preview = _values(rows, "import preview")
    assert "file: (hidden)" in preview
    assert "kind: results_csv" in preview
    assert f"patients: {patient.pk}" in preview
    assert "sha256: " in preview
    cohort = _values(rows, "cohort CSV")
    assert "reason: (hidden)" in cohort
    assert "count: 1" in cohort
    assert f"patients: {patient.pk}" in cohort
    assert "'follow_up': '(hidden)'" in cohort
    search = _values(rows, "patient list")
    assert "query: (hidden)" in search
    assert f"patients: {patient.pk}" in search
    # The mark in error: on the patient's record, its fields named, no value.
    [mark] = [row for row in rows if row["action"] == "mark_error"]
    assert (mark["patient_mrn"], mark["fields"], mark["values"]) == (
        "A1001",
        "entered_in_error reason version",
        "(hidden)",
    )
    # The page, as the CSV: who, which kind of page or file, which patients.
    assert "file: (hidden)" in page
    assert "reason: (hidden)" in page
    assert "shown: import preview" in page
    assert "shown: cohort CSV" in page
    assert "nurse" in page
    assert "physician" in page


def test_a_clinician_administrator_of_the_site_reads_what_was_typed(
    client: Client, admin_user: User, typed_by_clinicians: None
) -> None:
    admin_user.groups.add(Group.objects.get(name="physician"))
    login(admin_user, client)
    page = _page(client)
    rows = _csv(client)
    assert f"file: {FILE}" in page
    assert f"reason: {REASON}" in page
    assert f"query: {SEARCH}" in page
    assert f"reason: {ERROR_REASON}" in page
    assert f"file: {FILE}" in _values(rows, "import preview")
    assert f"reason: {REASON}" in _values(rows, "cohort CSV")


def test_a_clinician_administrator_reads_a_lists_typed_words_only_if_they_may_see_all_of_it(
    client: Client, site: Site, other_site: Site, patient: Patient, foreign_patient: Patient
) -> None:
    """A nurse of two sites exports the patients of both with a reason: a clinician administrator
    of one of them reads the event (one of its patients is theirs) but not what she typed, nor its
    clinical filters' values; one of both sites reads them."""
    both = UserFactory(username="nurse2", role="nurse", sites=[site, other_site])
    exported = login(both).post(
        reverse("monitoring:cohort_export"),
        {"follow_up": "all", "alert": "", "format": "csv", "reason": REASON},
    )
    assert exported.status_code == 200
    north = admin_at("adminnorth", site)
    north.groups.add(Group.objects.get(name="physician"))
    cohort = _values(_csv(login(north)), "cohort CSV")
    assert "reason: (hidden)" in cohort
    assert "'follow_up': '(hidden)'" in cohort
    assert f"patients: {patient.pk}, {foreign_patient.pk}" in cohort
    assert REASON not in _page(login(north))
    everywhere = admin_at("adminboth", site, other_site)
    everywhere.groups.add(Group.objects.get(name="physician"))
    assert f"reason: {REASON}" in _values(_csv(login(everywhere)), "cohort CSV")
    assert f"reason: {REASON}" in _page(login(everywhere))


def test_a_field_nobody_has_judged_is_hidden(
    admin_client_: Client, client: Client, admin_user: User, nurse: User, patient: Patient
) -> None:
    """A free-text field added to a list's row later is hidden until it is listed as safe."""
    assert "comment" not in SHOWN_TO_EVERY_VIEWER
    audit_list_record(
        actor=nurse,
        shown="a new list",
        patient_ids=[patient.pk],
        details={"comment": "Jane Example, relapse"},
    )
    assert "comment: (hidden)" in _page(admin_client_)
    admin_user.groups.add(Group.objects.get(name="nurse"))
    assert "comment: Jane Example, relapse" in _page(login(admin_user, client))


def test_an_imports_summary_shows_its_file_to_nobody(
    client: Client, admin_user: User, nurse: User
) -> None:
    """The summary of an import counts its patients but names none: no clinician can be shown to
    read them all, so its file name is hidden from every viewer (each patient's own import row
    shows it to a clinician whose gate holds her)."""
    audit_record(
        action=AuditAction.IMPORT,
        actor=nurse,
        changes={"format": "results_csv", "file": FILE, "sha256": "ab", "patients": 1},
    )
    admin_user.groups.add(Group.objects.get(name="physician"))
    page = _page(login(admin_user, client), action="import")
    assert "file: (hidden)" in page
    assert "format: results_csv" in page
    assert "patients: 1" in page


def test_the_gate_is_read_once_per_page_of_events(
    admin_user: User, nurse: User, site: Site, django_assert_num_queries: object
) -> None:
    admin_user.groups.add(Group.objects.get(name="physician"))
    for n in range(5):
        patients = [PatientFactory(site=site).pk for _ in range(n)]
        audit_list_record(actor=nurse, shown="patient list", patient_ids=patients)
    viewer = AuditViewer(User.objects.get(pk=admin_user.pk))
    events = list(viewer.scoped(AuditEvent.objects.all()))
    with django_assert_num_queries(1):  # type: ignore[operator]
        rows = list(viewer.rows(events))
    assert all(row.values is not None and "(hidden)" not in str(row.values) for row in rows)


# sec14 #2: a list is a list; a change row's [before, after] is a change.


def test_a_new_account_with_two_roles_and_two_sites_reads_as_a_list(
    admin_client_: Client, admin_user: User, site: Site, other_site: Site
) -> None:
    admin_user.sites.add(other_site)
    roles = [Group.objects.get(name=name).pk for name in ("nurse", "physician")]
    created = admin_client_.post(
        reverse("accounts:user_create"),
        {
            "username": "dualrole",
            "email": "dual@example.org",
            "roles": roles,
            "sites": [site.pk, other_site.pk],
        },
    )
    assert created.status_code == 302
    page = _page(admin_client_, user="admin", action="create")
    assert "roles: nurse, physician" in page
    assert "sites: elsewhere, north" in page or "sites: north, elsewhere" in page
    assert "→" not in page
    [row] = [r for r in _csv(admin_client_, user="admin", action="create")]
    assert "→" not in row["values"]
    # Changing them is a change, before and after.
    user = User.objects.get(username="dualrole")
    changed = admin_client_.post(
        reverse("accounts:user_update", args=[user.pk]),
        {
            "first_name": "",
            "last_name": "",
            "email": "dual@example.org",
            "roles": roles[:1],
            "sites": [site.pk, other_site.pk],
            "version": user.version,
        },
    )
    assert changed.status_code == 302
    assert "roles: nurse, physician → nurse" in _page(admin_client_, user="admin", action="change")


def test_a_list_of_two_patients_reads_as_a_list(
    admin_client_: Client, nurse_client: Client, site: Site, patient: Patient
) -> None:
    other = PatientFactory(site=site, name="Jane Other")
    assert nurse_client.get(reverse("patients:list"), {"q": "Jane"}).status_code == 200
    page = _page(admin_client_, user="nurse", action="view")
    assert f"patients: {patient.pk}, {other.pk}" in page
    assert "→" not in page


def test_the_viewer_tells_a_pair_from_a_list_by_how_changes_are_stored(
    client: Client, admin_user: User, nurse: User, patient: Patient
) -> None:
    """A change row keeps [before, after] for a field of its record, and for the changes named
    in `CHANGES_OF_NO_FIELD` (a scan's site among them); any other two-item list, of a change
    row (two alerts acknowledged together) or of any other row (a creation's), is a list."""
    lab = LabResultFactory(patient=patient)
    audit_record(
        action=AuditAction.CHANGE,
        actor=nurse,
        obj=lab,
        patient=patient,
        changes={
            "entered_value": ["35", "36"],
            "group": [11, 12],
            "site:lumbar_spine": [["0.912", "-1.2", ""], ["0.900", "-1.3", ""]],
            "version": [1, 2],
        },
    )
    audit_record(
        action=AuditAction.CREATE,
        actor=nurse,
        obj=lab,
        patient=patient,
        changes={"entered_value": "35", "safety_checks_failed": ["a", "b"]},
    )
    admin_user.groups.add(Group.objects.get(name="nurse"))
    page = _page(login(admin_user, client), mrn=patient.mrn)
    assert "entered_value: 35 → 36" in page
    assert "group: 11, 12" in page
    assert "site:lumbar_spine: 0.912, -1.2, → 0.900, -1.3," in page
    assert "version: 1 → 2" in page
    assert "safety_checks_failed: a, b" in page
