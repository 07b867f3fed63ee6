"""A record id of another patient tried through a patient the user may open (security7 F7).

/patients/<own>/labs/<another site's lab>/edit/ is the same 404 as an id nobody has, and writes a
DENIED row naming the record's own patient and the record, as asking for that patient directly does.
"""

from collections.abc import Callable
from datetime import date

import pytest
from django.urls import reverse

from bonehealth.accounts.models import User
from bonehealth.audit.models import AuditAction
from monitoring.models import BoneTherapyCourse, BoneTherapyDose, DexaScan
from patients.models import Patient
from tests.audit.test_read_audit import _last_id, _new_rows, _unsalted
from tests.conftest import login
from tests.factories import AromataseInhibitorCourseFactory
from tests.monitoring.app.test_access_monitoring import records

pytestmark = pytest.mark.django_db

Records = dict[str, int]
# Each page of one record under a patient: its URL name, its arguments, and the record it names.
RECORD_PAGES: list[tuple[str, Callable[[int, Records], list[object]], str]] = [
    ("monitoring:scan_update", lambda pk, r: [pk, r["scan"]], "monitoring.dexascan"),
    ("monitoring:lab_update", lambda pk, r: [pk, r["lab"]], "monitoring.labresult"),
    ("monitoring:frax_update", lambda pk, r: [pk, r["frax"]], "monitoring.fraxresult"),
    ("monitoring:therapy_update", lambda pk, r: [pk, r["course"]], "monitoring.bonetherapycourse"),
    ("monitoring:dose_create", lambda pk, r: [pk, r["course"]], "monitoring.bonetherapycourse"),
    (
        "monitoring:dose_mark_in_error",
        lambda pk, r: [pk, r["course"], r["dose"]],
        "monitoring.bonetherapycourse",
    ),
    (
        "monitoring:entry_mark_in_error",
        lambda pk, r: [pk, "scan", r["scan"]],
        "monitoring.dexascan",
    ),
    ("monitoring:entry_mark_in_error", lambda pk, r: [pk, "lab", r["lab"]], "monitoring.labresult"),
    (
        "monitoring:entry_mark_in_error",
        lambda pk, r: [pk, "frax", r["frax"]],
        "monitoring.fraxresult",
    ),
    (
        "patients:ai_course_update",
        lambda pk, r: [pk, r["ai_course"]],
        "patients.aromataseinhibitorcourse",
    ),
    (
        "patients:ai_course_mark_in_error",
        lambda pk, r: [pk, r["ai_course"]],
        "patients.aromataseinhibitorcourse",
    ),
]


def _records(patient: Patient) -> Records:
    return {**records(patient), "ai_course": AromataseInhibitorCourseFactory(patient=patient).pk}


@pytest.mark.parametrize(
    ("name", "args", "record_type"),
    RECORD_PAGES,
    ids=[f"{name}-{i}" for i, (name, _, _) in enumerate(RECORD_PAGES)],
)
def test_another_patients_record_through_ones_own_patient_is_a_404_audited_as_denied(
    physician: User,
    patient: Patient,
    foreign_patient: Patient,
    name: str,
    args: Callable[[int, Records], list[object]],
    record_type: str,
) -> None:
    foreign = _records(foreign_patient)
    own = _records(patient)
    client = login(physician)
    missing = {key: value + 10_000 for key, value in own.items() if isinstance(value, int)}
    since = _last_id()
    absent = client.get(reverse(name, args=args(patient.pk, missing)))
    assert absent.status_code == 404
    assert _new_rows(since) == []  # an id nobody has: nothing to audit

    probe = client.get(reverse(name, args=args(patient.pk, foreign)))

    assert probe.status_code == 404
    assert _unsalted(probe.content) == _unsalted(absent.content)  # nothing says it exists
    rows = _new_rows(since)
    assert [(r.action, r.actor_id, r.patient_id, r.object_id) for r in rows] == [
        (AuditAction.DENIED, physician.pk, foreign_patient.pk, str(foreign_patient.pk))
    ]
    record_pk = args(patient.pk, foreign)[1 if "mark_in_error" not in name else -1]
    if name == "monitoring:dose_mark_in_error":
        record_pk = foreign["course"]  # the course is looked up first
    assert rows[0].changes["record"] == f"{record_type} {record_pk}"
    assert rows[0].changes["status"] == 404


def test_a_nurse_probing_a_lab_id_is_audited_and_reads_nothing(
    nurse: User, patient: Patient, foreign_patient: Patient
) -> None:
    foreign = _records(foreign_patient)
    client = login(nurse)
    since = _last_id()
    response = client.get(reverse("monitoring:lab_update", args=[patient.pk, foreign["lab"]]))
    assert response.status_code == 404
    assert foreign_patient.mrn not in response.text
    assert [(r.action, r.patient_id) for r in _new_rows(since)] == [
        (AuditAction.DENIED, foreign_patient.pk)
    ]


def test_a_sign_off_of_another_patients_scan_signs_nothing_and_is_audited(
    physician: User, patient: Patient, foreign_patient: Patient
) -> None:
    foreign = _records(foreign_patient)
    client = login(physician)
    since = _last_id()
    url = reverse("monitoring:scan_sign_off", args=[patient.pk, foreign["scan"]])
    assert client.post(url).status_code == 404
    assert DexaScan.objects.get(pk=foreign["scan"]).reviewed_by is None
    rows = _new_rows(since)
    assert [(r.action, r.patient_id) for r in rows] == [(AuditAction.DENIED, foreign_patient.pk)]
    assert rows[0].changes["record"] == f"monitoring.dexascan {foreign['scan']}"


def test_a_record_of_the_same_patient_under_another_parent_is_not_a_probe(
    physician: User, patient: Patient
) -> None:
    own = _records(patient)
    other_course = BoneTherapyCourse.objects.create(
        patient=patient, drug="zoledronic_acid", start_date=date(2023, 1, 1)
    )
    other_dose = BoneTherapyDose.objects.create(course=other_course, given_on=date(2023, 1, 1))
    client = login(physician)
    since = _last_id()
    url = reverse("monitoring:dose_mark_in_error", args=[patient.pk, own["course"], other_dose.pk])
    assert client.get(url).status_code == 404
    assert _new_rows(since) == []  # the user may see that dose's patient: nothing was probed


@pytest.mark.parametrize(
    ("name", "args", "status"),
    [
        # The nurse may not edit a course: the role check answers first (403).
        ("monitoring:therapy_update", lambda pk, r: [pk, r["course"]], 403),
        ("monitoring:entry_mark_in_error", lambda pk, r: [pk, "therapy", r["course"]], 403),
        # The nurse records doses: the gate answers (404).
        ("monitoring:dose_create", lambda pk, r: [pk, r["course"]], 404),
    ],
)
def test_a_nurse_probing_a_course_is_audited_against_its_patient_whoever_answers_first(
    nurse: User,
    patient: Patient,
    foreign_patient: Patient,
    name: str,
    args: Callable[[int, Records], list[object]],
    status: int,
) -> None:
    """sec9 F11: a 403 named the URL's patient and no record, the 404 the record's own."""
    foreign = _records(foreign_patient)
    own = _records(patient)
    client = login(nurse)
    since = _last_id()
    absent = client.get(reverse(name, args=args(patient.pk, {"course": own["course"] + 10_000})))
    probe = client.get(reverse(name, args=args(patient.pk, foreign)))

    assert (absent.status_code, probe.status_code) == (status, status)
    assert _unsalted(probe.content) == _unsalted(absent.content)  # nothing says it exists
    assert foreign_patient.mrn not in probe.text
    rows = _new_rows(since)
    course = f"monitoring.bonetherapycourse {foreign['course']}"
    expected: list[tuple[str, int, str | None]] = [(AuditAction.DENIED, foreign_patient.pk, course)]
    if status == 403:  # the role check refuses an id nobody has too: against the URL's patient
        expected.insert(0, (AuditAction.DENIED, patient.pk, None))
    assert [(r.action, r.patient_id, r.changes.get("record")) for r in rows] == expected
    assert all(r.changes["status"] == status for r in rows)


def test_a_refused_page_of_a_patients_own_course_names_the_course(
    nurse: User, patient: Patient
) -> None:
    own = _records(patient)
    client = login(nurse)
    since = _last_id()
    url = reverse("monitoring:therapy_update", args=[patient.pk, own["course"]])
    assert client.get(url).status_code == 403
    rows = _new_rows(since)
    assert [(r.patient_id, r.changes["record"]) for r in rows] == [
        (patient.pk, f"monitoring.bonetherapycourse {own['course']}")
    ]
    assert BoneTherapyCourse.objects.get(pk=own["course"]).version == 1
