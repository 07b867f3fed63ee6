"""The physician's dashboard: order, scope, filters, counts, scans to sign off, constant queries."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from monitoring.models import DexaScan, PatientAssessment
from patients.models import FollowUpStatus, Patient
from tests.factories import DexaScanFactory, PatientFactory
from tests.monitoring.app.overview_data import alert, assessed, populate, stored, summarise

pytestmark = pytest.mark.django_db
URL = reverse("monitoring:dashboard")


def _mrns(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [p.mrn for p in response.context["page"].object_list]


def test_worst_severity_first_then_oldest(physician_client: Client, site) -> None:  # type: ignore[no-untyped-def]
    recent_critical = PatientFactory(site=site, mrn="RECENT")
    alert(recent_critical, "HYPOCALCEMIA", "critical", days_ago=2)
    old_critical = PatientFactory(site=site, mrn="OLD")
    alert(old_critical, "DENOSUMAB_REBOUND_RISK", "critical", days_ago=10)
    alert(old_critical, "VITAMIN_D_INSUFFICIENT", "info", days_ago=400)
    warning = PatientFactory(site=site, mrn="WARN")
    alert(warning, "DEXA_OVERDUE", "warning", days_ago=300)
    quiet = PatientFactory(site=site, mrn="QUIET")
    cleared = alert(quiet, "DEXA_OVERDUE", "warning", days_ago=5)
    cleared.cleared_at = cleared.raised_at
    cleared.save()
    summarise(quiet)
    response = physician_client.get(URL)
    assert response.status_code == 200
    assert _mrns(response) == ["OLD", "RECENT", "WARN"]
    assert "\u2716</span> Critical" in response.text  # a glyph beside the word, not colour alone
    assert "Critical" in response.text


def test_only_the_users_sites_active_follow_up_and_valid_patients(
    physician_client: Client, site, other_site
) -> None:  # type: ignore[no-untyped-def]
    alert(PatientFactory(site=site, mrn="MINE"), "DEXA_OVERDUE", "warning", days_ago=1)
    alert(PatientFactory(site=other_site, mrn="THEIRS"), "DEXA_OVERDUE", "warning", days_ago=1)
    ended = PatientFactory(site=site, mrn="ENDED", follow_up_status=FollowUpStatus.ENDED)
    alert(ended, "DEXA_OVERDUE", "warning", days_ago=1)
    in_error = PatientFactory(site=site, mrn="ERROR", entered_in_error=True)
    alert(in_error, "DEXA_OVERDUE", "warning", days_ago=1)
    DexaScanFactory(patient=Patient.objects.get(mrn="THEIRS"))
    response = physician_client.get(URL)
    assert _mrns(response) == ["MINE"]
    assert "THEIRS" not in response.text
    assert response.context["scans"].paginator.count == 0


def test_filters_by_severity_and_site(physician, site, other_site) -> None:  # type: ignore[no-untyped-def]
    physician.sites.add(other_site)
    alert(PatientFactory(site=site, mrn="HIGH"), "BONE_THERAPY_INDICATED", "high", days_ago=1)
    alert(PatientFactory(site=site, mrn="INFO"), "VITAMIN_D_INSUFFICIENT", "info", days_ago=1)
    alert(PatientFactory(site=other_site, mrn="ELSE"), "HYPOCALCEMIA", "critical", days_ago=1)
    from tests.conftest import login

    client = login(physician)
    assert _mrns(client.get(URL)) == ["ELSE", "HIGH", "INFO"]
    assert _mrns(client.get(URL, {"severity": "high"})) == ["ELSE", "HIGH"]
    assert _mrns(client.get(URL, {"site": site.pk})) == ["HIGH", "INFO"]
    assert _mrns(client.get(URL, {"site": site.pk, "severity": "high"})) == ["HIGH"]
    # A site that is not the user's is not a choice: the filter is ignored, never widened.
    foreign = type(site).objects.create(name="Not mine", code="notmine")
    response = client.get(URL, {"site": foreign.pk})
    assert response.context["form"].errors
    assert _mrns(response) == ["ELSE", "HIGH", "INFO"]


def test_counts_by_risk_category_and_alert_code(physician_client: Client, site) -> None:  # type: ignore[no-untyped-def]
    populate(site, 3)
    response = physician_client.get(URL)
    risk = {row["code"]: row["n"] for row in response.context["risk_rows"]}
    assert risk == {"high": 1, "moderate": 1, "low": 1, "unknown": 0}
    codes = {row["code"]: row["n"] for row in response.context["code_counts"]}
    assert codes == {"BONE_THERAPY_INDICATED": 3, "DEXA_OVERDUE": 3}
    assert "Bone therapy indicated" in response.text


def test_scans_awaiting_review_can_be_signed_off_from_the_dashboard(
    physician_client: Client, physician, patient: Patient
) -> None:  # type: ignore[no-untyped-def]
    scan = DexaScanFactory(patient=patient, scan_date=dt.date(2024, 5, 1))
    reviewed = DexaScanFactory(patient=patient, scan_date=dt.date(2023, 5, 1))
    DexaScan.objects.filter(pk=reviewed.pk).update(
        reviewed_by=physician, reviewed_at="2024-01-01T00:00Z"
    )
    stored(patient)  # assessed, as after any recorded scan
    page = physician_client.get(URL)
    assert [s.pk for s in page.context["scans"].object_list] == [scan.pk]
    sign_off = reverse("monitoring:scan_sign_off", args=[patient.pk, scan.pk])
    assert sign_off in page.text
    response = physician_client.post(sign_off, {"next": URL})
    assert response.status_code == 302
    assert response["Location"] == URL
    scan.refresh_from_db()
    assert scan.reviewed_by == physician
    assert physician_client.get(URL).context["scans"].paginator.count == 0


def test_a_scan_marked_in_error_since_the_page_was_drawn_is_not_signed_off(
    physician_client: Client, physician, patient: Patient
) -> None:  # type: ignore[no-untyped-def]
    """A nurse marks the scan in error while the physician's dashboard still shows its Sign off
    button: the button brings the physician back to the dashboard with a message, not to a 404,
    and the scan stays unsigned."""
    scan = DexaScanFactory(patient=patient, scan_date=dt.date(2024, 5, 1))
    stored(patient)
    sign_off = reverse("monitoring:scan_sign_off", args=[patient.pk, scan.pk])
    assert sign_off in physician_client.get(URL).text
    DexaScan.objects.filter(pk=scan.pk).update(entered_in_error=True)
    response = physician_client.post(sign_off, {"next": URL}, follow=True)
    assert response.redirect_chain == [(URL, 302)]
    assert "was marked entered in error since this page was shown" in response.text
    scan.refresh_from_db()
    assert scan.reviewed_at is None
    assert scan.reviewed_by is None
    other = reverse("monitoring:scan_sign_off", args=[patient.pk, scan.pk + 1000])
    assert physician_client.post(other, {"next": URL}).status_code == 404


def test_paginated(physician_client: Client, site, settings) -> None:  # type: ignore[no-untyped-def]
    settings.PAGE_SIZE = 2
    populate(site, 5)
    first = physician_client.get(URL)
    assert first.context["page"].paginator.num_pages == 3
    assert "page=2" in first.text
    assert len(_mrns(physician_client.get(URL, {"page": 3}))) == 1


def _queries(client: Client, **params: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, params)
    assert response.status_code == 200
    return len(queries)


def test_query_count_does_not_grow_with_patients(
    physician_client: Client, site, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    populate(site, 1, prefix="S")
    physician_client.get(URL)  # the first view of a sign-in also reads the last visit
    cache.clear()  # a view that draws the page, as the later ones do
    small = _queries(physician_client)
    populate(site, 30, prefix="L")
    assessed(PatientFactory(site=site), "unknown")
    large = _queries(physician_client)
    assert small == large
    assert _queries(physician_client, severity="high") == large
    with django_assert_max_num_queries(20):
        physician_client.get(URL)


def test_the_stored_assessment_follows_the_patients_follow_up_and_error_mark(
    nurse, physician_client: Client, patient: Patient
) -> None:  # type: ignore[no-untyped-def]
    from patients.in_error import patient_mark_in_error
    from patients.services import (
        patient_end_follow_up,
        patient_resume_follow_up,
        patient_update,
    )

    def stored() -> tuple[int | None, bool]:
        assessment = PatientAssessment.objects.get(patient=patient)
        return assessment.site_id, assessment.followed

    # Any change to the record assesses the patient.
    patient_update(
        actor=nurse, patient=patient, values={"name": "Renamed"}, expected_version=patient.version
    )
    patient.refresh_from_db()
    assert stored() == (patient.site_id, True)
    patient_end_follow_up(
        actor=nurse, patient=patient, ended_on=timezone.localdate(), reason="Moved"
    )
    patient.refresh_from_db()
    assert stored() == (patient.site_id, False)
    patient_resume_follow_up(actor=nurse, patient=patient)
    patient.refresh_from_db()
    assert stored() == (patient.site_id, True)
    patient_mark_in_error(actor=nurse, patient=patient, reason="Registered twice")
    assert stored() == (patient.site_id, False)


@pytest.mark.parametrize("url", [URL, reverse("monitoring:worklist")])
def test_a_site_that_is_not_the_users_is_named_next_to_the_field(
    physician_client: Client, url: str
) -> None:
    """`?site=99` was ignored without a word: the filter says so next to the field."""
    page = physician_client.get(url, {"site": "99"})
    assert page.status_code == 200
    assert "Not one of your sites: all your sites are shown." in page.text
    assert 'aria-invalid="true"' in page.text


def test_a_renamed_user_shows_at_once_among_the_scans_to_review(
    physician_client: Client, admin_user, nurse, patient: Patient
) -> None:  # type: ignore[no-untyped-def]
    """The scans to review are in the cached part and show who entered them: a change of name
    (an administrator's, through the service) changes the part's key."""
    from bonehealth.accounts.services import user_update

    DexaScanFactory(patient=patient, entered_by=nurse)
    stored(patient)
    nurse.first_name, nurse.last_name = "Ann", "Old"
    nurse.save()
    assert "Ann Old" in physician_client.get(URL).text
    assert "Ann Old" in physician_client.get(URL).text  # from the cache
    user_update(
        actor=admin_user,
        user=nurse,
        values={"first_name": "Ann", "last_name": "New", "email": nurse.email},
        roles=list(nurse.groups.all()),
        sites=list(nurse.sites.all()),
        expected_version=nurse.version,
    )
    page = physician_client.get(URL).text
    assert "Ann New" in page
    assert "Ann Old" not in page


def test_the_sign_off_buttons_submit_the_one_live_form(
    physician_client: Client, patient: Patient
) -> None:  # type: ignore[no-untyped-def]
    """No CSRF token is cached: the page draws one form with a fresh token on every view, and
    each button of the cached part names it, the scan's sign-off address and the scan's version
    (a scan changed since is not signed off: test_entry_consistency.py)."""
    scan = DexaScanFactory(patient=patient)
    stored(patient)
    for _ in range(2):
        page = physician_client.get(URL + "?severity=")
        assert page.text.count('name="csrfmiddlewaretoken"') == 2  # the sign-off form, log out
        assert 'id="scan-sign-off"' in page.text
        sign_off = reverse("monitoring:scan_sign_off", args=[patient.pk, scan.pk])
        assert (
            f'form="scan-sign-off" formaction="{sign_off}" name="version" value="{scan.version}"'
            in page.text
        )
