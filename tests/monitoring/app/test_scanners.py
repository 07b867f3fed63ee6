"""Site settings: admins manage their sites' scanners and LSC values; a new LSC reassesses."""

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from bonehealth.accounts.models import Site
from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring.models import Alert, DexaMeasurement, Scanner
from patients.models import Patient
from tests.factories import DexaScanFactory, ScannerFactory

pytestmark = pytest.mark.django_db


def data(site: Site, **overrides: object) -> dict[str, object]:
    return {
        "site": site.pk,
        "name": "Hologic Horizon W",
        "manufacturer": "Hologic",
        "model": "Horizon W",
        "lsc_lumbar_spine": "0.028",
        "lsc_total_hip": "",
        "lsc_femoral_neck": "",
        "lsc_radius_33": "",
        "is_active": "on",
        **overrides,
    }


def test_admin_adds_a_scanner_and_it_is_audited(admin_client_: Client, site: Site) -> None:
    response = admin_client_.post(reverse("monitoring:scanner_create"), data(site))
    assert response.status_code == 302
    scanner = Scanner.objects.get()
    assert scanner.lsc_lumbar_spine == Decimal("0.028")
    assert scanner.lsc_total_hip is None
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="monitoring.scanner")
    assert event.changes["lsc_lumbar_spine"] == "0.028"
    assert "Hologic Horizon W" in admin_client_.get(reverse("monitoring:scanner_list")).text


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"lsc_total_hip": "0.3"}, "lsc_total_hip", "from 0.001 to 0.2"),
        ({"lsc_total_hip": "0"}, "lsc_total_hip", "from 0.001 to 0.2"),
        ({"name": ""}, "name", "required"),
    ],
)
def test_bad_scanner(
    admin_client_: Client, site: Site, overrides, field: str, message: str
) -> None:  # type: ignore[no-untyped-def]
    response = admin_client_.post(reverse("monitoring:scanner_create"), data(site, **overrides))
    assert message in " ".join(response.context["form"].errors[field])
    assert Scanner.objects.count() == 0
    assert 'value="Horizon W"' in response.text


def test_name_unique_per_site_and_only_own_sites(
    admin_client_: Client, site: Site, other_site: Site
) -> None:
    ScannerFactory(site=site, name="Hologic Horizon W")
    response = admin_client_.post(reverse("monitoring:scanner_create"), data(site))
    assert "already has a scanner named" in response.context["form"].errors["name"][0]
    response = admin_client_.post(reverse("monitoring:scanner_create"), data(other_site))
    assert "Select a valid choice" in response.context["form"].errors["site"][0]
    foreign = ScannerFactory(site=other_site, name="Elsewhere")
    assert (
        admin_client_.get(reverse("monitoring:scanner_update", args=[foreign.pk])).status_code
        == 404
    )


def test_a_new_lsc_reassesses_patients_scanned_on_the_scanner(
    admin_client_: Client, patient: Patient
) -> None:
    scanner = ScannerFactory(site=patient.site, name="Hologic Horizon A")
    DexaScanFactory(patient=patient, scanner=scanner, scan_date=date(2024, 1, 10))
    later = DexaScanFactory(patient=patient, scanner=scanner, scan_date=date(2025, 1, 10))
    # Lumbar spine fell 0.025 g/cm²: below the default LSC of 0.030, so not significant ...
    DexaMeasurement.objects.filter(scan=later, site="lumbar_spine").update(bmd="0.887")
    from monitoring.assessment.refresh import assessments_refresh

    assessments_refresh([patient.pk])
    assert not Alert.objects.filter(code="SIGNIFICANT_BMD_LOSS", cleared_at__isnull=True).exists()
    # ... but significant once the scanner's precision study gives an LSC of 0.020.
    url = reverse("monitoring:scanner_update", args=[scanner.pk])
    edit = data(patient.site, name="Hologic Horizon A", lsc_lumbar_spine="0.020", version=1)
    assert admin_client_.post(url, edit).status_code == 302
    loss = Alert.objects.get(code="SIGNIFICANT_BMD_LOSS", cleared_at__isnull=True)
    assert loss.site == "lumbar_spine"
    stale = admin_client_.post(url, {**edit, "lsc_lumbar_spine": "0.025"})
    assert "changed by someone else" in " ".join(stale.context["form"].non_field_errors())


def test_clinicians_cannot_change_scanners(nurse_client: Client, physician_client: Client) -> None:
    for client in (nurse_client, physician_client):
        assert client.get(reverse("monitoring:scanner_create")).status_code == 403
