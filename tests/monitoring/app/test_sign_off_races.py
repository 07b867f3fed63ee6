"""A physician signing off a DEXA scan while a colleague marks the patient or the scan entered in
error, or corrects the scan, as real concurrent transactions on PostgreSQL.

The sign-off locked the scan's row only, not the patient's: a sign-off waiting for the patient's
mark was then saved into the hidden patient ("Scan signed off"). It takes the patient's lock first
now, as every writer of her records does, and the physician is told who marked her.
"""

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import Site, User
from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring.assessment.refresh import assessments_refresh
from monitoring.models import DexaScan, PatientAssessment
from monitoring.records.services.in_error import entry_mark_in_error
from monitoring.records.services.scans import Measurement, dexa_scan_sign_off, dexa_scan_update
from patients import in_error
from patients.models import Patient
from tests.conftest import login
from tests.factories import DexaScanFactory, PatientFactory, UserFactory
from tests.races import POSTGRESQL_ONLY, holding, in_thread

pytestmark = POSTGRESQL_ONLY

TODAY = timezone.localdate()
REASON = "registered twice by mistake"
DASHBOARD = "/"


@pytest.fixture
def colleague(ward: Site) -> User:
    return UserFactory(username="physician", role="physician", sites=[ward])


@pytest.fixture
def signer(ward: Site) -> Client:
    return login(UserFactory(username="doc2", role="physician", sites=[ward]))


@pytest.fixture
def scan(ward: Site) -> DexaScan:
    patient = PatientFactory(site=ward, mrn="S-1")
    scan = DexaScanFactory(patient=patient, scan_date=TODAY - timedelta(days=20))
    assessments_refresh([patient.pk])  # her stored assessment, as registering her creates it
    assert PatientAssessment.objects.get(patient=patient).unreviewed_scans == 1
    return scan


def _sign_off(client: Client, scan: DexaScan) -> Any:
    """The Sign off button of the dashboard, drawn before the race: it sends the scan's version."""
    url = reverse("monitoring:scan_sign_off", args=[scan.patient_id, scan.pk])
    return client.post(url, {"next": DASHBOARD, "version": scan.version})


def _said(response: Any) -> str:
    return " ".join(str(message) for message in get_messages(response.wsgi_request))


def _sign_offs(scan: DexaScan) -> int:
    return AuditEvent.objects.filter(
        action=AuditAction.CHANGE, object_type="monitoring.dexascan", object_id=str(scan.pk)
    ).count()


def test_a_sign_off_waiting_for_the_patients_mark_is_refused(
    scan: DexaScan, colleague: User, signer: Client
) -> None:
    patient = scan.patient
    with holding(
        lambda: in_error.patient_mark_in_error(actor=colleague, patient=patient, reason=REASON)
    ):
        signing = in_thread(lambda: _sign_off(signer, scan))
        assert signing.waits_for_a_lock(), "the sign-off did not wait for the patient's mark"
    response: Any = signing.outcome()
    assert getattr(response, "status_code", response) == 302, response
    assert response.url == DASHBOARD  # not her page, which nobody sees now
    said = _said(response)
    assert "was marked entered in error by physician" in said
    assert REASON in said
    assert "signed off." not in said
    stored = DexaScan.objects.get(pk=scan.pk)
    assert (stored.reviewed_at, stored.reviewed_by_id) == (None, None)
    assert _sign_offs(scan) == 0
    assert Patient.objects.get(pk=patient.pk).entered_in_error


def test_a_sign_off_waiting_for_the_scans_mark_is_refused(
    scan: DexaScan, colleague: User, signer: Client
) -> None:
    """No defect before the change: the scan's row lock ordered these two already."""
    with holding(
        lambda: entry_mark_in_error(
            actor=colleague, entry=scan, patient=scan.patient, reason="another patient's scan"
        )
    ):
        signing = in_thread(lambda: _sign_off(signer, scan))
        assert signing.waits_for_a_lock()
    response: Any = signing.outcome()
    assert getattr(response, "status_code", response) == 302, response
    assert "was marked entered in error since this page was shown" in _said(response)
    stored = DexaScan.objects.get(pk=scan.pk)
    assert stored.entered_in_error
    assert stored.reviewed_at is None
    assert _sign_offs(scan) == 0


def test_a_scans_mark_waiting_for_its_sign_off_is_refused_naming_the_sign_off(
    scan: DexaScan, colleague: User, ward: Site
) -> None:
    """The mark page showed the scan awaiting review; a colleague signed it off while the mark
    waited (sec11 #1: a record changed since its page was shown is not marked). The page says
    who signed it off and shows it signed off; marking it again hides it, still signed off."""
    marker = login(UserFactory(username="nurse1", role="nurse", sites=[ward]))
    url = reverse("monitoring:entry_mark_in_error", args=[scan.patient_id, "scan", scan.pk])
    shown = {"reason": "another patient's scan", "version": scan.version}
    with holding(lambda: dexa_scan_sign_off(actor=colleague, scan=scan)):
        marking = in_thread(lambda: marker.post(url, shown))
        assert marking.waits_for_a_lock()
    response: Any = marking.outcome()
    assert getattr(response, "status_code", response) == 200, response
    (refusal,) = response.context["form"].non_field_errors()
    assert refusal.startswith("Not marked: the record was changed by physician at ")
    assert "signed off by physician on" in refusal
    stored = DexaScan.objects.get(pk=scan.pk)
    assert not stored.entered_in_error
    assert stored.reviewed_by_id == colleague.pk
    # The form shown again carries the signed-off version: sending it marks the scan.
    again = marker.post(url, {**shown, "version": response.context["form"]["version"].value()})
    assert again.status_code == 302
    stored = DexaScan.objects.get(pk=scan.pk)
    assert (stored.entered_in_error, stored.reviewed_by_id) == (True, colleague.pk)
    assert PatientAssessment.objects.get(patient=scan.patient).unreviewed_scans == 0


def test_a_sign_off_waiting_for_a_correction_is_refused(
    scan: DexaScan, ward: Site, signer: Client
) -> None:
    """The physician read the scan as first entered; a nurse corrects its lumbar spine while she
    clicks. The sign-off waited for the scan's row, then signed off the corrected values, which
    she never read: the button sends the version she read now, and it is refused."""
    nurse = UserFactory(username="nurse1", role="nurse", sites=[ward])
    corrected = {
        "lumbar_spine": Measurement(bmd=Decimal("0.812"), t_score=Decimal("-2.6")),
        "total_hip": Measurement(bmd=Decimal("0.801"), t_score=Decimal("-1.2")),
        "femoral_neck": Measurement(bmd=Decimal("0.690"), t_score=Decimal("-1.2")),
    }
    with holding(
        lambda: dexa_scan_update(
            actor=nurse,
            scan=scan,
            values={"scan_date": scan.scan_date, "scanner": scan.scanner},
            measurements=corrected,
            expected_version=scan.version,
        )
    ):
        signing = in_thread(lambda: _sign_off(signer, scan))
        assert signing.waits_for_a_lock()
    response: Any = signing.outcome()
    assert getattr(response, "status_code", response) == 302, response
    assert "was changed by nurse1 at" in _said(response)
    stored = DexaScan.objects.get(pk=scan.pk)
    current = stored.measurements.get(site="lumbar_spine")
    assert current.t_score == Decimal("-2.6")
    assert stored.reviewed_at is None, "signed off values the physician never read"
    assert _sign_offs(scan) == 1  # the correction only
