"""Site settings: admins manage their sites' scanners and LSC values; a new LSC reassesses."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from bonehealth.accounts.models import Site, User
from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring.assessment.refresh import assessments_refresh
from monitoring.models import Alert, DexaMeasurement, Scanner
from monitoring.records import scanners
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


def _scanned_with_a_small_loss(patient: Patient) -> Scanner:
    """A scanner and two scans of the patient on it: lumbar spine fell 0.025 g/cm², below the
    default LSC of 0.030 (not significant) but above an LSC of 0.020."""
    scanner = ScannerFactory(site=patient.site, name="Hologic Horizon A")
    DexaScanFactory(patient=patient, scanner=scanner, scan_date=date(2024, 1, 10))
    later = DexaScanFactory(patient=patient, scanner=scanner, scan_date=date(2025, 1, 10))
    DexaMeasurement.objects.filter(scan=later, site="lumbar_spine").update(bmd="0.887")
    assessments_refresh([patient.pk])
    return scanner


def _open_loss() -> Alert | None:
    return Alert.objects.filter(code="SIGNIFICANT_BMD_LOSS", cleared_at__isnull=True).first()


def test_an_admin_may_not_change_the_lsc_of_a_scanner_with_scans(
    admin_client_: Client, admin_user: User, patient: Patient
) -> None:
    scanner = _scanned_with_a_small_loss(patient)
    url = reverse("monitoring:scanner_update", args=[scanner.pk])
    edit = data(patient.site, name="Hologic Horizon A", lsc_lumbar_spine="0.020", version=1)
    response = admin_client_.post(url, edit)
    assert response.status_code == 200
    assert "only a physician may change its LSC" in " ".join(
        response.context["form"].errors["lsc_lumbar_spine"]
    )
    assert 'value="0.020"' in response.text  # what the admin typed stays
    scanner.refresh_from_db()
    assert (scanner.lsc_lumbar_spine, scanner.version) == (None, 1)
    assert _open_loss() is None
    assert not AuditEvent.objects.filter(object_type="monitoring.scanner").exists()
    # The service refuses too, whatever the form.
    with pytest.raises(PermissionDenied):
        scanners.scanner_update(
            actor=admin_user,
            scanner=scanner,
            values={"lsc_lumbar_spine": Decimal("0.020")},
            expected_version=1,
        )
    scanner.refresh_from_db()
    assert scanner.lsc_lumbar_spine is None
    # Renaming it stays the admin's, and reassesses nobody.
    assert (
        admin_client_.post(url, {**edit, "name": "Horizon A", "lsc_lumbar_spine": ""}).status_code
        == 302
    )
    scanner.refresh_from_db()
    assert (scanner.name, scanner.lsc_lumbar_spine) == ("Horizon A", None)


def test_an_admin_sets_the_lsc_of_a_scanner_without_scans(
    admin_client_: Client, patient: Patient
) -> None:
    scanner = ScannerFactory(site=patient.site, name="Hologic Horizon A")
    url = reverse("monitoring:scanner_update", args=[scanner.pk])
    edit = data(patient.site, name="Hologic Horizon A", lsc_lumbar_spine="0.020", version=1)
    assert admin_client_.post(url, edit).status_code == 302
    scanner.refresh_from_db()
    assert scanner.lsc_lumbar_spine == Decimal("0.020")


def test_a_physician_confirms_a_new_lsc_and_each_patient_trail_says_why(
    physician_client: Client, physician: User, patient: Patient
) -> None:
    scanner = _scanned_with_a_small_loss(patient)
    assert _open_loss() is None
    url = reverse("monitoring:scanner_update", args=[scanner.pk])
    # The physician changes only the LSC values: the name they post is ignored.
    edit = data(patient.site, name="Renamed", lsc_lumbar_spine="0.020", version=1)
    shown = physician_client.post(url, edit)
    assert shown.status_code == 200
    preview = shown.context["form"].preview
    assert (preview.patients, preview.assessments_changed) == (1, 1)
    assert [(a.patient, a.code, a.site) for a in preview.opening] == [
        (patient.mrn, "SIGNIFICANT_BMD_LOSS", "lumbar_spine")
    ]
    assert preview.closing == ()
    assert "Alerts it would open or raise (1)" in shown.text
    listed = AuditEvent.objects.get(action=AuditAction.VIEW)
    assert listed.changes["patients"] == [patient.pk]
    assert listed.changes["scanner"] == scanner.pk
    scanner.refresh_from_db()
    assert (scanner.lsc_lumbar_spine, scanner.version) == (None, 1)  # nothing written yet
    assert _open_loss() is None
    # Not ticked: shown again, still nothing written.
    again = physician_client.post(url, {**edit, "lsc_preview": preview.token})
    assert again.status_code == 200
    scanner.refresh_from_db()
    assert scanner.version == 1
    confirmed = {**edit, "lsc_preview": preview.token, "confirm_lsc": "on"}
    assert physician_client.post(url, confirmed).status_code == 302
    scanner.refresh_from_db()
    assert (scanner.name, scanner.lsc_lumbar_spine) == ("Hologic Horizon A", Decimal("0.020"))
    loss = _open_loss()
    assert loss is not None
    change = AuditEvent.objects.get(object_type="monitoring.scanner", patient=None)
    trail = AuditEvent.objects.get(object_type="monitoring.scanner", patient=patient)
    assert trail.actor == physician
    assert trail.object_id == str(scanner.pk)
    assert "LSC of scanner Hologic Horizon A" in trail.changes["reassessed"]
    assert trail.changes["scanner_change_event"] == change.pk
    assert trail.changes["lsc_lumbar_spine"] == [None, "0.020"]
    assert [a["code"] for a in trail.changes["alerts_raised"]] == ["SIGNIFICANT_BMD_LOSS"]
    assert trail.changes["alerts_raised"][0]["id"] == loss.pk
    assert trail.changes["alerts_closed"] == []

    # Back to the default: the preview names the alert it closes, the trail says it closed.
    back = {**edit, "lsc_lumbar_spine": "", "version": 2}
    preview = physician_client.post(url, back).context["form"].preview
    assert [(a.patient, a.code) for a in preview.closing] == [(patient.mrn, "SIGNIFICANT_BMD_LOSS")]
    # A preview confirmed for other values does not stand for these.
    stale = physician_client.post(
        url,
        {**back, "lsc_lumbar_spine": "0.150", "lsc_preview": preview.token, "confirm_lsc": "on"},
    )
    assert stale.status_code == 200
    assert _open_loss() is not None
    assert (
        physician_client.post(
            url, {**back, "lsc_preview": preview.token, "confirm_lsc": "on"}
        ).status_code
        == 302
    )
    loss.refresh_from_db()
    assert loss.cleared_at is not None
    assert loss.acknowledged_at is None
    closed = AuditEvent.objects.filter(object_type="monitoring.scanner", patient=patient).first()
    assert closed is not None
    assert [a["id"] for a in closed.changes["alerts_closed"]] == [loss.pk]
    assert closed.changes["lsc_lumbar_spine"] == ["0.020", None]


def test_clinicians_cannot_add_scanners(nurse_client: Client, physician_client: Client) -> None:
    for client in (nurse_client, physician_client):
        assert client.get(reverse("monitoring:scanner_create")).status_code == 403
