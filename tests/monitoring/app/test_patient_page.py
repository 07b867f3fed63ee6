"""The patient page: what it shows, who may act, and a constant number of queries."""

from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from monitoring.models import BoneTherapyCourse, BoneTherapyDose, FraxResult
from patients.models import Patient
from tests.factories import AromataseInhibitorCourseFactory, DexaScanFactory, LabResultFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_high_alert_shown_to_the_nurse_without_an_acknowledge_button(
    nurse_client: Client, physician_client: Client, patient: Patient
) -> None:
    AromataseInhibitorCourseFactory(patient=patient, start_date=TODAY - timedelta(days=365))
    url = reverse("monitoring:patient", args=[patient.pk])
    page = nurse_client.get(url)
    assert "Baseline DEXA missing" in page.text
    assert "a physician acknowledges high and critical alerts" in page.text
    assert f'Rule <a href="{reverse("rules")}#SCHED-BASELINE">SCHED-BASELINE</a>' in page.text
    physician_page = physician_client.get(url)
    assert 'name="note"' in physician_page.text


def _add_history(patient: Patient, scans: int, labs: int) -> None:
    for n in range(scans):
        DexaScanFactory(
            patient=patient, scan_date=date(2020, 1, 1) + timedelta(days=400 * n), t=-1.0 - n / 10
        )
    for n in range(labs):
        LabResultFactory(patient=patient, sample_date=date(2020, 1, 1) + timedelta(days=30 * n))
    course = BoneTherapyCourse.objects.create(
        patient=patient, drug="denosumab", start_date=date(2021, 1, 1)
    )
    for n in range(scans):
        BoneTherapyDose.objects.create(
            course=course, given_on=date(2021, 1, 1) + timedelta(days=182 * n)
        )
    FraxResult.objects.create(
        patient=patient, assessed_on=date(2021, 1, 1), major_osteoporotic_pct=12, hip_pct=2
    )


def _page_queries(client: Client, patient: Patient, *, cached: bool) -> int:
    url = reverse("monitoring:patient", args=[patient.pk])
    client.get(url)  # the first view stores the assessment (and caches the fragments)
    if not cached:
        cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("cached", [False, True], ids=["rendered", "cached"])
def test_query_count_does_not_grow_with_records(
    nurse_client: Client, site, patient: Patient, cached: bool
) -> None:  # type: ignore[no-untyped-def]
    AromataseInhibitorCourseFactory(patient=patient, start_date=date(2019, 6, 1))
    _add_history(patient, scans=1, labs=1)
    small = _page_queries(nurse_client, patient, cached=cached)
    other = Patient.objects.create(site=site, mrn="BIG1", birth_date=date(1955, 1, 1))
    AromataseInhibitorCourseFactory(patient=other, start_date=date(2019, 6, 1))
    _add_history(other, scans=6, labs=25)
    large = _page_queries(nurse_client, other, cached=cached)
    assert small == large
    # Rendered: the charts read the domain history (one query per table) beside the displayed
    # records. Cached: session, user, permissions (2), the patient with its site and assessment,
    # the audit row, the plan setters (the key), the open alerts and the scans (2, outside the
    # fragments: they hold forms).
    assert large <= (12 if cached else 40)


def test_page_shows_scans_labs_and_changes(nurse_client: Client, patient: Patient) -> None:
    AromataseInhibitorCourseFactory(patient=patient, start_date=date(2019, 6, 1))
    _add_history(patient, scans=2, labs=2)
    page = nurse_client.get(reverse("monitoring:patient", args=[patient.pk]))
    assert "Change since the previous scan" in page.text
    assert "Lumbar spine (L1-L4): 0.912 (T -1.1)" in page.text
    assert "25-OH vitamin D" in page.text
    assert "Denosumab" in page.text


@pytest.mark.parametrize(
    ("code", "label"),
    [
        ("RAPID_BMD_LOSS", "Rapid BMD loss"),
        ("VITAMIN_D_DEFICIENT", "Vitamin D deficient"),
        ("BASELINE_DEXA_MISSING", "Baseline DEXA missing"),
        ("Z_SCORE_APPLIES", "WHO categories do not apply: read Z-scores"),
        ("DENOSUMAB_STOPPED_NO_FOLLOW_ON", "Denosumab stopped without follow-on therapy"),
        ("CALCIUM_VITAMIN_D", "Calcium and vitamin D"),
        ("RECORD_FRAX", "Record FRAX"),
        ("", ""),
    ],
)
def test_code_labels_keep_acronyms(code: str, label: str) -> None:
    from monitoring.templatetags.monitoring_display import code_label

    assert code_label(code) == label
