"""Every monitoring URL: anonymous to login, wrong role 403, other site 404, right role 200."""

from collections.abc import Callable
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from bonehealth.accounts.models import User
from monitoring.models import Alert, BoneTherapyCourse, BoneTherapyDose, FraxResult
from patients.models import Patient
from tests.conftest import login
from tests.factories import AromataseInhibitorCourseFactory, DexaScanFactory, LabResultFactory

pytestmark = pytest.mark.django_db

CLINICIANS = {"nurse", "physician"}
PHYSICIAN = {"physician"}
ADMIN = {"admin"}


def records(patient: Patient) -> dict[str, int]:
    scan = DexaScanFactory(patient=patient)
    lab = LabResultFactory(patient=patient)
    frax = FraxResult.objects.create(
        patient=patient, assessed_on=date(2024, 1, 1), major_osteoporotic_pct=10, hip_pct=1
    )
    course = BoneTherapyCourse.objects.create(
        patient=patient, drug="denosumab", start_date=date(2024, 2, 1)
    )
    dose = BoneTherapyDose.objects.create(course=course, given_on=date(2024, 2, 1))
    ai_course = AromataseInhibitorCourseFactory(patient=patient)
    alert = Alert.objects.create(
        patient=patient,
        code="DENOSUMAB_DUE",
        severity="warning",
        severity_rank=1,
        message="due",
        raised_at="2024-08-01T00:00Z",
    )
    return {
        "pk": patient.pk,
        "scan": scan.pk,
        "scanner": scan.scanner_id,
        "lab": lab.pk,
        "frax": frax.pk,
        "course": course.pk,
        "dose": dose.pk,
        "alert": alert.pk,
        "alert_code": alert.code,
        "ai_course": ai_course.pk,
    }


URLS: list[tuple[str, Callable[[dict[str, int]], list[object]], set[str]]] = [
    ("monitoring:dashboard", lambda r: [], PHYSICIAN),
    ("monitoring:worklist", lambda r: [], CLINICIANS),
    ("monitoring:worklist_print", lambda r: [], CLINICIANS),
    ("monitoring:worklist_csv", lambda r: [], CLINICIANS),
    ("monitoring:patient", lambda r: [r["pk"]], CLINICIANS),
    ("monitoring:patient_summary", lambda r: [r["pk"]], CLINICIANS),
    ("monitoring:scan_request", lambda r: [r["pk"]], CLINICIANS),
    ("monitoring:letter", lambda r: [r["pk"], "patient"], CLINICIANS),
    ("monitoring:letter", lambda r: [r["pk"], "doctor"], CLINICIANS),
    ("monitoring:patient_fhir", lambda r: [r["pk"]], CLINICIANS),
    ("monitoring:cohort_export", lambda r: [], CLINICIANS),
    # A record's history, and the entries marked in error (nurse12 F5): pages of the patient's
    # record like the others, for whoever may open it, never an administrator.
    ("monitoring:record_history", lambda r: [r["pk"], "scan", r["scan"]], CLINICIANS),
    ("monitoring:record_history", lambda r: [r["pk"], "lab", r["lab"]], CLINICIANS),
    ("monitoring:record_history", lambda r: [r["pk"], "frax", r["frax"]], CLINICIANS),
    ("monitoring:record_history", lambda r: [r["pk"], "therapy", r["course"]], CLINICIANS),
    ("monitoring:record_history", lambda r: [r["pk"], "dose", r["dose"]], CLINICIANS),
    ("monitoring:record_history", lambda r: [r["pk"], "ai_course", r["ai_course"]], CLINICIANS),
    ("monitoring:history", lambda r: [r["pk"], "patient"], CLINICIANS),
    ("monitoring:history", lambda r: [r["pk"], "supplements"], CLINICIANS),
    ("monitoring:history", lambda r: [r["pk"], "plan"], CLINICIANS),
    ("monitoring:entries_in_error", lambda r: [r["pk"]], CLINICIANS),
    ("monitoring:scan_create", lambda r: [r["pk"]], CLINICIANS),
    ("monitoring:scan_update", lambda r: [r["pk"], r["scan"]], CLINICIANS),
    ("monitoring:labs_create", lambda r: [r["pk"]], CLINICIANS),
    ("monitoring:lab_update", lambda r: [r["pk"], r["lab"]], CLINICIANS),
    ("monitoring:frax_create", lambda r: [r["pk"]], CLINICIANS),
    ("monitoring:frax_update", lambda r: [r["pk"], r["frax"]], CLINICIANS),
    ("monitoring:therapy_create", lambda r: [r["pk"]], PHYSICIAN),
    ("monitoring:therapy_update", lambda r: [r["pk"], r["course"]], PHYSICIAN),
    ("monitoring:dental_review", lambda r: [r["pk"], r["course"]], CLINICIANS),
    ("monitoring:dose_create", lambda r: [r["pk"], r["course"]], CLINICIANS),
    ("monitoring:dose_mark_in_error", lambda r: [r["pk"], r["course"], r["dose"]], CLINICIANS),
    ("monitoring:supplements", lambda r: [r["pk"]], CLINICIANS),
    ("monitoring:plan", lambda r: [r["pk"]], PHYSICIAN),
    ("monitoring:entry_mark_in_error", lambda r: [r["pk"], "scan", r["scan"]], CLINICIANS),
    ("monitoring:entry_mark_in_error", lambda r: [r["pk"], "lab", r["lab"]], CLINICIANS),
    ("monitoring:entry_mark_in_error", lambda r: [r["pk"], "frax", r["frax"]], CLINICIANS),
    ("monitoring:entry_mark_in_error", lambda r: [r["pk"], "therapy", r["course"]], PHYSICIAN),
    ("monitoring:alert_acknowledge", lambda r: [r["alert"]], CLINICIANS),
    ("monitoring:alert_group_acknowledge", lambda r: [r["pk"], r["alert_code"]], CLINICIANS),
    # Site settings: administrators, and physicians for the LSC of a scanner with scans (the
    # nurses' read of scanner names stays on the DEXA form).
    ("monitoring:scanner_list", lambda r: [], ADMIN | PHYSICIAN),
    ("monitoring:scanner_create", lambda r: [], ADMIN),
    ("monitoring:scanner_update", lambda r: [r["scanner"]], ADMIN | PHYSICIAN),
    # Imports: clinicians (tests/monitoring/imports).
    ("monitoring:import_upload", lambda r: [], CLINICIANS),
    ("monitoring:import_preview", lambda r: [], CLINICIANS),
    ("monitoring:import_template", lambda r: [], CLINICIANS),
]
POST_ONLY = [
    ("monitoring:scan_sign_off", lambda r: [r["pk"], r["scan"]], PHYSICIAN),
    ("monitoring:import_confirm", lambda r: [], CLINICIANS),
]
# Pages over all the user's patients (no patient in the URL): another site's patient is left out of
# them rather than a 404 (tests/monitoring/app/test_dashboard.py and test_worklist.py).
SITE_WIDE = {
    "monitoring:dashboard",
    "monitoring:worklist",
    "monitoring:worklist_print",
    "monitoring:worklist_csv",
    "monitoring:import_upload",
    "monitoring:import_preview",
    "monitoring:import_template",
    "monitoring:import_confirm",
    # The scanners of the user's own sites only (tests/monitoring/app/test_scanners.py).
    "monitoring:scanner_list",
    "monitoring:cohort_export",
}
ROLES = ["nurse", "physician", "admin"]


@pytest.fixture
def users(nurse: User, physician: User, admin_user: User) -> dict[str, User]:
    return {"nurse": nurse, "physician": physician, "admin": admin_user}


def test_every_monitoring_url_is_in_the_table() -> None:
    from monitoring.urls import urlpatterns

    names = {f"monitoring:{p.name}" for p in urlpatterns}  # type: ignore[union-attr]
    assert names == {row[0] for row in URLS} | {row[0] for row in POST_ONLY}


@pytest.mark.parametrize(("name", "args", "allowed"), URLS + POST_ONLY)
def test_anonymous_goes_to_login(client: Client, patient: Patient, name, args, allowed) -> None:  # type: ignore[no-untyped-def]
    response = client.get(reverse(name, args=args(records(patient))))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "args", "allowed"), URLS)
def test_role(client: Client, users, patient: Patient, role: str, name, args, allowed) -> None:  # type: ignore[no-untyped-def]
    login(users[role], client)
    response = client.get(reverse(name, args=args(records(patient))))
    assert response.status_code == (200 if role in allowed else 403)


@pytest.mark.parametrize("role", ["nurse", "physician"])
@pytest.mark.parametrize(
    ("name", "args", "allowed"),
    [row for row in URLS + POST_ONLY if "physician" in row[2] and row[0] not in SITE_WIDE],
)
def test_other_sites_patient_is_404(
    client: Client, users, foreign_patient: Patient, role: str, name, args, allowed
) -> None:  # type: ignore[no-untyped-def]
    login(users[role], client)
    url = reverse(name, args=args(records(foreign_patient)))
    response = client.post(url) if (name, args, allowed) in POST_ONLY else client.get(url)
    assert response.status_code == (404 if role in allowed else 403)


@pytest.mark.parametrize("role", ROLES)
def test_sign_off_is_post_only_and_physician_only(
    client: Client, users, patient: Patient, role: str
) -> None:  # type: ignore[no-untyped-def]
    login(users[role], client)
    url = reverse("monitoring:scan_sign_off", args=POST_ONLY[0][1](records(patient)))
    assert client.get(url).status_code == (405 if role == "physician" else 403)
    assert client.post(url).status_code == (302 if role == "physician" else 403)


def test_unknown_entry_kind_is_404(nurse_client: Client, patient: Patient) -> None:
    url = reverse("monitoring:entry_mark_in_error", args=[patient.pk, "spaceship", 1])
    assert nurse_client.get(url).status_code == 404


def test_another_patients_entry_is_404(nurse_client: Client, site, patient: Patient) -> None:  # type: ignore[no-untyped-def]
    other = Patient.objects.create(site=site, mrn="OTHER", birth_date=date(1950, 1, 1))
    theirs = records(other)
    url = reverse("monitoring:scan_update", args=[patient.pk, theirs["scan"]])
    assert nurse_client.get(url).status_code == 404
