"""A record marked entered in error while a colleague corrects it (sec11 #1), as real concurrent
transactions on PostgreSQL.

A physician opened the page marking a calcium of 1.9 mmol/L in error; a nurse corrected it to
2.35; the physician's submit then hid the corrected 2.35, which she had never seen. The tester's
race (both sent at once) did the same in 2 of 6 runs. The mark page now sends the record's version
as it showed it, and the mark checks it under the record's row lock, which the correction holds
too: whichever commits first, the other is refused, and nothing the user did not read is hidden.
"""

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import Site, User
from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring.assessment.refresh import assessments_refresh
from monitoring.models import DexaScan, LabResult
from monitoring.records.services.in_error import entry_mark_in_error
from patients.models import Patient
from tests.conftest import login
from tests.factories import (
    DexaScanFactory,
    LabResultFactory,
    PatientFactory,
    UserFactory,
)
from tests.html_forms import posted_data
from tests.races import POSTGRESQL_ONLY, at_once, holding, in_thread
from tests.record_edits import correct_calcium, correct_scan, entry_mark_url, marks_of

pytestmark = POSTGRESQL_ONLY

TODAY = timezone.localdate()
REASON = "entered for the wrong patient"
CHANGED = "Not marked: the record was changed by Nell Bright at "
MARKED = "was marked entered in error by Philippa Physician at "


@pytest.fixture
def nurse(ward: Site) -> User:
    return UserFactory(
        username="nurse.b", first_name="Nell", last_name="Bright", role="nurse", sites=[ward]
    )


@pytest.fixture
def physician(ward: Site) -> User:
    return UserFactory(
        username="doc", first_name="Philippa", last_name="Physician", role="physician", sites=[ward]
    )


@pytest.fixture
def patient(ward: Site) -> Patient:
    patient: Patient = PatientFactory(site=ward, mrn="RACE-1", name="Patricia Fischer")
    return patient


def _calcium(patient: Patient) -> LabResult:
    lab: LabResult = LabResultFactory(
        patient=patient,
        sample_date=TODAY - timedelta(days=17),
        analyte="calcium",
        value=Decimal("1.9"),
        entered_value=Decimal("1.9"),
        entered_unit="mmol/L",
    )
    assessments_refresh([patient.pk])  # her stored assessment, as registering her creates it
    return lab


def _scan(patient: Patient) -> DexaScan:
    scan: DexaScan = DexaScanFactory(patient=patient, scan_date=TODAY - timedelta(days=30))
    assessments_refresh([patient.pk])
    return scan


def _shown_mark(client: Client, url: str) -> dict[str, str]:
    """The mark form as its page drew it, a reason typed."""
    return posted_data(client.get(url).text, having="reason") | {"reason": REASON}


def _refusal(response: Any) -> str:
    assert getattr(response, "status_code", response) == 200, response
    (refusal,) = response.context["form"].non_field_errors()
    return str(refusal)


# --- The mark waits for the correction: refused, naming who corrected it and what it now says --


@pytest.mark.parametrize(
    ("kind", "make", "correct", "now_reads"),
    [
        (
            "lab",
            _calcium,
            correct_calcium,
            "It now reads: Calcium (albumin-adjusted) 2.35 mmol/L (sample of",
        ),
        (
            "scan",
            _scan,
            correct_scan,
            "Lumbar spine (L1-L4) 0.812 g/cm² (T -2.6)",
        ),
    ],
)
def test_a_mark_waiting_for_a_correction_is_refused_and_marks_nothing(
    patient: Patient,
    nurse: User,
    physician: User,
    kind: str,
    make: Any,
    correct: Any,
    now_reads: str,
) -> None:
    record = make(patient)
    marker = login(physician)
    url = entry_mark_url(kind)(patient, record)
    shown = _shown_mark(marker, url)
    assert shown["version"] == str(record.version)
    with holding(lambda: correct(nurse, record)):
        marking = in_thread(lambda: marker.post(url, shown))
        assert marking.waits_for_a_lock(), "the mark did not wait for the correction's row lock"
    response: Any = marking.outcome()
    refusal = _refusal(response)
    assert refusal.startswith(CHANGED)
    assert now_reads in refusal
    assert now_reads in response.text  # the page above the form describes it as it is now
    stored = type(record).objects.get(pk=record.pk)
    assert (stored.entered_in_error, stored.version) == (False, record.version + 1)
    assert marks_of(record) == 0
    # The reason typed is kept, and the form now carries the corrected version: sent again, it
    # hides the record as the page shows it.
    again = posted_data(response.text, having="reason")
    assert again["reason"].strip() == REASON  # (a browser drops the newline after <textarea>)
    assert again["version"] == str(record.version + 1)
    assert marker.post(url, again).status_code == 302
    assert type(record).objects.get(pk=record.pk).entered_in_error
    assert marks_of(record) == 1


# --- The correction waits for the mark: refused, naming who marked it -----------------------


def _lab_edit(client: Client, lab: LabResult) -> tuple[str, dict[str, str]]:
    url = reverse("monitoring:lab_update", args=[lab.patient_id, lab.pk])
    return url, posted_data(client.get(url).text, having="version") | {"value": "2.35"}


def _scan_edit(client: Client, scan: DexaScan) -> tuple[str, dict[str, str]]:
    url = reverse("monitoring:scan_update", args=[scan.patient_id, scan.pk])
    typed = {"lumbar_spine_bmd": "0.812", "lumbar_spine_t_score": "-2.6"}
    return url, posted_data(client.get(url).text, having="version") | typed


@pytest.mark.parametrize(
    ("kind", "make", "edit", "unchanged"),
    [
        ("lab", _calcium, _lab_edit, lambda lab: lab.entered_value == Decimal("1.9")),
        (
            "scan",
            _scan,
            _scan_edit,
            lambda scan: scan.measurements.get(site="lumbar_spine").bmd == Decimal("0.912"),
        ),
    ],
)
def test_a_correction_waiting_for_the_mark_is_refused_and_saves_nothing(
    patient: Patient, nurse: User, physician: User, kind: str, make: Any, edit: Any, unchanged: Any
) -> None:
    record = make(patient)
    editor = login(nurse)
    url, typed = edit(editor, record)
    with holding(
        lambda: entry_mark_in_error(
            actor=physician,
            entry=record,
            patient=patient,
            reason=REASON,
            expected_version=record.version,
        )
    ):
        saving = in_thread(lambda: editor.post(url, typed))
        assert saving.waits_for_a_lock(), "the correction did not wait for the mark's row lock"
    response: Any = saving.outcome()
    assert getattr(response, "status_code", response) == 200, response
    assert MARKED in response.text
    stored = type(record).objects.get(pk=record.pk)
    assert (stored.entered_in_error, stored.version) == (True, record.version + 1)
    assert unchanged(stored)
    assert not AuditEvent.objects.filter(
        action=AuditAction.CHANGE, object_type=record._meta.label_lower
    ).exists()


# --- The tester's race: both sent at once, several times --------------------------------------


def test_a_correction_and_a_mark_sent_at_once_never_hide_the_correction(
    patient: Patient, nurse: User, physician: User
) -> None:
    """Whichever commits first, the other is refused: never a corrected value hidden (the
    tester's 2 runs in 6), never a correction saved into a record marked in error."""
    editor, marker = login(nurse), login(physician)
    for attempt in range(4):
        lab = _calcium(patient)
        edit_url, typed = _lab_edit(editor, lab)
        mark_url = entry_mark_url("lab")(patient, lab)
        shown = _shown_mark(marker, mark_url)
        edited, marked = at_once(
            [
                lambda u=edit_url, d=typed: editor.post(u, d),
                lambda u=mark_url, d=shown: marker.post(u, d),
            ]
        )
        stored = LabResult.objects.get(pk=lab.pk)
        assert sorted([edited.status_code, marked.status_code]) == [200, 302]
        if stored.entered_in_error:  # the mark first: the correction refused
            assert marked.status_code == 302
            assert MARKED in edited.text
            assert stored.entered_value == Decimal("1.9")
        else:  # the correction first: the mark refused
            assert edited.status_code == 302
            assert _refusal(marked).startswith(CHANGED)
            assert stored.entered_value == Decimal("2.35")
            assert marks_of(lab) == 0
        # The next attempt's result of another day (one result per analyte and sample).
        LabResult.objects.filter(pk=lab.pk).update(
            sample_date=TODAY - timedelta(days=400 + attempt)
        )
