"""A scan correction keeps the measurements it replaces, and every reader sees the current ones."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from monitoring import domain
from monitoring.assessment.history import build_history
from monitoring.assessment.history_document import history_json
from monitoring.models import DexaMeasurement, DexaScan
from monitoring.records.selectors import patient_with_records
from patients.models import Patient
from tests.factories import ScannerFactory

pytestmark = pytest.mark.django_db

DAY = timezone.localdate() - timedelta(days=10)


def scan_data(scanner_pk: int, **overrides: object) -> dict[str, object]:
    return {
        "scan_date": DAY.isoformat(),
        "scanner": scanner_pk,
        "lumbar_spine_bmd": "0.912",
        "lumbar_spine_t_score": "-1.2",
        "total_hip_bmd": "0.801",
        "total_hip_t_score": "-1.1",
        "femoral_neck_bmd": "0.690",
        "femoral_neck_t_score": "-1.6",
        **overrides,
    }


@pytest.fixture
def corrected(nurse_client: Client, patient: Patient) -> DexaScan:
    """A scan whose lumbar spine was corrected and whose total hip was removed."""
    scanner = ScannerFactory(site=patient.site)
    nurse_client.post(reverse("monitoring:scan_create", args=[patient.pk]), scan_data(scanner.pk))
    scan = DexaScan.objects.get()
    response = nurse_client.post(
        reverse("monitoring:scan_update", args=[patient.pk, scan.pk]),
        scan_data(
            scanner.pk,
            lumbar_spine_bmd="0.850",
            lumbar_spine_t_score="-1.7",
            total_hip_bmd="",
            total_hip_t_score="",
            version=scan.version,
        ),
    )
    assert response.status_code == 302
    return scan


def test_a_correction_keeps_the_replaced_rows_with_their_values(corrected: DexaScan) -> None:
    rows = DexaMeasurement.all_versions.filter(scan=corrected).order_by("site", "id")
    kept = [(m.site, m.bmd, m.t_score, m.superseded_at is not None) for m in rows]
    assert kept == [
        ("femoral_neck", Decimal("0.690"), Decimal("-1.6"), False),
        ("lumbar_spine", Decimal("0.912"), Decimal("-1.2"), True),
        ("lumbar_spine", Decimal("0.850"), Decimal("-1.7"), False),
        ("total_hip", Decimal("0.801"), Decimal("-1.1"), True),
    ]


def test_readers_see_only_the_current_measurements(
    corrected: DexaScan, nurse_client: Client, patient: Patient
) -> None:
    (scan,) = build_history(patient).dexa_scans
    assert scan.sites == {
        domain.Site.LUMBAR_SPINE: domain.SiteMeasurement(
            bmd=Decimal("0.850"), t_score=Decimal("-1.7"), z_score=None
        ),
        domain.Site.FEMORAL_NECK: domain.SiteMeasurement(
            bmd=Decimal("0.690"), t_score=Decimal("-1.6"), z_score=None
        ),
    }
    (exported,) = history_json(patient_with_records(patient.pk))["dexa_scans"]
    assert exported["sites"] == {
        "femoral_neck": {"bmd": 0.69, "t_score": -1.6},
        "lumbar_spine": {"bmd": 0.85, "t_score": -1.7},
    }
    form = nurse_client.get(
        reverse("monitoring:scan_update", args=[patient.pk, corrected.pk])
    ).context["form"]
    assert form.initial["lumbar_spine_bmd"] == Decimal("0.850")
    assert "total_hip_bmd" not in form.initial
    page = nurse_client.get(reverse("monitoring:patient", args=[patient.pk])).content.decode()
    assert "0.850" in page
    assert "0.801" not in page
    assert "0.912" not in page


def test_one_current_measurement_per_site_and_scan(corrected: DexaScan) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        DexaMeasurement.objects.create(
            scan=corrected, site="lumbar_spine", bmd=Decimal("0.800"), t_score=Decimal("-2.0")
        )
    assert DexaMeasurement.objects.filter(scan=corrected, site="lumbar_spine").count() == 1
    # A superseded row does not count against the current one.
    DexaMeasurement.objects.create(
        scan=corrected,
        site="total_hip",
        bmd=Decimal("0.700"),
        t_score=Decimal("-2.0"),
    )
    assert DexaMeasurement.all_versions.filter(scan=corrected, site="total_hip").count() == 2
