"""Editing a signed-off scan (nurse11 F16, recheck11 #2): the edit form warns before saving that
any change resets the sign-off to "Awaiting review"; the warning says what the service does, so a
changed number, scanner, date, TBS or VFA finding resets it, an unchanged save keeps it."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import User
from monitoring.models import DexaScan
from patients.models import Patient
from tests.factories import DexaScanFactory, ScannerFactory
from tests.html_forms import posted_data

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
WARNING = (
    "Saving any change (date, scanner, a BMD, T-score or Z-score, TBS or the vertebral fracture "
    "assessment) resets it to <strong>Awaiting review</strong>"
)


@pytest.fixture
def signed(patient: Patient, physician: User) -> DexaScan:
    scan: DexaScan = DexaScanFactory(patient=patient, scan_date=TODAY - timedelta(days=90))
    signed_at = timezone.now() - timedelta(days=80)
    DexaScan.objects.filter(pk=scan.pk).update(reviewed_at=signed_at, reviewed_by=physician)
    scan.refresh_from_db()
    return scan


def _url(scan: DexaScan) -> str:
    return reverse("monitoring:scan_update", args=[scan.patient_id, scan.pk])


def _sign_off(scan: DexaScan) -> tuple[object, object, int]:
    scan.refresh_from_db()
    return scan.reviewed_at, scan.reviewed_by_id, scan.version


def test_the_edit_form_of_a_signed_off_scan_warns(
    nurse_client: Client, signed: DexaScan, physician: User
) -> None:
    page = nurse_client.get(_url(signed)).text
    signed_on = timezone.localtime(signed.reviewed_at).date().isoformat()  # type: ignore[union-attr]
    assert f"This scan was signed off by {physician} on {signed_on}." in page
    assert WARNING in page


def test_a_scan_awaiting_review_has_no_warning(nurse_client: Client, patient: Patient) -> None:
    scan = DexaScanFactory(patient=patient, scan_date=TODAY - timedelta(days=90))
    assert "sign-off-warning" not in nurse_client.get(_url(scan)).text


def test_an_unchanged_save_keeps_the_sign_off(nurse_client: Client, signed: DexaScan) -> None:
    before = _sign_off(signed)
    data = posted_data(nurse_client.get(_url(signed)).text, having="version")
    response = nurse_client.post(_url(signed), data, follow=True)
    assert "Nothing was changed" in response.text
    assert _sign_off(signed) == before


def test_a_changed_t_score_resets_the_sign_off(nurse_client: Client, signed: DexaScan) -> None:
    data = posted_data(nurse_client.get(_url(signed)).text, having="version")
    # Each site moved together, so the directions check asks nothing.
    changed = data | {"femoral_neck_bmd": "0.680", "femoral_neck_t_score": "-1.3"}
    assert nurse_client.post(_url(signed), changed).status_code == 302
    reviewed_at, reviewed_by, version = _sign_off(signed)
    assert (reviewed_at, reviewed_by, version) == (None, None, 2)
    page = nurse_client.get(reverse("monitoring:patient", args=[signed.patient_id])).text
    assert "Awaiting review" in page
    assert "sign-off-warning" not in nurse_client.get(_url(signed)).text


@pytest.mark.parametrize(
    "field", ["vertebral_fracture_assessment", "scanner", "scan_date", "trabecular_bone_score"]
)
def test_any_change_to_the_scan_resets_the_sign_off(
    nurse_client: Client, signed: DexaScan, field: str
) -> None:
    data = posted_data(nurse_client.get(_url(signed)).text, having="version")
    other = ScannerFactory(site=signed.patient.site, name="GE Lunar iDXA", manufacturer="GE")
    new_value = {
        "vertebral_fracture_assessment": "fracture",
        "scanner": str(other.pk),
        "scan_date": (signed.scan_date - timedelta(days=1)).isoformat(),
        "trabecular_bone_score": "1.111",
    }[field]
    assert data.get(field) != new_value
    assert nurse_client.post(_url(signed), data | {field: new_value}).status_code == 302
    assert _sign_off(signed) == (None, None, 2)
