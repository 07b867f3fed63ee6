"""Cached page bodies: served while nothing changed, never stale after a change, never another
viewer's CSRF token or links, and every view still audited."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import User
from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring.assessment.alerts import alert_acknowledge
from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.assessment.versions import site_data_changed, site_versions_for
from monitoring.models import Alert, PatientAssessment, SiteDataVersion
from monitoring.overview import page_cache
from monitoring.records.scanners import scanner_update
from monitoring.records.services.labs import LabEntry, lab_results_record
from monitoring.records.services.scans import dexa_scan_sign_off
from patients.models import Patient
from patients.services import patient_end_follow_up, patient_update
from tests.conftest import login
from tests.factories import (
    AromataseInhibitorCourseFactory,
    DexaScanFactory,
    PatientFactory,
    UserFactory,
)
from tests.monitoring.app.overview_data import record_vitamin_d

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _page(patient: Patient) -> str:
    return reverse("monitoring:patient", args=[patient.pk])


def _with_open_alert(patient: Patient) -> None:
    # On an aromatase inhibitor for a year without a baseline scan: BASELINE_DEXA_MISSING (high).
    AromataseInhibitorCourseFactory(patient=patient, start_date=TODAY - timedelta(days=365))


def test_a_second_view_is_served_from_the_cache_and_still_audited(
    nurse_client: Client, patient: Patient
) -> None:
    _with_open_alert(patient)
    first = nurse_client.get(_page(patient))
    with CaptureQueriesContext(connection) as queries:
        second = nurse_client.get(_page(patient))
    assert second.status_code == 200
    assert "Baseline DEXA missing" in second.text
    # Nothing of the records was read again ...
    assert not [q for q in queries if "monitoring_labresult" in q["sql"]]
    # ... but the page is the same, and each view has its audit row.
    assert first.text.count("Baseline DEXA missing") == second.text.count("Baseline DEXA missing")
    views = AuditEvent.objects.filter(patient=patient, action=AuditAction.VIEW)
    assert views.count() == 2


def test_a_recorded_lab_shows_on_the_next_view(
    nurse: User, nurse_client: Client, patient: Patient
) -> None:
    _with_open_alert(patient)
    assert "Vitamin D deficient" not in nurse_client.get(_page(patient)).text
    before = PatientAssessment.objects.get(patient=patient).records_version
    record_vitamin_d(nurse, patient, "31")
    assert PatientAssessment.objects.get(patient=patient).records_version > before
    page = nurse_client.get(_page(patient))
    assert "Vitamin D deficient" in page.text  # the alert the new value raised


def test_an_acknowledgement_shows_on_the_next_view(
    physician: User, physician_client: Client, patient: Patient
) -> None:
    _with_open_alert(patient)
    assert 'name="note"' in physician_client.get(_page(patient)).text
    alert = Alert.objects.get(
        patient=patient, code="BASELINE_DEXA_MISSING", cleared_at__isnull=True
    )
    alert_acknowledge(actor=physician, alert=alert, note="Scan booked for Monday")
    page = physician_client.get(_page(patient))
    assert "Scan booked for Monday" in page.text
    assert f'id="ack-{alert.pk}"' not in page.text


def test_each_viewer_gets_their_own_csrf_token_and_the_form_works(site, patient: Patient) -> None:  # type: ignore[no-untyped-def]
    _with_open_alert(patient)
    first = login(UserFactory(role="physician", sites=[site]), Client(enforce_csrf_checks=True))
    second = login(UserFactory(role="physician", sites=[site]), Client(enforce_csrf_checks=True))
    first.get(_page(patient))  # renders and caches the body with its placeholder
    page = second.get(_page(patient))  # served from the cache
    assert str(page_cache.CSRF_PLACEHOLDER) not in page.text
    token = page.text.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    alert = Alert.objects.get(
        patient=patient, code="BASELINE_DEXA_MISSING", cleared_at__isnull=True
    )
    response = second.post(
        reverse("monitoring:alert_acknowledge", args=[alert.pk]),
        {"note": "Reviewed with the patient", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.acknowledged_at is not None


def test_text_that_looks_like_the_placeholder_is_left_alone(
    physician: User, physician_client: Client, patient: Patient
) -> None:
    _with_open_alert(patient)
    physician_client.get(_page(patient))  # the first view assesses the patient
    alert = Alert.objects.get(
        patient=patient, code="BASELINE_DEXA_MISSING", cleared_at__isnull=True
    )
    note = f'value="{page_cache.CSRF_PLACEHOLDER}"'
    alert_acknowledge(actor=physician, alert=alert, note=note)
    physician_client.get(_page(patient))
    page = physician_client.get(_page(patient))
    assert "value=&quot;csrf-token&quot;placeholder&quot;" in page.text


def test_nurse_and_physician_see_their_own_links_on_a_cached_body(
    nurse_client: Client, physician_client: Client, patient: Patient
) -> None:
    _with_open_alert(patient)
    plan = reverse("monitoring:plan", args=[patient.pk])
    assert plan in physician_client.get(_page(patient)).text
    assert plan not in nurse_client.get(_page(patient)).text
    assert plan in physician_client.get(_page(patient)).text


def test_the_dashboard_follows_a_new_alert_and_a_sign_off(
    nurse: User, physician: User, physician_client: Client, site
) -> None:  # type: ignore[no-untyped-def]
    url = reverse("monitoring:dashboard")
    patient = PatientFactory(site=site, mrn="NEWALERT")
    assert "NEWALERT" not in physician_client.get(url).text
    record_vitamin_d(nurse, patient, "20")  # deficient: an alert, and a stored assessment
    assert "NEWALERT" in physician_client.get(url).text
    scan = DexaScanFactory(patient=patient, scan_date=TODAY - timedelta(days=3))
    patient_assessment_refresh(patient=patient)  # the factory wrote without the services
    assert "Sign off" in physician_client.get(url).text
    dexa_scan_sign_off(actor=physician, scan=scan)
    assert "Sign off" not in physician_client.get(url).text


def test_the_worklist_follows_a_recorded_scan(nurse: User, nurse_client: Client, site) -> None:  # type: ignore[no-untyped-def]
    url = reverse("monitoring:worklist")
    patient = PatientFactory(site=site, mrn="DUE1")
    _with_open_alert(patient)
    record_vitamin_d(nurse, patient, "80")  # assessed: baseline DEXA due now
    assert "DUE1" in nurse_client.get(url).text
    lab_results_record(
        actor=nurse,
        patient=patient,
        sample_date=TODAY,
        fasting=False,
        entries=[LabEntry(analyte="calcium", value=Decimal("2.3"), unit="mmol/L")],
    )
    assert "DUE1" in nurse_client.get(url).text
    # Follow-up ended: off the worklist at once.
    patient.refresh_from_db()
    patient_end_follow_up(actor=nurse, patient=patient, ended_on=TODAY, reason="Moved away")
    assert "DUE1" not in nurse_client.get(url).text


def test_site_versions_only_rise_and_views_do_not_raise_them(
    nurse: User, nurse_client: Client, patient: Patient, other_site
) -> None:  # type: ignore[no-untyped-def]
    def versions() -> dict[int, int]:
        return dict(SiteDataVersion.objects.values_list("site_id", "version"))

    assert versions() == {patient.site_id: 0, other_site.pk: 0}  # created with each site
    site_data_changed([patient.pk])
    site_data_changed([patient.pk])
    assert versions() == {patient.site_id: 2, other_site.pk: 0}
    nurse_client.get(_page(patient))
    nurse_client.get(_page(patient))
    # The first view assessed the patient (a change to the site's stored data); views did not.
    assert versions() == {patient.site_id: 3, other_site.pk: 0}
    assert site_versions_for(user=nurse) == ((patient.site_id, patient.site.name, 3),)


def test_a_record_edit_reaches_the_cached_page(
    nurse: User, nurse_client: Client, patient: Patient
) -> None:
    _with_open_alert(patient)
    nurse_client.get(_page(patient))
    patient.refresh_from_db()
    patient_update(
        actor=nurse,
        patient=patient,
        values={"name": "Renamed Person", "birth_date": date(1950, 5, 5)},
        expected_version=patient.version,
    )
    assert "Renamed Person" in nurse_client.get(_page(patient)).text


def test_a_renamed_scanner_reaches_the_cached_page(
    admin_user: User, nurse_client: Client, patient: Patient
) -> None:
    scan = DexaScanFactory(patient=patient, scan_date=TODAY - timedelta(days=30))
    nurse_client.get(_page(patient))
    scanner = scan.scanner
    scanner_update(
        actor=admin_user,
        scanner=scanner,
        values={"name": "Lunar iDXA Room 2"},
        expected_version=scanner.version,
    )
    assert "Lunar iDXA Room 2" in nurse_client.get(_page(patient)).text


def test_each_viewer_sees_their_own_name_on_a_cached_page(site, patient: Patient) -> None:  # type: ignore[no-untyped-def]
    _with_open_alert(patient)
    ada = UserFactory(role="physician", sites=[site], first_name="Ada", last_name="Byron")
    grace = UserFactory(role="physician", sites=[site], first_name="Grace", last_name="Hopper")
    for url in (_page(patient), reverse("monitoring:dashboard")):
        first, second = login(ada), login(grace)
        assert "Ada Byron" in first.get(url).text
        page = second.get(url)  # same permissions and data: the body is shared, the page is not
        assert "Grace Hopper" in page.text
        assert "Ada Byron" not in page.text
        assert "Ada Byron" in first.get(url).text


def test_a_waiting_message_is_shown_once_and_the_page_stays_cached_without_it(
    physician: User, physician_client: Client, patient: Patient
) -> None:
    _with_open_alert(patient)
    physician_client.get(_page(patient))  # cached without a message
    alert = Alert.objects.get(
        patient=patient, code="BASELINE_DEXA_MISSING", cleared_at__isnull=True
    )
    response = physician_client.post(
        reverse("monitoring:alert_acknowledge", args=[alert.pk]),
        {"note": "Scan booked"},
        follow=True,
    )
    messages = [str(m) for m in response.context["messages"]]
    assert messages
    assert messages[0] in response.text
    again = physician_client.get(_page(patient))
    assert messages[0] not in again.text
    assert "Scan booked" in again.text


def test_a_dashboard_row_follows_an_acknowledgement_and_a_new_alert(
    nurse: User, physician: User, physician_client: Client, site
) -> None:  # type: ignore[no-untyped-def]
    url = reverse("monitoring:dashboard")
    patient = PatientFactory(site=site, mrn="ROWCACHE")
    record_vitamin_d(nurse, patient, "20")  # deficient
    other = PatientFactory(site=site, mrn="OTHERROW")
    record_vitamin_d(nurse, other, "20")
    assert "— acknowledged" not in physician_client.get(url).text
    alert = Alert.objects.get(
        patient=patient, code__startswith="VITAMIN_D", cleared_at__isnull=True
    )
    alert_acknowledge(actor=physician, alert=alert, note="Supplement started")
    page = physician_client.get(url).text
    assert page.count("— acknowledged") == 1  # this patient's row only; the other row is reused
    _with_open_alert(patient)  # a new, higher alert once reassessed
    patient_assessment_refresh(patient=patient)
    assert "Baseline DEXA missing" in physician_client.get(url).text
