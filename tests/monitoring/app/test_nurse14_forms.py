"""nurse14's form findings, through the Django client, the database checked after every refusal.

#4: a stop date typed but refused (in the future) is not asked for as if empty. #8: a duplicate
scan, lab result or FRAX result links to the edit form of the one recorded, for a user who may
correct it. #11: no "-0.0" in the T-score check; the error summary in the form's order (the
trabecular bone score last). #13: the lab edit form offers its analyte's units only."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import User
from bonehealth.audit.concurrency import RecordConflictError
from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring.domain.score_checks import ScoredBmd, signed, t_score_change_problem
from monitoring.domain.types import Site as MeasuredSite
from monitoring.models import (
    BoneTherapyCourse,
    DexaMeasurement,
    DexaScan,
    FraxResult,
    LabResult,
)
from monitoring.models.labs import canonical_value
from monitoring.records.conflict_links import conflict_words
from patients.models import AromataseInhibitorCourse, Patient
from tests.factories import (
    AromataseInhibitorCourseFactory,
    DexaScanFactory,
    LabResultFactory,
    PatientFactory,
    ScannerFactory,
    UserFactory,
)
from tests.html_forms import posted_data, submit_form, visible_text

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
MINUS_ZERO = re.compile(r"-0\.0(?!\d)")  # "-0.0", not the "-0.005" of a BMD change


def _changes() -> int:
    return AuditEvent.objects.filter(action__in=[AuditAction.CREATE, AuditAction.CHANGE]).count()


# --- #4: the stop date's one message ---------------------------------------------------------


@pytest.fixture
def course(patient: Patient) -> AromataseInhibitorCourse:
    course: AromataseInhibitorCourse = AromataseInhibitorCourseFactory(
        patient=patient, start_date=TODAY - timedelta(days=17)
    )
    return course


def _course_url(course: AromataseInhibitorCourse) -> str:
    return reverse("patients:ai_course_update", args=[course.patient_id, course.pk])


def test_a_future_stop_date_with_a_reason_says_only_that_it_is_in_the_future(
    nurse_client: Client, course: AromataseInhibitorCourse
) -> None:
    changes = _changes()
    later = TODAY + timedelta(days=65)
    response = submit_form(
        nurse_client,
        _course_url(course),
        {"stop_date": later.isoformat(), "stop_reason": "side effects"},
        having="version",
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["stop_date"]
    assert len(errors) == 1
    assert "cannot be in the future" in errors[0]
    text = visible_text(response.text)
    assert "Enter the stop date" not in text
    assert later.isoformat() in response.text  # what was typed is kept
    stored = AromataseInhibitorCourse.objects.get(pk=course.pk)
    assert (stored.stop_date, stored.stop_reason, stored.version) == (None, "", course.version)
    assert _changes() == changes


def test_a_stop_reason_without_a_stop_date_still_asks_for_the_date(
    nurse_client: Client, course: AromataseInhibitorCourse
) -> None:
    response = submit_form(
        nurse_client, _course_url(course), {"stop_reason": "side effects"}, having="version"
    )
    assert response.context["form"].errors["stop_date"] == [
        "Enter the stop date, or clear the stop reason."
    ]
    assert AromataseInhibitorCourse.objects.get(pk=course.pk).stop_reason == ""


# --- #8: a duplicate links to the record recorded --------------------------------------------


@pytest.fixture
def scanned(patient: Patient) -> DexaScan:
    scan: DexaScan = DexaScanFactory(
        patient=patient,
        scan_date=TODAY - timedelta(days=3),
        scanner=ScannerFactory(site=patient.site, name="GE Lunar iDXA"),
    )
    return scan


def test_a_second_scan_of_the_day_links_to_the_one_recorded(
    nurse_client: Client, patient: Patient, scanned: DexaScan
) -> None:
    changes = _changes()
    url = reverse("monitoring:scan_create", args=[patient.pk])
    response = submit_form(
        nurse_client,
        url,
        {
            "scan_date": scanned.scan_date.isoformat(),
            "scanner": str(scanned.scanner_id),
            "total_hip_bmd": "0.801",
            "total_hip_t_score": "-1.2",
        },
        having="scan_date",
    )
    assert response.status_code == 200
    edit = reverse("monitoring:scan_update", args=[patient.pk, scanned.pk])
    assert f'<a href="{edit}" target="_blank" rel="noopener">Open that scan</a>' in response.text
    text = visible_text(response.text)
    assert (
        f"A scan on GE Lunar iDXA from {scanned.scan_date:%Y-%m-%d} is already recorded for this "
        "patient (entered at "
    ) in text
    assert "correct that one instead. Open that scan (opens in a new tab)." in text
    assert DexaScan.objects.count() == 1
    assert DexaMeasurement.objects.count() == 3
    assert _changes() == changes


def test_a_site_measured_already_that_day_links_to_its_scan(
    nurse_client: Client, patient: Patient, scanned: DexaScan
) -> None:
    other = ScannerFactory(site=patient.site, name="Hologic Horizon")
    response = submit_form(
        nurse_client,
        reverse("monitoring:scan_create", args=[patient.pk]),
        {
            "scan_date": scanned.scan_date.isoformat(),
            "scanner": str(other.pk),
            "lumbar_spine_bmd": "0.912",
            "lumbar_spine_t_score": "-1.2",
        },
        having="scan_date",
    )
    error = response.context["form"].errors["lumbar_spine_bmd"][0]
    assert "This site already has a measurement on" in error
    assert reverse("monitoring:scan_update", args=[patient.pk, scanned.pk]) in error
    assert DexaScan.objects.count() == 1


def test_a_lab_result_recorded_already_links_to_its_edit_form(
    nurse_client: Client, patient: Patient
) -> None:
    recorded = LabResultFactory(patient=patient, sample_date=TODAY - timedelta(days=4))
    response = nurse_client.post(
        reverse("monitoring:labs_create", args=[patient.pk]),
        {
            "sample_date": recorded.sample_date.isoformat(),
            "vitamin_d_25oh_value": "43.5",
            "vitamin_d_25oh_unit": "ng/mL",
        },
    )
    assert response.status_code == 200
    edit = reverse("monitoring:lab_update", args=[patient.pk, recorded.pk])
    error = response.context["form"].errors["vitamin_d_25oh_value"][0]
    assert f'<a href="{edit}" target="_blank" rel="noopener">Open that result</a>' in error
    assert "correct that one instead. Open that result (opens in a new tab)." in visible_text(
        response.text
    )
    assert LabResult.objects.get().entered_value == 35


def test_a_frax_result_recorded_already_links_to_its_edit_form(
    nurse_client: Client, patient: Patient
) -> None:
    day = TODAY - timedelta(days=2)
    recorded = FraxResult.objects.create(
        patient=patient, assessed_on=day, major_osteoporotic_pct=12, hip_pct=3, with_bmd=True
    )
    response = nurse_client.post(
        reverse("monitoring:frax_create", args=[patient.pk]),
        {
            "assessed_on": day.isoformat(),
            "major_osteoporotic_pct": "13",
            "hip_pct": "3.5",
            "with_bmd": "on",
        },
    )
    assert response.status_code == 200
    edit = reverse("monitoring:frax_update", args=[patient.pk, recorded.pk])
    assert f'href="{edit}"' in response.text
    assert "Open that FRAX result (opens in a new tab)" in visible_text(response.text)
    assert FraxResult.objects.count() == 1


def test_the_link_is_given_only_for_the_page_s_patient_and_a_user_who_may_correct(
    patient: Patient, scanned: DexaScan, nurse: User, site: object
) -> None:
    conflict = RecordConflictError("scan_date", "Already recorded.", existing=scanned)
    edit = reverse("monitoring:scan_update", args=[patient.pk, scanned.pk])
    assert edit in conflict_words(conflict, user=nurse, patient=patient)
    # Another patient's page (never the case today: the services look among hers only).
    other = PatientFactory(site=patient.site)
    assert conflict_words(conflict, user=nurse, patient=other) == "Already recorded."
    # A user who may not correct scans (an administrator) gets the words alone.
    admin = UserFactory(username="admin2", role="admin", sites=[patient.site])
    assert conflict_words(conflict, user=admin, patient=patient) == "Already recorded."
    # A therapy course is a physician's to correct: linked for her, not for a nurse.
    course = BoneTherapyCourse.objects.create(
        patient=patient, drug="denosumab", start_date=TODAY - timedelta(days=30)
    )
    duplicate = RecordConflictError("drug", "Already recorded.", existing=course)
    physician = UserFactory(username="physician2", role="physician", sites=[patient.site])
    therapy = reverse("monitoring:therapy_update", args=[patient.pk, course.pk])
    assert therapy in conflict_words(duplicate, user=physician, patient=patient)
    assert conflict_words(duplicate, user=nurse, patient=patient) == "Already recorded."
    # A conflict with no record named is said as it is.
    plain = RecordConflictError(None, "Reload the page.")
    assert conflict_words(plain, user=nurse, patient=patient) == "Reload the page."


# --- #11: the T-score check's numbers and the summary's order -----------------------------------


def test_a_change_rounded_to_nothing_is_0_0_not_minus_0_0() -> None:
    assert signed(Decimal("-0.0")) == "0.0"
    assert signed(Decimal("-0.1")) == "-0.1"
    assert signed(Decimal("0.3")) == "+0.3"
    words = t_score_change_problem(
        MeasuredSite.TOTAL_HIP,
        ScoredBmd(date(2026, 11, 25), Decimal("0.845"), Decimal("-1.3")),
        ScoredBmd(date(2026, 12, 7), Decimal("0.840"), Decimal("1.3")),
    )
    assert words is not None
    assert "a BMD change of -0.005 g/cm² moves the T-score by -0.1 to 0.0." in words
    assert not MINUS_ZERO.search(words)


def test_the_scan_form_s_t_score_check_says_no_minus_zero(
    nurse_client: Client, patient: Patient, scanned: DexaScan
) -> None:
    DexaMeasurement.objects.filter(scan=scanned, site="total_hip").update(
        bmd=Decimal("0.845"), t_score=Decimal("-1.3")
    )
    response = submit_form(
        nurse_client,
        reverse("monitoring:scan_create", args=[patient.pk]),
        {
            "scan_date": TODAY.isoformat(),
            "scanner": str(scanned.scanner_id),
            "total_hip_bmd": "0.840",
            "total_hip_t_score": "1.3",
        },
        having="scan_date",
    )
    text = visible_text(response.text)
    assert "moves the T-score by -0.1 to 0.0" in text
    assert not MINUS_ZERO.search(text)
    assert DexaScan.objects.count() == 1


def test_the_error_summary_follows_the_form_s_order(nurse_client: Client, patient: Patient) -> None:
    scanner = ScannerFactory(site=patient.site, name="GE Lunar iDXA")
    response = nurse_client.post(
        reverse("monitoring:scan_create", args=[patient.pk]),
        {
            "scan_date": TODAY.isoformat(),
            "scanner": str(scanner.pk),
            "lumbar_spine_bmd": "9.12",
            "lumbar_spine_t_score": "-1.2",
            "trabecular_bone_score": "1350",
        },
    )
    summary = visible_text(response.text.split("data-error-summary>", 1)[1].split("</div>", 1)[0])
    assert summary.startswith("Not saved: 2 problems below")
    spine, tbs = summary.index("Lumbar spine"), summary.index("Trabecular bone score")
    assert spine < tbs, summary
    assert not DexaScan.objects.exists()


# --- #13: the lab edit form's units -------------------------------------------------------------


def _unit_options(page: str) -> list[str]:
    select = page.split('name="unit"', 1)[1].split("</select>", 1)[0]
    return [option.split('"', 1)[0] for option in select.split('<option value="')[1:]]


def test_the_lab_edit_form_offers_its_analyte_s_units_only(
    nurse_client: Client, patient: Patient
) -> None:
    lab = LabResultFactory(
        patient=patient,
        value=canonical_value("vitamin_d_25oh", Decimal(45), "nmol/L"),
        entered_value=45,
        entered_unit="nmol/L",
    )
    url = reverse("monitoring:lab_update", args=[patient.pk, lab.pk])
    page = nurse_client.get(url).text
    assert _unit_options(page) == ["", "ng/mL", "nmol/L"]
    assert posted_data(page, having="version")["unit"] == "nmol/L"
    # Saved unchanged: nothing changes.
    changes = _changes()
    saved = nurse_client.post(url, posted_data(page, having="version"), follow=True)
    assert "Nothing was changed" in visible_text(saved.content.decode())
    stored = LabResult.objects.get(pk=lab.pk)
    assert (stored.entered_value, stored.entered_unit, stored.version) == (45, "nmol/L", 1)
    assert _changes() == changes


def test_a_unit_of_another_analyte_posted_is_refused_and_the_analyte_s_units_offered(
    nurse_client: Client, patient: Patient
) -> None:
    lab = LabResultFactory(patient=patient, entered_value=45, entered_unit="nmol/L")
    url = reverse("monitoring:lab_update", args=[patient.pk, lab.pk])
    response = submit_form(nurse_client, url, {"unit": "µmol/L"}, having="version")
    assert response.context["form"].errors["unit"] == ["Use one of ng/mL, nmol/L for this analyte."]
    assert _unit_options(response.text) == ["", "ng/mL", "nmol/L"]
    assert LabResult.objects.get(pk=lab.pk).entered_unit == "nmol/L"
    # The analyte corrected: the form comes back with the new analyte's units.
    response = submit_form(
        nurse_client, url, {"analyte": "egfr", "unit": "nmol/L"}, having="version"
    )
    assert _unit_options(response.text) == ["mL/min/1.73m2"]
    assert LabResult.objects.get(pk=lab.pk).analyte == "vitamin_d_25oh"


def test_the_analyte_box_carries_every_analyte_s_units_for_the_browser(
    nurse_client: Client, patient: Patient
) -> None:
    lab = LabResultFactory(patient=patient)
    page = nurse_client.get(reverse("monitoring:lab_update", args=[patient.pk, lab.pk])).text
    assert "data-units-of=" in page
    assert "js/lab-units" in page
