"""The pages marking one record, or a patient, entered in error (sec11 #1, nurse11 #2).

Each page names the patient and MRN in its heading, as the entry forms do, and the record with its
date and values. Its form sends the record's version as the page showed it: when a colleague
changed the record since, nothing is marked, and the form comes back saying who changed it, when,
and what it now reads, carrying the new version, so that sending it again marks what is shown.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import models
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import Site, User
from monitoring.models import BoneTherapyCourse, BoneTherapyDose, FraxResult
from monitoring.records.services.frax import frax_update
from monitoring.records.services.therapy import bone_therapy_dental_review_record
from patients.in_error_forms import NO_VERSION
from patients.models import Patient
from patients.services import ai_course_update, patient_update
from tests.factories import (
    AromataseInhibitorCourseFactory,
    DexaScanFactory,
    LabResultFactory,
    UserFactory,
)
from tests.html_forms import posted_data
from tests.record_edits import correct_calcium, correct_scan, entry_mark_url, marks_of

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
REASON = "entered for the wrong patient"
HEADING = (
    '<h1 class="h3">Mark entered in error '
    '<small class="text-body-secondary">Jane Example (A1001)</small></h1>'
)

BY_NELL = "Not marked: the record was changed by Nell Bright at "


def _calcium(patient: Patient) -> Any:
    return LabResultFactory(
        patient=patient,
        sample_date=date(2026, 11, 20),
        analyte="calcium",
        value=Decimal("1.9"),
        entered_value=Decimal("1.9"),
        entered_unit="mmol/L",
    )


def _frax(patient: Patient) -> FraxResult:
    return FraxResult.objects.create(
        patient=patient, assessed_on=date(2026, 10, 1), major_osteoporotic_pct=12, hip_pct=2
    )


def _correct_frax(by: User, frax: FraxResult) -> None:
    values = {"assessed_on": frax.assessed_on, "with_bmd": False, "hip_pct": Decimal("3.5")}
    frax_update(actor=by, frax=frax, values=values, expected_version=frax.version)


def _course(patient: Patient) -> BoneTherapyCourse:
    return BoneTherapyCourse.objects.create(
        patient=patient, drug="denosumab", dose="60 mg", start_date=date(2026, 6, 1)
    )


def _dental_review(by: User, course: BoneTherapyCourse) -> None:
    bone_therapy_dental_review_record(
        actor=by,
        course=course,
        dental_review_date=date(2026, 5, 20),
        expected_version=course.version,
    )


def _dose(patient: Patient) -> BoneTherapyDose:
    return BoneTherapyDose.objects.create(course=_course(patient), given_on=date(2026, 6, 1))


def _bump(_by: User, dose: BoneTherapyDose) -> None:
    """No page changes a dose (it is recorded, or marked): its version moves on all the same."""
    BoneTherapyDose.objects.filter(pk=dose.pk).update(version=F("version") + 1)


def _stop_ai_course(by: User, course: Any) -> None:
    ai_course_update(
        actor=by,
        course=course,
        values={"stop_date": date(2026, 11, 1), "stop_reason": "side effects"},
        expected_version=course.version,
    )


def _rename(by: User, patient: Patient) -> None:
    patient_update(
        actor=by,
        patient=patient,
        values={"name": "Jane Examplesmith"},
        expected_version=patient.version,
    )


@dataclass(frozen=True)
class Kind:
    make: Callable[[Patient], Any]
    url: Callable[[Patient, Any], str]
    # A colleague's change, saved while the page is open.
    change: Callable[[User, Any], None]
    # The record on the page, and what the refusal says it reads after the change.
    shown: str
    now_reads: str
    changed_by: str = BY_NELL


KINDS = {
    "lab": Kind(
        _calcium,
        entry_mark_url("lab"),
        correct_calcium,
        shown="Calcium (albumin-adjusted) 1.9 mmol/L (sample of 2026-11-20)",
        now_reads="Calcium (albumin-adjusted) 2.35 mmol/L (sample of 2026-11-20)",
    ),
    "scan": Kind(
        lambda patient: DexaScanFactory(patient=patient, scan_date=date(2026, 3, 2)),
        entry_mark_url("scan"),
        correct_scan,
        shown="Lumbar spine (L1-L4) 0.912 g/cm² (T -1.2); Total hip 0.801 g/cm² (T -1.2)",
        now_reads="Lumbar spine (L1-L4) 0.812 g/cm² (T -2.6); Total hip",
    ),
    "frax": Kind(
        _frax,
        entry_mark_url("frax"),
        _correct_frax,
        shown="FRAX of 2026-10-01 without BMD: major osteoporotic fracture 12 %, hip fracture 2 %",
        now_reads="major osteoporotic fracture 12 %, hip fracture 3.5 %",
    ),
    "therapy": Kind(
        _course,
        entry_mark_url("therapy"),
        _dental_review,
        shown="Denosumab 60 mg since 2026-06-01",
        now_reads="Denosumab 60 mg since 2026-06-01, dental review 2026-05-20",
    ),
    "dose": Kind(
        _dose,
        lambda patient, dose: reverse(
            "monitoring:dose_mark_in_error", args=[patient.pk, dose.course_id, dose.pk]
        ),
        _bump,
        shown="Denosumab dose given on 2026-06-01, of the course since 2026-06-01",
        now_reads="Denosumab dose given on 2026-06-01",
        changed_by="Not marked: the record was changed by someone else, after this page",
    ),
    "ai_course": Kind(
        lambda patient: AromataseInhibitorCourseFactory(patient=patient),
        lambda patient, course: reverse(
            "patients:ai_course_mark_in_error", args=[patient.pk, course.pk]
        ),
        _stop_ai_course,
        shown="Anastrozole since 2024-01-15, planned for 60 months",
        now_reads="stopped on 2026-11-01 (side effects)",
    ),
    "patient": Kind(
        lambda patient: patient,
        lambda patient, _same: reverse("patients:mark_in_error", args=[patient.pk]),
        _rename,
        shown="Jane Example (A1001), born 1958-04-12, at North General",
        now_reads="Jane Examplesmith (A1001), born 1958-04-12, at North General",
    ),
}


@pytest.fixture
def colleague(site: Site) -> User:
    return UserFactory(
        username="nurse.b", first_name="Nell", last_name="Bright", role="nurse", sites=[site]
    )


def _fresh(record: models.Model) -> Any:
    return type(record)._default_manager.get(pk=record.pk)


def _text(html: str) -> str:
    return " ".join(html.split())


@pytest.mark.parametrize("name", list(KINDS))
def test_the_page_names_the_patient_and_the_record_with_its_date_and_values(
    name: str, physician_client: Client, patient: Patient
) -> None:
    kind = KINDS[name]
    record = kind.make(patient)
    page = _text(physician_client.get(kind.url(patient, record)).text)
    assert HEADING in page
    assert kind.shown in page
    assert f'name="version" value="{record.version}"' in page


@pytest.mark.parametrize("name", list(KINDS))
def test_a_record_changed_since_the_page_was_shown_is_not_marked(
    name: str, physician_client: Client, patient: Patient, colleague: User
) -> None:
    kind = KINDS[name]
    record = kind.make(patient)
    url = kind.url(patient, record)
    shown = posted_data(physician_client.get(url).text, having="reason") | {"reason": REASON}
    kind.change(colleague, _fresh(record))

    response = physician_client.post(url, shown)

    assert response.status_code == 200
    (refusal,) = response.context["form"].non_field_errors()
    assert refusal.startswith(kind.changed_by)
    assert kind.now_reads in refusal.split(" It now reads: ")[1]
    assert "if it is still entered in error, mark it again." in refusal
    assert kind.now_reads in _text(response.text).split("</h1>")[1]  # above the form too
    assert not _fresh(record).entered_in_error
    assert marks_of(record) == 0
    # The form shown again carries the changed record's version, and the reason typed.
    again = posted_data(response.text, having="reason")
    assert again["version"] == str(_fresh(record).version)
    assert again["reason"].strip() == REASON
    marked = physician_client.post(url, again)
    assert marked.status_code == 302
    assert _fresh(record).entered_in_error
    assert _fresh(record).error_reason == REASON
    assert marks_of(record) == 1


@pytest.mark.parametrize("name", list(KINDS))
def test_a_record_unchanged_since_the_page_was_shown_is_marked(
    name: str, physician_client: Client, patient: Patient
) -> None:
    kind = KINDS[name]
    record = kind.make(patient)
    url = kind.url(patient, record)
    shown = posted_data(physician_client.get(url).text, having="reason") | {"reason": REASON}
    assert physician_client.post(url, shown).status_code == 302
    stored = _fresh(record)
    assert (stored.entered_in_error, stored.version) == (True, record.version + 1)
    assert marks_of(record) == 1


@pytest.mark.parametrize("name", list(KINDS))
def test_a_mark_without_the_version_shown_is_refused(
    name: str, physician_client: Client, patient: Patient
) -> None:
    """Not from this form (or a page drawn before it sent one): nothing says what was read."""
    kind = KINDS[name]
    record = kind.make(patient)
    for version in ({}, {"version": ""}, {"version": "two"}):
        response = physician_client.post(kind.url(patient, record), {"reason": REASON, **version})
        assert response.status_code == 200
        assert list(response.context["form"].non_field_errors()) == [NO_VERSION]
    assert not _fresh(record).entered_in_error
    assert marks_of(record) == 0


def test_a_mark_refused_for_a_scan_corrected_names_the_sites_changed(
    physician_client: Client, patient: Patient, colleague: User
) -> None:
    scan = DexaScanFactory(patient=patient, scan_date=TODAY - timedelta(days=5))
    url = KINDS["scan"].url(patient, scan)
    shown = posted_data(physician_client.get(url).text, having="reason") | {"reason": REASON}
    correct_scan(colleague, scan)
    response = physician_client.post(url, shown)
    (refusal,) = response.context["form"].non_field_errors()
    assert " Changed: lumbar spine. It now reads: " in refusal
