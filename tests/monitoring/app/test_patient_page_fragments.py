"""The patient page's `{% cache %}` fragments: a repeat view reads none of the records they show,
and anything they show that changes (records through the services, the site's name, a plan
setter's name, the viewer's permissions, today's date) shows at once. The POST forms stay
outside the fragments and carry the viewer's own CSRF token."""

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import Site, User
from monitoring.assessment.alerts import alert_acknowledge
from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.models import Alert, DexaScan, PatientAssessment
from monitoring.overview import patient as patient_view
from monitoring.records.services.labs import LabEntry, lab_results_record
from monitoring.records.services.plan import monitoring_plan_set
from monitoring.records.services.scans import dexa_scan_sign_off
from patients.models import Patient
from tests.conftest import login
from tests.factories import AromataseInhibitorCourseFactory, DexaScanFactory, UserFactory
from tests.html_forms import posted_data, visible_text

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def followed(patient: Patient) -> Patient:
    """On an aromatase inhibitor for a year without a baseline scan: a high alert is open."""
    AromataseInhibitorCourseFactory(patient=patient, start_date=TODAY - timedelta(days=365))
    patient_assessment_refresh(patient=patient)
    return patient


def _url(patient: Patient) -> str:
    return reverse("monitoring:patient", args=[patient.pk])


def _version(patient: Patient) -> int:
    return PatientAssessment.objects.get(patient=patient).records_version


def test_a_repeat_view_reads_none_of_the_records_the_fragments_show(
    nurse_client: Client, followed: Patient, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = nurse_client.get(_url(followed)).text

    def refuse(**kwargs: Any) -> Any:
        raise AssertionError("the whole record was read for a cached page")

    monkeypatch.setattr(patient_view.selectors, "patient_records_add", refuse)
    again = nurse_client.get(_url(followed)).text
    # The idle timer's seconds left may tick between two views on a loaded machine.
    assert _per_response(again) == _per_response(first.replace(_token(first), _token(again)))


def _per_response(html: str) -> str:
    return re.sub(r'data-idle-seconds="[^"]*"', "", html)


def _token(html: str) -> str:
    return html.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]


def test_a_lab_saved_through_the_service_shows_at_once(
    nurse: User, nurse_client: Client, followed: Patient
) -> None:
    assert "No lab result recorded." in nurse_client.get(_url(followed)).text
    before = _version(followed)
    lab_results_record(
        actor=nurse,
        patient=followed,
        sample_date=TODAY - timedelta(days=2),
        fasting=False,
        entries=[LabEntry(analyte="vitamin_d_25oh", value=Decimal(40), unit="nmol/L")],
    )
    assert _version(followed) > before  # raised by the service, in its transaction
    page = nurse_client.get(_url(followed)).text
    assert "No lab result recorded." not in page
    assert "25-OH vitamin D" in page


def test_renaming_the_site_shows_at_once(
    nurse_client: Client, followed: Patient, site: Site
) -> None:
    assert "North General" in nurse_client.get(_url(followed)).text
    Site.objects.filter(pk=site.pk).update(name="North General Infirmary")
    assert "MRN A1001 · North General Infirmary" in visible_text(
        nurse_client.get(_url(followed)).text
    )


def test_renaming_whoever_set_the_plan_shows_at_once(
    physician: User, nurse_client: Client, followed: Patient
) -> None:
    User.objects.filter(pk=physician.pk).update(first_name="Ada", last_name="Lovelace")
    physician.refresh_from_db()
    monitoring_plan_set(
        actor=physician,
        patient=followed,
        next_dexa_due=TODAY + timedelta(days=90),
        reason="Baseline scan booked",
    )
    assert "set by Ada Lovelace" in nurse_client.get(_url(followed)).text
    User.objects.filter(pk=physician.pk).update(last_name="King")  # no service, no version
    page = nurse_client.get(_url(followed)).text
    assert "set by Ada King" in page
    assert "Lovelace" not in page


def test_a_viewer_with_fewer_permissions_never_gets_the_links_cached_for_another(
    nurse_client: Client, followed: Patient, site: Site
) -> None:
    assert "Record labs" in nurse_client.get(_url(followed)).text
    reader = UserFactory(username="reader", sites=[site])
    reader.user_permissions.add(Permission.objects.get(codename="view_patient"))
    page = login(reader).get(_url(followed)).text
    assert "MRN A1001" in page
    assert "Record labs" not in page
    assert "Edit patient" not in page


def test_the_forms_carry_the_viewers_own_token(
    physician_client: Client, followed: Patient, site: Site
) -> None:
    physician_client.get(_url(followed))  # the fragments are cached for this permission set
    other = UserFactory(username="physician2", role="physician", sites=[site])
    client = login(other, Client(enforce_csrf_checks=True))
    page = client.get(_url(followed)).text
    alert = Alert.objects.get(
        patient=followed, cleared_at__isnull=True, code="BASELINE_DEXA_MISSING"
    )
    form = posted_data(page, having="note")
    form["note"] = "Scan booked for next week"
    response = client.post(reverse("monitoring:alert_acknowledge", args=[alert.pk]), form)
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.acknowledged_by == other


def test_an_acknowledgement_raises_the_patients_version_itself(
    physician: User, followed: Patient
) -> None:
    alert = Alert.objects.filter(patient=followed, cleared_at__isnull=True).first()
    assert alert is not None
    before = _version(followed)
    alert_acknowledge(actor=physician, alert=alert, note="Seen")
    assert _version(followed) == before + 1


def test_the_key_holds_the_date_the_permissions_and_the_records_version(
    nurse: User, physician: User, followed: Patient, monkeypatch: pytest.MonkeyPatch, rf: Any
) -> None:
    from monitoring.records import selectors

    def key(user: User) -> str:
        request = rf.get("/")
        request.user = User.objects.get(pk=user.pk)  # no permission cache from an earlier key
        return patient_view.fragment_key(
            request, selectors.patient_page_header(user=user, pk=followed.pk)
        )

    today = key(nurse)
    assert key(nurse) == today
    assert key(physician) != today
    monkeypatch.setattr(timezone, "localdate", lambda *a: date(2031, 1, 1))
    assert key(nurse) != today
    monkeypatch.undo()
    PatientAssessment.objects.filter(patient=followed).update(records_version=99)
    assert key(nurse) != today


@pytest.fixture
def scanned(followed: Patient) -> DexaScan:
    scan = DexaScanFactory(patient=followed, scan_date=TODAY - timedelta(days=10))
    patient_assessment_refresh(patient=followed)  # the scan awaits review
    return scan


def test_the_sign_off_form_is_rendered_for_each_viewer_and_works(
    physician_client: Client, scanned: DexaScan, site: Site
) -> None:
    physician_client.get(_url(scanned.patient))
    other = UserFactory(username="physician2", role="physician", sites=[site])
    client = login(other, Client(enforce_csrf_checks=True))
    page = client.get(_url(scanned.patient)).text
    sign_off = reverse("monitoring:scan_sign_off", args=[scanned.patient_id, scanned.pk])
    assert f'action="{sign_off}"' in page
    response = client.post(sign_off, posted_data(page, having="csrfmiddlewaretoken"))
    assert response.status_code == 302
    scanned.refresh_from_db()
    assert scanned.reviewed_by == other
    page = client.get(_url(scanned.patient)).text
    assert f'action="{sign_off}"' not in page  # signed off: the table is a cached fragment now
    assert "Signed off by physician2" in page


def test_renaming_whoever_signed_off_a_scan_shows_at_once(
    physician: User, nurse_client: Client, scanned: DexaScan
) -> None:
    dexa_scan_sign_off(actor=physician, scan=scanned)
    assert "Signed off by physician " in nurse_client.get(_url(scanned.patient)).text
    User.objects.filter(pk=physician.pk).update(first_name="Grace", last_name="Hopper")
    assert "Signed off by Grace Hopper" in nurse_client.get(_url(scanned.patient)).text


def test_the_people_a_first_view_finds_in_the_record_are_those_the_query_finds(
    site, nurse, physician
) -> None:  # type: ignore[no-untyped-def]
    """Who the fragments name is stated twice: as one query (`people_shown`, a view whose ids
    were not kept) and read from the whole record a first view reads anyway (`_people_in`).
    Both find the same people, for every kind of record that names one."""
    from monitoring.models import BoneTherapyCourse, BoneTherapyDose, MonitoringPlan
    from monitoring.records import selectors as records
    from tests.factories import PatientFactory

    patient = PatientFactory(site=site)
    reviewer, overrider = UserFactory(username="reviewer"), UserFactory(username="overrider")
    MonitoringPlan.objects.create(patient=patient, reason="baseline", set_by=physician)
    DexaScanFactory(patient=patient, reviewed_by=reviewer, reviewed_at=timezone.now())
    course = BoneTherapyCourse.objects.create(
        patient=patient,
        drug="denosumab",
        start_date=timezone.localdate(),
        entered_by=physician,
        safety_override_by=overrider,
    )
    BoneTherapyDose.objects.create(
        course=course, given_on=timezone.localdate(), entered_by=nurse, safety_override_by=nurse
    )
    expected = [physician, reviewer, overrider, nurse]
    assert records.people_shown(patient=patient) == sorted(expected, key=lambda user: user.pk)
    whole = records.patient_with_records(patient.pk)
    assert patient_view._people_in(whole) == records.people_shown(patient=patient)
