"""nurse13 #7: once Z-scores are the ones read (a premenopausal woman, a man under 50) and the
latest scan has none, the Z-score card names that scan and links to its form, which asks for
them; the printout names the scan too."""

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.models import DexaMeasurement, DexaScan
from monitoring.records.selectors import patients_with_records
from patients.menopause import CONFIRM_PREMENOPAUSAL
from patients.models import Patient
from tests.factories import DexaScanFactory
from tests.html_forms import page_text, submit_form, without_nowrap
from tests.patients.test_premenopausal_confirmation import born_aged

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
SCAN_DAY = TODAY - dt.timedelta(days=6)


def _card(client: Client, patient: Patient) -> str:
    """The Z-score card's words (its parts are blocks of their own: joined here by " | ")."""
    html = page_text(client, reverse("monitoring:patient", args=[patient.pk]))
    html = html[html.index("Lowest Z-score") : html.index("Next DEXA")]
    return " ".join(strip_tags(html.replace("<span", " | <span")).split())


def test_a_woman_made_premenopausal_is_asked_for_the_z_scores_of_her_scan(
    nurse_client: Client, patient: Patient
) -> None:
    patient.birth_date = born_aged(65)
    patient.save()
    scan = DexaScanFactory(patient=patient, scan_date=SCAN_DAY)  # T-scores only
    typed = {"menopausal_status": "premenopausal", CONFIRM_PREMENOPAUSAL: "on"}
    assert (
        submit_form(
            nurse_client, reverse("patients:update", args=[patient.pk]), typed, having="version"
        ).status_code
        == 302
    )

    card = _card(nurse_client, patient)
    assert (
        f"— | no Z-score recorded: enter the Z-scores of the scan of {SCAN_DAY:%Y-%m-%d} "
        "(ask the DEXA report for them)" in card
    )
    page = nurse_client.get(reverse("monitoring:patient", args=[patient.pk])).text
    edit = reverse("monitoring:scan_update", args=[patient.pk, scan.pk])
    assert f'<a href="{edit}">enter the Z-scores of the scan of {SCAN_DAY:%Y-%m-%d}</a>' in page
    # The link opens the scan's form, which asks for the Z-score now.
    form = nurse_client.get(edit).text
    assert "The Z-score is required here" in form

    summary = without_nowrap(
        page_text(nurse_client, reverse("monitoring:patient_summary", args=[patient.pk]))
    )
    said = f"Lowest Z-score</dt><dd>— (no Z-score recorded on the scan of {SCAN_DAY:%Y-%m-%d})"
    assert said in summary


def _premenopausal(patient: Patient) -> Patient:
    patient.birth_date, patient.menopausal_status = born_aged(44), "premenopausal"
    patient.save()
    return patient


def test_an_older_z_score_is_dated_and_the_latest_scan_asked_for(
    nurse_client: Client, patient: Patient, django_assert_num_queries: Any
) -> None:
    _premenopausal(patient)
    older = DexaScanFactory(patient=patient, scan_date=SCAN_DAY - dt.timedelta(days=400))
    DexaMeasurement.objects.filter(scan=older).update(z_score=Decimal("-1.0"))
    DexaMeasurement.objects.filter(scan=older, site="lumbar_spine").update(z_score=Decimal("-1.4"))
    DexaScanFactory(patient=patient, scan_date=SCAN_DAY)
    patient_assessment_refresh(patient=patient)
    card = _card(nurse_client, patient)
    assert f"-1.4 | Lumbar spine (L1-L4) (scan of {older.scan_date:%Y-%m-%d})" in card
    assert f"none on the latest scan: enter the Z-scores of the scan of {SCAN_DAY:%Y-%m-%d}" in card
    summary = without_nowrap(
        page_text(nurse_client, reverse("monitoring:patient_summary", args=[patient.pk]))
    )
    assert (
        f"-1.4 (Lumbar spine (L1-L4), scan of {older.scan_date:%Y-%m-%d}; none on the latest "
        f"scan, of {SCAN_DAY:%Y-%m-%d})" in summary
    )
    # The measurement's scan comes with the page's records: dating it reads nothing more.
    (record,) = patients_with_records([patient.pk])
    measured = [m for scan in record.valid_scans for m in scan.measurement_list]
    with django_assert_num_queries(0):
        assert {m.scan.scan_date for m in measured} == {older.scan_date, SCAN_DAY}


def test_a_site_without_one_asks_for_the_missing_z_scores(
    nurse_client: Client, patient: Patient
) -> None:
    _premenopausal(patient)
    scan = DexaScanFactory(patient=patient, scan_date=SCAN_DAY)
    DexaMeasurement.objects.filter(scan=scan, site="lumbar_spine").update(z_score=Decimal("-0.9"))
    patient_assessment_refresh(patient=patient)
    card = _card(nurse_client, patient)
    assert "-0.9 | Lumbar spine (L1-L4) (latest scan)" in card
    assert (
        f"a site has no Z-score: enter the missing Z-scores of the scan of {SCAN_DAY:%Y-%m-%d}"
        in card
    )


def test_nothing_is_asked_once_the_latest_scan_has_its_z_scores(
    nurse_client: Client, patient: Patient
) -> None:
    _premenopausal(patient)
    scan = DexaScanFactory(patient=patient, scan_date=SCAN_DAY)
    DexaMeasurement.objects.filter(scan=scan).update(z_score=Decimal("-0.9"))
    patient_assessment_refresh(patient=patient)
    card = _card(nurse_client, patient)
    assert "-0.9 | Femoral neck (latest scan)" in card
    assert "enter the" not in card


def test_no_scan_yet_says_so(nurse_client: Client, patient: Patient) -> None:
    patient.sex, patient.menopausal_status, patient.birth_date = "M", "", born_aged(45)
    patient.save()
    patient_assessment_refresh(patient=patient)
    assert not DexaScan.objects.exists()
    assert "— | no scan recorded yet" in _card(nurse_client, patient)
