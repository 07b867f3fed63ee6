"""The imports refuse, as problems of their rows, the values the scan form asks about: T-scores
(nurse12 F1), and a BMD change of at least the LSC within days (nurse13 #2)."""

import json
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from bonehealth.accounts.models import Site
from monitoring.models import DexaMeasurement, DexaScan, Scanner
from patients.models import Patient
from tests.factories import ScannerFactory
from tests.monitoring.imports.helpers import results_csv, snapshot, vignette

pytestmark = pytest.mark.django_db
UPLOAD = reverse("monitoring:import_upload")
CONFIRM = reverse("monitoring:import_confirm")
SCANNER = "GE Lunar iDXA"


@pytest.fixture
def scanner(site: Site, patient: Patient) -> Scanner:
    scanner: Scanner = ScannerFactory(site=site, name=SCANNER)
    return scanner


def _row(day: str, bmd: str, t: str, site: str = "total_hip") -> dict[str, Any]:
    return {
        "mrn": "A1001",
        "date": day,
        "measure": site,
        "value": bmd,
        "unit": "g/cm2",
        "scanner": SCANNER,
        "t_score": t,
    }


def _upload(client: Client, text: str, kind: str = "results_csv", **extra: Any) -> Any:
    name = "results.csv" if kind == "results_csv" else "history.json"
    upload = SimpleUploadedFile(name, text.encode())
    return client.post(UPLOAD, {"kind": kind, "file": upload, **extra}, follow=True)


def _confirm(client: Client, preview: Any) -> Any:
    upload = preview.context["upload"]
    return client.post(CONFIRM, {"token": upload.token, "sha256": upload.sha256}, follow=True)


def test_a_sign_slip_in_a_results_file_is_a_problem_of_its_row(
    nurse_client: Client, scanner: Scanner
) -> None:
    before = snapshot()
    preview = _upload(nurse_client, results_csv([_row("2026-12-05", "0.620", "2.6")]))
    page = preview.content.decode()
    assert "This file is refused: nothing will be saved." in page
    assert (
        "BMD 0.620 g/cm² at the total hip gives a T-score below zero on every scanner&#x27;s "
        "reference: check the sign of +2.6. If it is right, enter this scan with the scan form, "
        "which asks to confirm it." in page
    )
    assert "Confirm the import" not in page
    _confirm(nurse_client, preview)
    assert snapshot() == before


def test_the_reported_next_day_result_is_refused_against_the_recorded_scan(
    nurse_client: Client, patient: Patient, scanner: Scanner
) -> None:
    """The report's step 3: the recorded scan has +2.6, the file -2.6 at the same BMD."""
    scan = DexaScan.objects.create(patient=patient, scanner=scanner, scan_date=date(2026, 12, 5))
    DexaMeasurement.objects.create(scan=scan, site="total_hip", bmd="0.620", t_score="2.6")
    before = snapshot()
    preview = _upload(nurse_client, results_csv([_row("2026-12-06", "0.620", "-2.6")]))
    page = preview.content.decode()
    assert (
        "From the scan of 2026-12-05 to that of 2026-12-06 on this scanner, BMD went 0.620 → "
        "0.620 but the T-score +2.6 → -2.6" in page
    )
    _confirm(nurse_client, preview)
    assert snapshot() == before


def test_two_scans_of_one_file_are_compared_with_each_other(
    nurse_client: Client, scanner: Scanner
) -> None:
    rows = [_row("2025-12-05", "0.640", "-2.4"), _row("2026-12-05", "0.645", "-0.9")]
    page = _upload(nurse_client, results_csv(rows)).content.decode()
    assert "BMD went 0.640 → 0.645 but the T-score -2.4 → -0.9" in page
    assert not DexaScan.objects.exists()


def test_a_results_file_with_consistent_t_scores_imports(
    nurse_client: Client, patient: Patient, scanner: Scanner
) -> None:
    rows = [_row("2025-12-05", "0.640", "-2.4"), _row("2026-12-05", "0.620", "-2.6")]
    preview = _upload(nurse_client, results_csv(rows))
    assert "This file is refused" not in preview.content.decode()
    _confirm(nurse_client, preview)
    assert DexaScan.objects.filter(patient=patient).count() == 2


def test_a_history_with_a_sign_slip_is_refused_naming_the_scan(
    site: Site, nurse_client: Client
) -> None:
    ScannerFactory(site=site, name="S1")
    history = vignette("27-btm-adequate")
    history.pop("bone_therapy")
    sites = history["dexa_scans"][0]["sites"]
    site_name, measured = next(iter(sites.items()))
    measured["bmd"], measured["t_score"] = 0.62, 2.6
    before = (snapshot(), Patient.objects.count())
    preview = _upload(nurse_client, json.dumps(history), kind="history_json", site=site.pk)
    page = preview.content.decode()
    assert f"dexa_scans[0].sites.{site_name}.t_score: BMD 0.62 g/cm²" in page
    assert "check the sign of +2.6" in page
    _confirm(nurse_client, preview)
    assert (snapshot(), Patient.objects.count()) == before


def test_a_repeat_days_after_the_recorded_scan_is_a_problem_of_its_value(
    nurse_client: Client, patient: Patient, scanner: Scanner
) -> None:
    """The report's repeat: lumbar spine 0.912 on 2026-12-01, 0.850 five days later."""
    scan = DexaScan.objects.create(patient=patient, scanner=scanner, scan_date=date(2026, 12, 1))
    DexaMeasurement.objects.create(scan=scan, site="lumbar_spine", bmd="0.912", t_score="-2.0")
    before = snapshot()
    row = _row("2026-12-06", "0.850", "-2.5", site="lumbar_spine")
    preview = _upload(nurse_client, results_csv([row]))
    page = preview.content.decode()
    assert "This file is refused: nothing will be saved." in page
    assert (
        "From the scan of 2026-12-01 to that of 2026-12-06 on this scanner, 5 days apart, BMD "
        "went 0.912 → 0.850 g/cm² (-0.062 g/cm², -6.8 %)" in page
    )
    assert "which asks to confirm it." in page
    _confirm(nurse_client, preview)
    assert snapshot() == before


def test_a_history_with_a_repeat_days_later_is_refused_naming_the_bmd(
    site: Site, nurse_client: Client
) -> None:
    ScannerFactory(site=site, name="S1")
    history = vignette("15-significant-loss-not-rapid")  # spine 0.900, a year later 0.865
    history["dexa_scans"][1]["date"] = "2024-05-06"
    before = (snapshot(), Patient.objects.count())
    preview = _upload(nurse_client, json.dumps(history), kind="history_json", site=site.pk)
    page = preview.content.decode()
    assert (
        "dexa_scans[1].sites.lumbar_spine.bmd: From the scan of 2024-05-01 to that of "
        "2024-05-06 on this scanner, 5 days apart, BMD went 0.9 → 0.865 g/cm²" in page
    )
    assert "sites.total_hip" not in page  # -0.008 g/cm²: within the LSC
    _confirm(nurse_client, preview)
    assert (snapshot(), Patient.objects.count()) == before
