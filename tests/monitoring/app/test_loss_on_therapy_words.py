"""On an antiresorptive, the page and the doctor's letter do not say therapy "is indicated"
(physician7 F10): the rapid-loss alert asks for a review, the letter says the indications hold."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from monitoring.models import BoneTherapyCourse, BoneTherapyDose, DexaMeasurement, DexaScan
from patients.models import Patient
from tests.factories import AromataseInhibitorCourseFactory, ScannerFactory
from tests.html_forms import visible_text

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _scan(patient: Patient, day: dt.date, spine: str) -> None:
    made = DexaScan.objects.create(
        patient=patient, scan_date=day, scanner=ScannerFactory(site=patient.site)
    )
    DexaMeasurement.objects.create(scan=made, site="lumbar_spine", bmd=spine, t_score="-2.0")


def test_rapid_loss_on_denosumab_asks_for_a_review(
    physician_client: Client, patient: Patient
) -> None:
    AromataseInhibitorCourseFactory(patient=patient, start_date=TODAY - dt.timedelta(days=900))
    start = TODAY - dt.timedelta(days=800)
    course = BoneTherapyCourse.objects.create(
        patient=patient, drug="denosumab", start_date=start, dental_review_date=start
    )
    for n in range(5):
        BoneTherapyDose.objects.create(course=course, given_on=start + dt.timedelta(days=182 * n))
    _scan(patient, TODAY - dt.timedelta(days=400), "0.900")
    _scan(patient, TODAY - dt.timedelta(days=35), "0.830")
    page = visible_text(physician_client.get(reverse("monitoring:patient", args=[patient.pk])).text)
    assert "Rapid BMD loss" in page
    assert f"on denosumab (since {start:%Y-%m-%d}): review adherence" in page
    assert "so bone-protective therapy is indicated" not in page
    letter = physician_client.get(reverse("monitoring:letter", args=[patient.pk, "doctor"])).text
    assert "Bone-protective therapy is indicated and is being given (denosumab)." in letter
    assert "Bone-protective therapy is indicated." not in letter
