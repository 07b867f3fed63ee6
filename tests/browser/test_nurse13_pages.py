"""What nurse13's form findings looked like, in Chromium (#12, #13, #14, #16): no form a nurse
cannot send, a refused note shown read-only with a working copy button, the error beside the
date changed, the scan form's problems in one submit, and "the same injection?" once."""

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from bonehealth.accounts.models import Site, User
from monitoring.assessment.alerts import alert_acknowledge
from monitoring.models import Alert, BoneTherapyDose, DexaScan, Scanner
from patients.models import AromataseInhibitorCourse, Patient
from tests.browser.clinic import BROWSER, log_in, north_general, watch_csp_errors
from tests.factories import AromataseInhibitorCourseFactory, PatientFactory, course_with_a_dose_due

pytestmark = BROWSER
TODAY = timezone.localdate()


@pytest.fixture
def site(roles: None) -> Site:
    return north_general("nurse", "physician")


@pytest.fixture
def patient(site: Site) -> Patient:
    patient: Patient = PatientFactory(site=site, mrn="NG4471-23", name="Margaret O'Brien")
    return patient


def test_the_only_course_s_mark_page_shows_a_nurse_whom_to_ask_and_no_form(
    live_server: Any, page: Page, patient: Patient, screenshot: Any
) -> None:
    course = AromataseInhibitorCourseFactory(patient=patient, start_date=TODAY.replace(day=1))
    csp_errors = watch_csp_errors(page)
    log_in(page, live_server.url, "nurse")
    page.goto(live_server.url + reverse("monitoring:patient", args=[patient.pk]))
    mark = reverse("patients:ai_course_mark_in_error", args=[patient.pk, course.pk])
    page.locator(f"a[href='{mark}']").click()
    page.wait_for_load_state()
    expect(page.locator("#physician-needed")).to_contain_text(
        "then “Entered in error…” beside the course"
    )
    expect(page.get_by_role("textbox")).to_have_count(0)
    expect(page.get_by_role("button", name="Mark entered in error")).to_have_count(0)
    screenshot("nurse13-course-mark-refused")
    page.get_by_role("link", name="Back to the patient's page").click()
    page.wait_for_load_state()
    assert page.url.endswith(reverse("monitoring:patient", args=[patient.pk]))
    assert not AromataseInhibitorCourse.objects.get(pk=course.pk).entered_in_error
    assert csp_errors == []


def test_a_note_acknowledged_first_by_someone_else_is_kept_read_only_to_copy(
    live_server: Any, page: Page, patient: Patient, screenshot: Any
) -> None:
    alert = Alert.objects.create(
        patient=patient,
        code="DENOSUMAB_DUE",
        severity="warning",
        severity_rank=1,
        message="Denosumab dose due.",
        raised_at=timezone.now(),
    )
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    log_in(page, live_server.url, "physician")
    page.goto(live_server.url + reverse("monitoring:alert_acknowledge", args=[alert.pk]))
    page.fill("textarea[name=note]", "Phoned patient, booking DEXA")
    # The other tab: the nurse acknowledges it first.
    alert_acknowledge(actor=User.objects.get(username="nurse"), alert=alert, note="Booked")
    page.get_by_role("button", name="Acknowledge").click()
    page.wait_for_load_state()
    expect(
        page.get_by_text("acknowledged this alert first; your note was not saved")
    ).to_be_visible()
    kept = page.get_by_test_id("unsaved-text")
    expect(kept).to_contain_text("Phoned patient, booking DEXA")
    expect(page.get_by_role("textbox")).to_have_count(0)
    kept.get_by_role("button", name="Copy the text").click()
    expect(kept).to_contain_text("Copied.")
    assert page.evaluate("navigator.clipboard.readText()") == "Phoned patient, booking DEXA"
    screenshot("nurse13-note-kept")
    alert.refresh_from_db()
    assert alert.acknowledgement_note == "Booked"


def test_a_start_date_moved_past_the_stop_is_said_beside_the_start_date(
    live_server: Any, page: Page, patient: Patient
) -> None:
    stop = TODAY - dt.timedelta(days=2)
    course = AromataseInhibitorCourseFactory(
        patient=patient, start_date=stop - dt.timedelta(days=180), stop_date=stop
    )
    log_in(page, live_server.url, "nurse")
    page.goto(live_server.url + reverse("patients:ai_course_update", args=[patient.pk, course.pk]))
    page.fill("input[name=start_date]", (stop + dt.timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    expect(page.locator("#div_id_start_date")).to_contain_text(
        f"The start date is after the stop date ({stop:%Y-%m-%d})."
    )
    expect(page.locator("#div_id_stop_date .invalid-feedback")).to_have_count(0)
    assert AromataseInhibitorCourse.objects.get(pk=course.pk).start_date == course.start_date


def test_one_submit_of_the_scan_form_says_the_mg_bmd_and_the_sign_slip(
    live_server: Any, page: Page, patient: Patient
) -> None:
    Scanner.objects.create(site=patient.site, name="GE Lunar iDXA")
    log_in(page, live_server.url, "nurse")
    page.goto(live_server.url + reverse("monitoring:scan_create", args=[patient.pk]))
    page.fill("input[name=scan_date]", (TODAY - dt.timedelta(days=1)).isoformat())
    page.select_option("select[name=scanner]", label="GE Lunar iDXA")
    page.fill("input[name=lumbar_spine_bmd]", "0.912")
    page.fill("input[name=lumbar_spine_t_score]", "2.1")
    page.fill("input[name=total_hip_bmd]", "812")
    page.fill("input[name=total_hip_t_score]", "-1.6")
    page.get_by_role("button", name="Save scan").click()
    page.wait_for_load_state()
    hip = page.locator("fieldset", has=page.locator("input[name=total_hip_bmd]"))
    expect(hip).to_contain_text("812 looks like mg/cm²: 0.812 g/cm²?")
    spine = page.locator("fieldset", has=page.locator("input[name=lumbar_spine_t_score]"))
    expect(spine).to_contain_text("check the sign of +2.1")
    expect(
        spine.get_by_label("Lumbar spine (L1-L4): the values are right as entered")
    ).to_be_visible()
    expect(page.locator("input[name=total_hip_bmd]")).to_have_value("812")
    assert not DexaScan.objects.filter(patient=patient).exists()


def test_the_same_injection_question_is_asked_once_and_the_row_dates_what_it_names(
    live_server: Any, page: Page, patient: Patient, screenshot: Any
) -> None:
    course = course_with_a_dose_due(patient, "denosumab", days=190, since=600)
    # A colleague recorded today's injection minutes ago; this nurse records it as yesterday's.
    BoneTherapyDose.objects.create(course=course, given_on=TODAY)
    log_in(page, live_server.url, "nurse")
    page.goto(live_server.url + reverse("monitoring:dose_create", args=[patient.pk, course.pk]))
    page.fill("input[name=given_on]", (TODAY - dt.timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Record dose").click()
    page.wait_for_load_state()
    beside = page.locator("#div_id_given_on .invalid-feedback")
    expect(beside).to_contain_text("is this the same injection?")
    row = page.locator("tr[data-check=dose_interval]")
    expect(row.locator("td.check-says")).not_to_contain_text("same injection")
    expect(row.locator("td[data-label=Date]")).to_have_text(f"{TODAY:%Y-%m-%d}")
    expect(row.locator("td.check-says")).to_contain_text(
        f"A later denosumab dose is recorded on {TODAY:%Y-%m-%d}"
    )
    screenshot("nurse13-same-injection-once")
    assert list(course.doses.filter(given_on__gte=TODAY - dt.timedelta(days=1))) == [
        BoneTherapyDose.objects.get(course=course, given_on=TODAY)
    ]
