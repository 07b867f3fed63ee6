"""The app's everyday writes, run by tests/audit/test_database_roles.py as the runtime role.

Run by `manage.py shell` with production settings against a database migrated by the owner;
each step fails with "permission denied" if the grants of deploy/postgres/runtime_role.sql miss
something it needs. Prints one line per step.
"""

from datetime import timedelta
from decimal import Decimal
from importlib import import_module

from django.conf import settings
from django.contrib.auth.models import Group
from django.test import RequestFactory
from django.utils import timezone

from bonehealth.accounts.lockout import authenticate_in_turn
from bonehealth.accounts.services import user_update
from bonehealth.audit.models import AuditEvent
from monitoring.domain.types import Site as MeasuredSite
from monitoring.models import DexaMeasurement
from monitoring.records.services.in_error import entry_mark_in_error
from monitoring.records.services.scans import Measurement, dexa_scan_record, dexa_scan_update
from patients.services import patient_update
from tests.factories import PatientFactory, ScannerFactory, SiteFactory, UserFactory


def main() -> None:
    """Enter, correct and mark clinical records; administer a user; check a wrong password (the
    login lock, the lockout's count, the audit row); end a session."""
    site = SiteFactory(code="roles")
    nurse = UserFactory(username="roles-nurse", role="nurse", sites=[site], password=None)
    admin = UserFactory(
        username="roles-admin", role="admin", sites=[site], is_staff=True, password=None
    )
    patient = PatientFactory(site=site)
    scanner = ScannerFactory(site=site)
    values = {
        "scan_date": timezone.localdate() - timedelta(days=3),
        "scanner": scanner,
        "trabecular_bone_score": None,
        "vertebral_fracture_assessment": "",
    }
    lumbar = MeasuredSite.LUMBAR_SPINE.value
    scan = dexa_scan_record(
        actor=nurse,
        patient=patient,
        values=values,
        measurements={lumbar: Measurement(bmd=Decimal("0.900"), t_score=Decimal("-1.0"))},
    )
    print("scan recorded")
    scan = dexa_scan_update(
        actor=nurse,
        scan=scan,
        values=values,
        measurements={lumbar: Measurement(bmd=Decimal("0.850"), t_score=Decimal("-1.5"))},
        expected_version=scan.version,
    )
    assert DexaMeasurement.all_versions.filter(scan=scan).count() == 2
    print("scan corrected")
    patient_update(
        actor=nurse, patient=patient, values={"weight_kg": 61}, expected_version=patient.version
    )
    print("patient changed")
    entry_mark_in_error(actor=nurse, entry=scan, patient=patient, reason="wrong patient")
    print("scan marked entered in error")
    user_update(
        actor=admin,
        user=nurse,
        values={"first_name": "Nora"},
        roles=[Group.objects.get(name="physician")],
        sites=[],
        expected_version=nurse.version,
    )
    print("user's role and sites changed")
    login = RequestFactory().post("/accounts/login/", REMOTE_ADDR="192.0.2.7")
    assert authenticate_in_turn(login, username="roles-nurse", password="wrong") is None
    print("wrong password counted")
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session.create()
    session.delete()
    print("session ended")
    print(f"audit events: {AuditEvent.objects.count()}")
