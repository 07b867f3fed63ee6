"""physician10 F6, F7, F8, F10, through the app: the family doctor letter of a patient read on
Z-scores quotes the Z-score first; the scan form requires the Z-score for such a patient and the
history preview warns when one is missing; a dental review after the start is said to be late,
never "no dental review documented" beside its date; a baseline DEXA without an aromatase
inhibitor is not said to be due at its start."""

import datetime as dt
import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import Site, User
from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.models import Alert, BoneTherapyCourse, DexaMeasurement, DexaScan
from monitoring.records.safety import course_checklist
from patients.models import Patient
from tests.conftest import login
from tests.factories import DexaScanFactory, ScannerFactory
from tests.html_forms import letter_text, posted_data
from tests.monitoring.imports.helpers import vignette
from tests.monitoring.imports.test_import_pages import _confirm, _upload

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _premenopausal(patient: Patient) -> Patient:
    patient.sex, patient.menopausal_status = "F", "premenopausal"
    patient.birth_date = TODAY - dt.timedelta(days=42 * 366)
    patient.save()
    return patient


def _letter(client: Client, patient: Patient) -> str:
    return letter_text(client, patient, "doctor")


def test_the_doctor_letter_of_a_premenopausal_woman_leads_with_her_z_score(
    nurse_client: Client, patient: Patient
) -> None:
    _premenopausal(patient)
    day = TODAY - dt.timedelta(days=30)
    scan = DexaScanFactory(patient=patient, scan_date=day, t=-3.0)
    DexaMeasurement.objects.filter(scan=scan, site="lumbar_spine").update(z_score="-2.0")
    DexaMeasurement.objects.filter(scan=scan).exclude(site="lumbar_spine").update(z_score="-1.1")
    patient_assessment_refresh(patient=patient)
    text = _letter(nurse_client, patient)
    headline = (
        f"Lowest Z-score -2.0 at the lumbar spine (latest scan, {day.isoformat()}): below the "
        "expected range for age (Z of -2.0 or below is below it). WHO T-score categories do not "
        "apply (premenopausal woman: the Z-score is read); the lowest T-score, -3.0"
    )
    assert headline in text
    assert "WHO category not applicable" not in text
    assert text.index("Lowest Z-score") < text.index("T-score, -3.0")
    # The summary shows the same Z-score.
    summary = nurse_client.get(reverse("monitoring:patient", args=[patient.pk])).text
    assert "-2.0" in summary


def test_a_man_under_50_without_a_z_score_is_told_to_get_it(
    nurse_client: Client, patient: Patient
) -> None:
    patient.sex, patient.menopausal_status = "M", ""
    patient.birth_date = TODAY - dt.timedelta(days=45 * 366)
    patient.save()
    DexaScanFactory(patient=patient, scan_date=TODAY - dt.timedelta(days=30), t=-2.6)
    patient_assessment_refresh(patient=patient)
    text = _letter(nurse_client, patient)
    assert "No Z-score is recorded: ask the DEXA report for it. WHO T-score categories do not " in (
        text
    )
    assert "(man under 50: the Z-score is read)" in text


def _scan_form(client: Client, patient: Patient) -> tuple[str, dict[str, str]]:
    url = reverse("monitoring:scan_create", args=[patient.pk])
    return url, posted_data(client.get(url).text, having="scan_date")


def test_the_scan_form_requires_the_z_score_for_a_premenopausal_woman(
    nurse_client: Client, patient: Patient
) -> None:
    _premenopausal(patient)
    scanner = ScannerFactory(site=patient.site, name="Lunar Z")
    url, form = _scan_form(nurse_client, patient)
    page = nurse_client.get(url).text
    assert "The Z-score is required here: for a premenopausal woman or a man under 50" in page
    values = form | {
        "scan_date": (TODAY - dt.timedelta(days=3)).isoformat(),
        "scanner": str(scanner.pk),
        "lumbar_spine_bmd": "0.790",
        "lumbar_spine_t_score": "-3.1",
    }
    refused = nurse_client.post(url, values)
    assert refused.status_code == 200
    errors = refused.context["form"].errors
    assert errors["lumbar_spine_z_score"] == [
        "Enter the Z-score: for a premenopausal woman or a man under 50 the Z-score is the one "
        "read."
    ]
    assert 'value="-3.1"' in refused.text  # kept as typed
    assert not DexaScan.objects.filter(patient=patient).exists()
    saved = nurse_client.post(url, values | {"lumbar_spine_z_score": "-2.2"}, follow=True)
    assert saved.status_code == 200
    (measurement,) = DexaMeasurement.objects.filter(scan__patient=patient)
    assert (str(measurement.t_score), str(measurement.z_score)) == ("-3.1", "-2.2")


def test_a_postmenopausal_woman_keeps_the_z_score_optional(
    nurse_client: Client, patient: Patient
) -> None:
    scanner = ScannerFactory(site=patient.site, name="Lunar P")
    url, form = _scan_form(nurse_client, patient)
    assert "Z-score is optional (required for a premenopausal woman" in nurse_client.get(url).text
    values = form | {
        "scan_date": (TODAY - dt.timedelta(days=3)).isoformat(),
        "scanner": str(scanner.pk),
        "lumbar_spine_bmd": "0.790",
        "lumbar_spine_t_score": "-3.1",
    }
    nurse_client.post(url, values, follow=True)
    assert DexaScan.objects.filter(patient=patient).count() == 1


def test_the_history_preview_warns_of_a_missing_z_score_and_imports_it(
    site: Site, physician: User
) -> None:
    ScannerFactory(site=site, name="S1")
    history = vignette("78-premenopausal-z-score-applies")
    del history["dexa_scans"][0]["sites"]["total_hip"]["z_score"]
    client = login(physician)
    preview = _upload(client, json.dumps(history), kind="history_json", site=site.pk)
    page = " ".join(preview.content.decode().split())
    assert 'id="import-warnings"' in page
    assert (
        "dexa_scans[0]: the scan of 2025-01-20 has no Z-score at the total hip; for a "
        "premenopausal woman or a man under 50 the Z-score is the one read (imported as recorded)"
    ) in page
    assert not DexaScan.objects.exists()  # a dry run
    _confirm(client, preview)
    hip = DexaMeasurement.objects.get(scan__patient__mrn="N78", site="total_hip")
    assert hip.z_score is None


def test_the_history_preview_of_complete_z_scores_warns_of_nothing(
    site: Site, physician: User
) -> None:
    ScannerFactory(site=site, name="S1")
    history = vignette("78-premenopausal-z-score-applies")
    preview = _upload(login(physician), json.dumps(history), kind="history_json", site=site.pk)
    assert 'id="import-warnings"' not in preview.content.decode()


def test_a_dental_review_after_the_start_is_said_to_be_late(
    physician_client: Client, patient: Patient
) -> None:
    start = TODAY - dt.timedelta(days=60)
    review = TODAY - dt.timedelta(days=30)
    values = {"drug": "denosumab", "start_date": start, "dental_review_date": review}
    dental = next(
        c for c in course_checklist(patient=patient, values=values).checks if c.key == "dental"
    )
    said = " ".join(dental.messages)
    assert (dental.value, dental.date, dental.failed) == ("late", review, True)
    assert "No dental review documented" not in said
    assert (
        f"Dental review for denosumab on {review.isoformat()}, after the start on "
        f"{start.isoformat()} (late) (osteonecrosis of the jaw)."
    ) in said
    BoneTherapyCourse.objects.create(
        patient=patient, drug="denosumab", dose="60 mg", start_date=start, dental_review_date=review
    )
    patient_assessment_refresh(patient=patient)
    page = " ".join(
        physician_client.get(reverse("monitoring:patient", args=[patient.pk])).text.split()
    )
    assert (
        f"Dental review: review on {review.isoformat()}, after the start on {start.isoformat()} "
        "(late)"
    ) in page
    assert "correct: the dental review before" not in page
    # As of today the late review counts (the logic is unchanged): no alert.
    assert not Alert.objects.filter(
        patient=patient, code="DENTAL_REVIEW_MISSING", cleared_at__isnull=True
    ).exists()


def test_a_review_booked_after_today_is_said_to_be_booked(patient: Patient) -> None:
    review = TODAY + dt.timedelta(days=10)
    values = {"drug": "zoledronic_acid", "start_date": None, "dental_review_date": review}
    dental = next(
        c for c in course_checklist(patient=patient, values=values).checks if c.key == "dental"
    )
    assert dental.value == "to come"
    assert f"booked for {review.isoformat()}, not done yet on {TODAY.isoformat()}" in " ".join(
        dental.messages
    )


def test_a_baseline_dexa_without_an_aromatase_inhibitor_is_due_now(
    nurse_client: Client, patient: Patient
) -> None:
    patient_assessment_refresh(patient=patient)
    alert = Alert.objects.get(patient=patient, code="BASELINE_DEXA_DUE", cleared_at__isnull=True)
    assert alert.message == (
        f"Baseline DEXA due {TODAY.isoformat()} (no aromatase inhibitor on record: due now)."
    )
    assert "at the start of the aromatase inhibitor" not in alert.message
