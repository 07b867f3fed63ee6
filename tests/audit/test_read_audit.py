"""Every read of patient data writes one audit row naming the reader and the patients shown;
every refused attempt writes one DENIED row; a patient id nobody has writes nothing."""

import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from bonehealth.accounts.models import User
from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.models import Alert
from patients.models import Patient
from tests.conftest import login
from tests.factories import AromataseInhibitorCourseFactory, PatientFactory
from tests.monitoring.app.test_access_monitoring import SITE_WIDE, records
from tests.monitoring.app.test_access_monitoring import URLS as MONITORING_URLS

pytestmark = pytest.mark.django_db

Args = Callable[[dict[str, int]], list[object]]


def _course(r: dict[str, int]) -> list[object]:
    return [r["pk"], AromataseInhibitorCourseFactory(patient_id=r["pk"]).pk]


# Every page that shows one patient's data, with the role that may open it.
PATIENT_PAGES: list[tuple[str, Args]] = [
    ("patients:update", lambda r: [r["pk"]]),
    ("patients:mark_in_error", lambda r: [r["pk"]]),
    ("patients:end_follow_up", lambda r: [r["pk"]]),
    ("patients:ai_course_create", lambda r: [r["pk"]]),
    ("patients:ai_course_update", _course),
    ("patients:ai_course_mark_in_error", _course),
] + [
    (name, args)
    for name, args, allowed in MONITORING_URLS
    if "physician" in allowed
    and name not in SITE_WIDE
    # A patient's FHIR download is an EXPORT row (tests/monitoring/app/test_exports.py).
    and name != "monitoring:patient_fhir"
    # A scanner's page shows no patient; the preview of an LSC change audits the patients it
    # names (tests/monitoring/app/test_scanners.py).
    and name != "monitoring:scanner_update"
]
LIST_PAGES = ["patients:list", "monitoring:dashboard", "monitoring:worklist"]


def _unsalted(page: bytes) -> bytes:
    """The page without what differs on every response (CSP nonces, CSRF tokens, and the idle
    timer's seconds left, which count down to the absolute session limit between responses)."""
    return re.sub(rb'(nonce|value|data-idle-seconds)="[^"]*"', b"", page)


def _new_rows(since: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(pk__gt=since).order_by("pk"))


def _last_id() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


@pytest.mark.parametrize(
    ("name", "args"), PATIENT_PAGES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(PATIENT_PAGES)]
)
def test_a_get_of_a_patient_page_writes_one_view_row(
    physician: User, patient: Patient, name: str, args: Args
) -> None:
    url = reverse(name, args=args(records(patient)))
    client = login(physician)
    since = _last_id()
    assert client.get(url).status_code == 200
    rows = _new_rows(since)
    assert [(r.action, r.patient_id, r.actor_id) for r in rows] == [
        (AuditAction.VIEW, patient.pk, physician.pk)
    ]
    # The row names the page it produced (sec10 F2), by its URL name.
    assert rows[0].changes["page"] == name


@pytest.mark.parametrize(
    ("name", "args"), PATIENT_PAGES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(PATIENT_PAGES)]
)
def test_a_patient_of_another_site_is_a_404_audited_as_denied(
    physician: User, foreign_patient: Patient, name: str, args: Args
) -> None:
    url = reverse(name, args=args(records(foreign_patient)))
    client = login(physician)
    since = _last_id()
    assert client.get(url).status_code == 404
    rows = _new_rows(since)
    assert [(r.action, r.patient_id, r.actor_id) for r in rows] == [
        (AuditAction.DENIED, foreign_patient.pk, physician.pk)
    ]
    assert rows[0].changes["status"] == 404


def test_a_patient_id_nobody_has_writes_nothing_and_looks_like_another_sites(
    physician: User, foreign_patient: Patient
) -> None:
    client = login(physician)
    missing = Patient.objects.order_by("-pk").values_list("pk", flat=True)[0] + 1000
    since = _last_id()
    absent = client.get(reverse("patients:update", args=[missing]))
    assert absent.status_code == 404
    assert _new_rows(since) == []
    refused = client.get(reverse("patients:update", args=[foreign_patient.pk]))
    assert refused.status_code == 404
    assert _unsalted(refused.content) == _unsalted(absent.content)  # nothing says who exists
    assert client.get(reverse("monitoring:patient", args=[missing])).status_code == 404
    assert [r.action for r in _new_rows(since)] == [AuditAction.DENIED]


def test_a_403_on_a_patient_url_is_audited_as_denied(nurse: User, patient: Patient) -> None:
    client = login(nurse)
    since = _last_id()
    assert client.get(reverse("monitoring:plan", args=[patient.pk])).status_code == 403
    rows = _new_rows(since)
    assert [(r.action, r.patient_id, r.actor_id) for r in rows] == [
        (AuditAction.DENIED, patient.pk, nurse.pk)
    ]
    assert rows[0].changes["status"] == 403


def test_a_nurse_refused_a_high_alert_is_audited_against_its_patient(
    nurse: User, patient: Patient
) -> None:
    alert = Alert.objects.get(pk=records(patient)["alert"])
    Alert.objects.filter(pk=alert.pk).update(severity="high", severity_rank=3)
    client = login(nurse)
    since = _last_id()
    assert client.get(reverse("monitoring:alert_acknowledge", args=[alert.pk])).status_code == 403
    assert [(r.action, r.patient_id) for r in _new_rows(since)] == [
        (AuditAction.DENIED, patient.pk)
    ]


def test_a_post_writes_no_view_row(physician: User, patient: Patient) -> None:
    client = login(physician)
    since = _last_id()
    response = client.post(reverse("patients:mark_in_error", args=[patient.pk]), {"reason": ""})
    assert response.status_code == 200  # the form again, with its error
    assert _new_rows(since) == []


def test_the_patient_list_writes_one_row_with_the_search_and_the_patients_shown(
    physician: User, site: object
) -> None:
    shown = PatientFactory(site=site, mrn="A-100")
    PatientFactory(site=site, mrn="B-200")
    client = login(physician)
    since = _last_id()
    assert client.get(reverse("patients:list"), {"q": "A-1"}).status_code == 200
    rows = _new_rows(since)
    assert [(r.action, r.actor_id, r.patient_id) for r in rows] == [
        (AuditAction.VIEW, physician.pk, None)
    ]
    assert rows[0].changes["patients"] == [shown.pk]
    assert rows[0].changes["query"] == "A-1"


@pytest.mark.parametrize("name", LIST_PAGES)
def test_a_list_page_is_audited_on_every_view_cached_or_not(
    physician: User, patient: Patient, name: str
) -> None:
    records(patient)
    patient_assessment_refresh(patient=patient)  # a scan to review: the dashboard lists them
    client = login(physician)
    since = _last_id()
    first = client.get(reverse(name))
    second = client.get(reverse(name))
    assert (first.status_code, second.status_code) == (200, 200)
    rows = _new_rows(since)
    assert [(r.action, r.actor_id) for r in rows] == [(AuditAction.VIEW, physician.pk)] * 2
    assert rows[0].changes["patients"] == rows[1].changes["patients"]
    if name != "monitoring:worklist":  # the worklist lists the patient only once something is due
        assert rows[0].changes["patients"] == [patient.pk]


def test_the_patient_page_is_audited_on_every_view_cached_or_not(
    physician: User, patient: Patient
) -> None:
    client = login(physician)
    since = _last_id()
    for _ in range(2):
        assert client.get(reverse("monitoring:patient", args=[patient.pk])).status_code == 200
    assert [(r.action, r.patient_id) for r in _new_rows(since)] == [
        (AuditAction.VIEW, patient.pk)
    ] * 2


@pytest.mark.parametrize("name", ["monitoring:worklist_print", "monitoring:worklist_csv"])
def test_a_worklist_export_names_every_patient_in_it(
    nurse_client: Client, nurse: User, patient: Patient, name: str
) -> None:
    from monitoring.models import ScheduledItem

    since = _last_id()
    response = nurse_client.get(reverse(name), {"weeks": "520"})
    assert response.status_code == 200
    if hasattr(response, "streaming_content"):
        b"".join(response.streaming_content)  # type: ignore[arg-type]
    rows = _new_rows(since)
    assert [(r.action, r.actor_id) for r in rows] == [(AuditAction.EXPORT, nurse.pk)]
    due = set(ScheduledItem.objects.values_list("patient_id", flat=True))
    assert rows[0].changes["patients"] == sorted(due)
    assert rows[0].changes["rows"] == ScheduledItem.objects.count()
