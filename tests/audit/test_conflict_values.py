"""The "changed in another tab" messages write the other save's value as the pages write it
(nurse13 #4): a date yyyy-mm-dd, never "3 Dec 2026" beside the time stamp "at 2026-12-07 19:55",
and a number with the places the patient page shows (T -2.0, 0.850 g/cm², 64.0 kg), a lab
result as the labs table shows it (62.5, not 62.500).

Every edit form with a date is opened in two tabs; the first saves one date, the second another.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import User
from monitoring.models import BoneTherapyCourse, DexaMeasurement, FraxResult
from patients.models import Patient
from tests.conftest import login
from tests.factories import AromataseInhibitorCourseFactory, DexaScanFactory, LabResultFactory
from tests.html_forms import posted_data

DAYS_AGO = timezone.localdate() - timedelta(days=40)


@dataclass(frozen=True)
class Kind:
    """An edit form with a date: its record (made for the patient), its address, the date field
    and the record's attribute holding it."""

    make: Callable[[Patient], models.Model]
    url: Callable[[Patient, models.Model], str]
    field: str
    attribute: str = ""


def _monitoring(name: str) -> Callable[[Patient, models.Model], str]:
    return lambda patient, record: reverse(f"monitoring:{name}", args=[patient.pk, record.pk])


def _frax(patient: Patient) -> FraxResult:
    return FraxResult.objects.create(
        patient=patient, assessed_on=DAYS_AGO, major_osteoporotic_pct=12, hip_pct=2
    )


def _denosumab(patient: Patient) -> BoneTherapyCourse:
    return BoneTherapyCourse.objects.create(
        patient=patient, drug="denosumab", dental_review_date=DAYS_AGO
    )


KINDS = {
    "patient": Kind(
        make=lambda patient: patient,
        url=lambda patient, _: reverse("patients:update", args=[patient.pk]),
        field="breast_cancer_diagnosis_date",
    ),
    "ai_course": Kind(
        make=lambda patient: AromataseInhibitorCourseFactory(patient=patient, start_date=DAYS_AGO),
        url=lambda patient, course: reverse(
            "patients:ai_course_update", args=[patient.pk, course.pk]
        ),
        field="start_date",
    ),
    "scan": Kind(
        make=lambda patient: DexaScanFactory(patient=patient, scan_date=DAYS_AGO),
        url=_monitoring("scan_update"),
        field="scan_date",
    ),
    "lab": Kind(
        make=lambda patient: LabResultFactory(patient=patient, sample_date=DAYS_AGO),
        url=_monitoring("lab_update"),
        field="sample_date",
    ),
    "frax": Kind(make=_frax, url=_monitoring("frax_update"), field="assessed_on"),
    "therapy": Kind(make=_denosumab, url=_monitoring("therapy_update"), field="dental_review_date"),
    "dental_review": Kind(
        make=_denosumab, url=_monitoring("dental_review"), field="dental_review_date"
    ),
}


def _two_tabs(client: Client, url: str) -> tuple[dict[str, str], dict[str, str]]:
    first = posted_data(client.get(url).text, having="version")
    return first, dict(first)


@pytest.mark.parametrize("kind", KINDS.values(), ids=KINDS.keys())
def test_the_other_tabs_date_reads_yyyy_mm_dd(
    kind: Kind, physician: User, patient: Patient
) -> None:
    record = kind.make(patient)
    url = kind.url(patient, record)
    client = login(physician)
    first_tab, second_tab = _two_tabs(client, url)
    theirs, mine = DAYS_AGO - timedelta(days=3), DAYS_AGO - timedelta(days=7)

    saved = client.post(url, first_tab | {kind.field: theirs.isoformat()})
    assert saved.status_code == 302, saved.context["form"].errors
    refused = client.post(url, second_tab | {kind.field: mine.isoformat()})

    assert refused.status_code == 200
    (error,) = refused.context["form"].errors[kind.field]
    assert error.startswith(
        f"You (in another tab or window) changed this to “{theirs:%Y-%m-%d}” at "
        f"{timezone.localtime():%Y-%m-%d}"
    ), error
    record.refresh_from_db()
    assert getattr(record, kind.field) == theirs  # the refused save wrote nothing


def test_a_date_the_user_left_alone_reads_yyyy_mm_dd(physician: User, patient: Patient) -> None:
    url = reverse("patients:update", args=[patient.pk])
    client = login(physician)
    first_tab, second_tab = _two_tabs(client, url)
    assert (
        client.post(url, first_tab | {"breast_cancer_diagnosis_date": "2021-03-04"}).status_code
        == 302
    )

    refused = client.post(url, second_tab | {"name": "Jane Q Example"})

    (error,) = refused.context["form"].errors["breast_cancer_diagnosis_date"]
    assert error.startswith("Now shows “2021-03-04”, changed by you (in another tab or window)")
    patient.refresh_from_db()
    assert patient.name == "Jane Example"


def test_numbers_read_as_the_patient_page_shows_them(physician: User, patient: Patient) -> None:
    """A T-score with one decimal and a BMD with three, as the scans table; a weight as the
    patient's details (64.0 kg); a lab result as the labs table, without added zeros."""
    scan = DexaScanFactory(patient=patient, scan_date=DAYS_AGO)
    lab = LabResultFactory(patient=patient, sample_date=DAYS_AGO)
    client = login(physician)
    cases = [
        (_monitoring("scan_update")(patient, scan), "lumbar_spine_t_score", "-2", "-1.0", "-2.0"),
        (_monitoring("scan_update")(patient, scan), "total_hip_bmd", "0.85", "0.9", "0.850"),
        (reverse("patients:update", args=[patient.pk]), "weight_kg", "64", "65", "64.0"),
        (_monitoring("lab_update")(patient, lab), "value", "62.5", "63", "62.5"),
    ]
    for url, field, theirs, mine, shown in cases:
        first_tab, second_tab = _two_tabs(client, url)
        assert client.post(url, first_tab | {field: theirs}).status_code == 302
        refused = client.post(url, second_tab | {field: mine})
        (error,) = refused.context["form"].errors[field]
        assert error.startswith(f"You (in another tab or window) changed this to “{shown}”"), error
    assert DexaMeasurement.objects.get(scan=scan, site="lumbar_spine").t_score == Decimal(-2)
    lab.refresh_from_db()
    assert lab.entered_value == Decimal("62.5")
