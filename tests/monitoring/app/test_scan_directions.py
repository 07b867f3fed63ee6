"""A scan whose BMD and T-score moved in opposite directions is saved only once confirmed."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.audit.models import AuditEvent
from monitoring.models import DexaScan, Scanner
from patients.models import Patient
from tests.factories import DexaScanFactory, ScannerFactory
from tests.monitoring.app.test_entry_forms import scan_data

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def scanner(patient: Patient) -> Scanner:
    scanner: Scanner = ScannerFactory(site=patient.site, name="Hologic Horizon A")
    # The factory's sites: spine 0.912, hip 0.801, neck 0.690, all at T -1.2.
    DexaScanFactory(patient=patient, scanner=scanner, scan_date=TODAY - timedelta(days=400), t=-1.2)
    return scanner


def _post(client: Client, patient: Patient, data: dict[str, object]) -> object:
    return client.post(reverse("monitoring:scan_create", args=[patient.pk]), data)


def test_bmd_up_and_t_score_down_asks_to_confirm_and_saves_nothing(
    nurse_client: Client, patient: Patient, scanner: Scanner
) -> None:
    events = AuditEvent.objects.count()
    data = scan_data(scanner, lumbar_spine_bmd="0.950", lumbar_spine_t_score="-1.5")
    response = _post(nurse_client, patient, data)
    assert response.status_code == 200  # type: ignore[attr-defined]
    form = response.context["form"]  # type: ignore[attr-defined]
    assert "0.912 → 0.950" in form.errors["lumbar_spine_t_score"][0]
    assert "lumbar_spine_values_confirmed" in form.errors
    assert 'name="lumbar_spine_values_confirmed"' in response.text  # type: ignore[attr-defined]
    assert form["lumbar_spine_bmd"].value() == "0.950"  # kept as typed
    assert DexaScan.objects.filter(patient=patient).count() == 1
    assert AuditEvent.objects.count() == events


def test_confirmed_values_are_saved_as_entered(
    nurse_client: Client, patient: Patient, scanner: Scanner
) -> None:
    data = scan_data(
        scanner,
        lumbar_spine_bmd="0.950",
        lumbar_spine_t_score="-1.5",
        lumbar_spine_values_confirmed="on",
    )
    assert _post(nurse_client, patient, data).status_code == 302  # type: ignore[attr-defined]
    assert DexaScan.objects.filter(patient=patient).count() == 2


@pytest.mark.parametrize(
    ("bmd", "t"),
    [("0.950", "-0.9"), ("0.880", "-1.5"), ("0.912", "-1.2"), ("0.950", "-1.2")],
)
def test_values_moving_together_or_unchanged_need_no_confirmation(
    nurse_client: Client, patient: Patient, scanner: Scanner, bmd: str, t: str
) -> None:
    data = scan_data(scanner, lumbar_spine_bmd=bmd, lumbar_spine_t_score=t)
    data.update(total_hip_t_score="-1.2", femoral_neck_t_score="-1.2")
    response = _post(nurse_client, patient, data)
    assert response.status_code == 302, response.context["form"].errors  # type: ignore[attr-defined]


def test_another_scanner_is_not_compared(
    nurse_client: Client, patient: Patient, scanner: Scanner
) -> None:
    other = ScannerFactory(site=patient.site, name="GE Lunar B")
    data = scan_data(other, lumbar_spine_bmd="0.950", lumbar_spine_t_score="-1.5")
    assert _post(nurse_client, patient, data).status_code == 302  # type: ignore[attr-defined]
