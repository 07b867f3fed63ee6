"""physician11 F8 through the app: once the next scan is on another scanner, the loss alerts of
the last same-scanner comparison clear (CHG-SCANNER judges no change across scanners), and the
open SCANNER_CHANGED alert states that loss, on the patient page as in the database."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.models import Alert, DexaMeasurement, DexaScan, Scanner
from patients.models import Patient
from tests.html_forms import visible_text

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _scan(patient: Patient, scanner: Scanner, day: dt.date, hip: str, neck: str) -> None:
    scan = DexaScan.objects.create(patient=patient, scan_date=day, scanner=scanner)
    DexaMeasurement.objects.create(scan=scan, site="total_hip", bmd=hip, t_score="-1.0")
    DexaMeasurement.objects.create(scan=scan, site="femoral_neck", bmd=neck, t_score="-1.2")


def test_the_scanner_changed_alert_keeps_the_loss_the_loss_alerts_had(
    physician_client: Client, patient: Patient
) -> None:
    ge = Scanner.objects.create(site=patient.site, name="GE Lunar")
    first, second = TODAY - dt.timedelta(days=600), TODAY - dt.timedelta(days=400)
    _scan(patient, ge, first, "0.900", "0.800")
    _scan(patient, ge, second, "0.875", "0.765")
    patient_assessment_refresh(patient=patient)
    open_alerts = Alert.objects.filter(patient=patient, cleared_at__isnull=True)
    assert set(open_alerts.filter(code="SIGNIFICANT_BMD_LOSS").values_list("site", flat=True)) == {
        "total_hip",
        "femoral_neck",
    }

    hologic = Scanner.objects.create(site=patient.site, name="Hologic Horizon")
    _scan(patient, hologic, TODAY - dt.timedelta(days=10), "0.870", "0.760")
    patient_assessment_refresh(patient=patient)
    assert not open_alerts.filter(code="SIGNIFICANT_BMD_LOSS").exists()  # the rule is unchanged
    changed = open_alerts.get(code="SCANNER_CHANGED")
    assert changed.severity == "info"
    stated = (
        f"total hip fell 0.025 g/cm² (2.8 %) from {first} to {second} on GE Lunar; "
        f"femoral neck fell 0.035 g/cm² (4.4 %) from {first} to {second} on GE Lunar."
    )
    assert changed.message.endswith(stated)
    page = physician_client.get(reverse("monitoring:patient", args=[patient.pk])).text
    assert stated in visible_text(page)
