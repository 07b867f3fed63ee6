"""nurse13's form findings (#12, #13, #14, #16), through the Django client, the database checked
after every refusal.

#12: a page a nurse cannot complete offers no Reason box and no button, and says whom to ask
(the only running AI course, a patient with running care); a note refused because someone
acknowledged the alert first is shown read-only, to copy, not in a box with no button.
#13: a refusal is said beside the field the user changed. #16: one submit of the scan form says
every problem (the T-score checks of the sites read, whatever another site's BMD), and a BMD
typed in mg/cm² says so. #14: a dose asks "the same injection?" only when the dates are days
apart, once beside the date; the checklist row's date is the dose its words name."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import User
from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring.models import Alert, BoneTherapyDose, DexaScan, LabResult
from monitoring.records.dose_safety import dose_checklist
from patients.models import AromataseInhibitorCourse, Patient
from tests.conftest import login
from tests.factories import (
    AromataseInhibitorCourseFactory,
    LabResultFactory,
    ScannerFactory,
    UserFactory,
    course_with_a_dose_due,
)
from tests.html_forms import posted_data, submit_form

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
# An AI course stopped today, as the tester's (nurse13 #13).
START, STOP = TODAY - timedelta(days=188), TODAY


def _events(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


# --- #12: no form a nurse cannot send ------------------------------------------------------------


@pytest.fixture
def only_course(patient: Patient) -> AromataseInhibitorCourse:
    course: AromataseInhibitorCourse = AromataseInhibitorCourseFactory(
        patient=patient, start_date=date(2024, 1, 15), stop_date=None
    )
    return course


def _course_mark_url(course: AromataseInhibitorCourse) -> str:
    return reverse("patients:ai_course_mark_in_error", args=[course.patient_id, course.pk])


def test_the_only_running_course_s_page_shows_a_nurse_no_form_only_whom_to_ask(
    nurse_client: Client, only_course: AromataseInhibitorCourse
) -> None:
    page = nurse_client.get(_course_mark_url(only_course)).text
    assert "A physician must mark this course entered in error." in page
    assert "Ask a physician of" in page
    # The words of the patient page's link beside the course.
    assert "then “Entered in error…” beside the course" in page
    assert 'name="reason"' not in page
    assert "<textarea" not in page
    assert "Mark entered in error</button>" not in page
    assert 'type="submit"' not in page.split('id="physician-needed"')[1]
    assert "Back to the patient's page" in page
    # Nothing is said as if it had been refused before anything was sent.
    assert "Not marked" not in page


def test_a_reason_posted_from_an_older_page_is_refused_once_and_kept_to_pass_on(
    nurse_client: Client, only_course: AromataseInhibitorCourse
) -> None:
    marks = _events(AuditAction.MARK_ERROR)
    response = nurse_client.post(
        _course_mark_url(only_course), {"reason": "entered for the wrong patient", "version": 1}
    )
    assert response.status_code == 200
    text = response.text
    assert text.count("A physician must mark this course entered in error") == 1
    assert "Not marked: nothing was changed." in text
    assert "entered for the wrong patient" in text  # kept, read-only
    assert "<textarea" not in text
    stored = AromataseInhibitorCourse.objects.get(pk=only_course.pk)
    assert (stored.entered_in_error, stored.version) == (False, only_course.version)
    assert _events(AuditAction.MARK_ERROR) == marks


def test_the_patient_page_names_the_button_the_patient_page_shows(
    nurse_client: Client, only_course: AromataseInhibitorCourse
) -> None:
    patient_page = nurse_client.get(reverse("monitoring:patient", args=[only_course.patient_id]))
    assert "Entered in error…</a>" in patient_page.text
    page = nurse_client.get(reverse("patients:mark_in_error", args=[only_course.patient_id])).text
    assert "then “Entered in error…” beside “Edit patient”" in page
    assert 'then "Mark entered in error"' not in page
    assert "<textarea" not in page
    assert "Back to the patient's page" in page


@pytest.fixture
def warning_alert(patient: Patient) -> Alert:
    alert: Alert = Alert.objects.create(
        patient=patient,
        code="DENOSUMAB_DUE",
        severity="warning",
        severity_rank=1,
        message="Denosumab dose due.",
        raised_at=timezone.now(),
    )
    return alert


def test_a_note_refused_because_someone_acknowledged_first_is_shown_read_only(
    nurse_client: Client, physician_client: Client, warning_alert: Alert
) -> None:
    url = reverse("monitoring:alert_acknowledge", args=[warning_alert.pk])
    assert physician_client.get(url).status_code == 200
    assert nurse_client.post(url, {"note": "Denosumab booked for Friday"}).status_code == 302
    response = physician_client.post(url, {"note": "Phoned patient, booking DEXA"})
    assert response.status_code == 409
    text = response.text
    assert "acknowledged this alert first; your note was not saved." in text
    assert text.count("Phoned patient, booking DEXA") == 1  # shown once, read-only
    assert 'name="note"' not in text
    assert "<textarea" not in text
    assert 'data-copy-from="unsaved-note-text"' in text
    warning_alert.refresh_from_db()
    assert warning_alert.acknowledgement_note == "Denosumab booked for Friday"


def test_a_group_note_refused_is_shown_read_only_too(
    nurse_client: Client, physician_client: Client, warning_alert: Alert
) -> None:
    url = reverse(
        "monitoring:alert_group_acknowledge", args=[warning_alert.patient_id, "DENOSUMAB_DUE"]
    )
    opened = posted_data(physician_client.get(url).text, having="note")
    assert nurse_client.post(url, opened | {"note": "Booked for Friday"}).status_code == 302
    response = physician_client.post(url, opened | {"note": "Phoned patient"})
    assert response.status_code == 409
    assert "Phoned patient" in response.text
    assert "<textarea" not in response.text
    warning_alert.refresh_from_db()
    assert warning_alert.acknowledgement_note == "Booked for Friday"


# --- #13: the error beside the field changed ------------------------------------------------------


@pytest.fixture
def stopped_course(patient: Patient) -> AromataseInhibitorCourse:
    course: AromataseInhibitorCourse = AromataseInhibitorCourseFactory(
        patient=patient, start_date=START, stop_date=STOP
    )
    AromataseInhibitorCourse.objects.filter(pk=course.pk).update(stop_reason="switched")
    return course


def _course_edit_url(course: AromataseInhibitorCourse) -> str:
    return reverse("patients:ai_course_update", args=[course.patient_id, course.pk])


@pytest.mark.parametrize(
    ("typed", "field", "words"),
    [
        (
            {"start_date": (STOP + timedelta(days=3)).isoformat()},
            "start_date",
            f"The start date is after the stop date ({STOP:%Y-%m-%d}).",
        ),
        (
            {"stop_date": (START - timedelta(days=30)).isoformat()},
            "stop_date",
            "The stop date is before the start date.",
        ),
        (
            {
                "start_date": (STOP - timedelta(days=3)).isoformat(),
                "stop_date": (STOP - timedelta(days=5)).isoformat(),
            },
            "stop_date",
            "The stop date is before the start date.",
        ),
    ],
)
def test_a_course_s_dates_in_the_wrong_order_are_said_beside_the_date_changed(
    nurse_client: Client,
    stopped_course: AromataseInhibitorCourse,
    typed: dict[str, str],
    field: str,
    words: str,
) -> None:
    response = submit_form(nurse_client, _course_edit_url(stopped_course), typed, having="version")
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors[field] == [words]
    assert {"start_date", "stop_date"} - {field} & set(errors) == set()
    stored = AromataseInhibitorCourse.objects.get(pk=stopped_course.pk)
    assert (stored.start_date, stored.stop_date, stored.version) == (
        START,
        STOP,
        stopped_course.version,
    )


@pytest.fixture
def ctx_and_calcium(patient: Patient) -> LabResult:
    day = TODAY - timedelta(days=6)
    LabResultFactory(
        patient=patient,
        sample_date=day,
        analyte="calcium",
        value=Decimal("2.4"),
        entered_value=Decimal("2.4"),
        entered_unit="mmol/L",
    )
    ctx: LabResult = LabResultFactory(
        patient=patient,
        sample_date=day,
        analyte="ctx",
        value=Decimal("420"),
        entered_value=Decimal("420"),
        entered_unit="pg/mL",
    )
    return ctx


def test_a_duplicate_made_by_changing_the_analyte_is_said_beside_the_analyte(
    nurse_client: Client, ctx_and_calcium: LabResult
) -> None:
    url = reverse("monitoring:lab_update", args=[ctx_and_calcium.patient_id, ctx_and_calcium.pk])
    response = submit_form(
        nurse_client,
        url,
        {"analyte": "calcium", "value": "2.3", "unit": "mmol/L"},
        having="version",
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "is already recorded" in errors["analyte"][0]
    assert "sample_date" not in errors
    stored = LabResult.objects.get(pk=ctx_and_calcium.pk)
    assert (stored.analyte, stored.version) == ("ctx", ctx_and_calcium.version)
    # Its date changed as well: said beside the date, as before.
    other_day = {"sample_date": (TODAY - timedelta(days=6)).isoformat()}
    LabResult.objects.filter(pk=ctx_and_calcium.pk).update(sample_date=TODAY - timedelta(days=7))
    moved = submit_form(
        nurse_client,
        url,
        {"analyte": "calcium", "value": "2.3", "unit": "mmol/L"} | other_day,
        having="version",
    )
    assert "is already recorded" in moved.context["form"].errors["sample_date"][0]
    assert LabResult.objects.get(pk=ctx_and_calcium.pk).analyte == "ctx"


# --- #16: the scan form in one round ---------------------------------------------------------


def test_one_submit_says_the_bmd_in_mg_and_the_t_score_sign_slip(
    nurse_client: Client, patient: Patient
) -> None:
    scanner = ScannerFactory(site=patient.site, name="GE Lunar iDXA")
    url = reverse("monitoring:scan_create", args=[patient.pk])
    typed = {
        "scan_date": (TODAY - timedelta(days=1)).isoformat(),
        "scanner": str(scanner.pk),
        "lumbar_spine_bmd": "0.912",
        "lumbar_spine_t_score": "2.1",
        "total_hip_bmd": "812",
        "total_hip_t_score": "-1.6",
    }
    response = nurse_client.post(url, typed)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["total_hip_bmd"] == [
        "812 looks like mg/cm²: 0.812 g/cm²? Enter the BMD in g/cm², from 0.2 to 2.0."
    ]
    assert "check the sign of +2.1" in errors["lumbar_spine_t_score"][0]
    assert "lumbar_spine_values_confirmed" in errors
    assert 'value="812"' in response.text  # kept as typed
    assert not DexaScan.objects.filter(patient=patient).exists()
    # Fixed and ticked, it saves at the next submit.
    fixed = typed | {"total_hip_bmd": "0.812", "lumbar_spine_values_confirmed": "on"}
    assert nurse_client.post(url, fixed).status_code == 302
    assert DexaScan.objects.filter(patient=patient).count() == 1


def test_a_bmd_out_of_range_that_is_no_mg_value_keeps_the_range_message(
    nurse_client: Client, patient: Patient
) -> None:
    scanner = ScannerFactory(site=patient.site)
    response = nurse_client.post(
        reverse("monitoring:scan_create", args=[patient.pk]),
        {
            "scan_date": (TODAY - timedelta(days=1)).isoformat(),
            "scanner": str(scanner.pk),
            "total_hip_bmd": "9.12",
            "total_hip_t_score": "-1.6",
        },
    )
    assert response.context["form"].errors["total_hip_bmd"] == [
        "Enter a value from 0.2 to 2.0 g/cm²."
    ]
    assert not DexaScan.objects.filter(patient=patient).exists()


# --- #14: the dose form ----------------------------------------------------------------------


def test_a_dose_weeks_from_one_just_entered_is_an_early_dose_not_the_same_injection(
    nurse_client: Client, patient: Patient, physician: User
) -> None:
    """SHOW-02: the seed entered today a dose of 54 days before; a dose then is early, said once
    in the row, and not asked about as the same injection."""
    course = course_with_a_dose_due(patient, "denosumab", days=240, since=600)
    earlier = TODAY - timedelta(days=200)
    BoneTherapyDose.objects.create(course=course, given_on=earlier, entered_by=physician)
    url = reverse("monitoring:dose_create", args=[patient.pk, course.pk])
    doses = course.doses.count()
    given = (earlier + timedelta(days=54)).isoformat()
    response = nurse_client.post(url, {"given_on": given})
    assert response.status_code == 200
    assert "same injection" not in response.text
    assert "days early" in response.text
    assert "given_on" not in response.context["form"].errors
    assert course.doses.count() == doses


def test_the_same_injection_question_is_said_once_beside_the_date(
    nurse_client: Client, patient: Patient
) -> None:
    course = course_with_a_dose_due(patient, "denosumab", days=240, since=600)
    nora = UserFactory(username="nora", role="nurse", sites=[patient.site])
    url = reverse("monitoring:dose_create", args=[patient.pk, course.pk])
    yesterday = (TODAY - timedelta(days=1)).isoformat()
    assert login(nora).post(url, {"given_on": yesterday}).status_code == 302
    doses = course.doses.count()
    # Opened after it: asked beside the date before any submit.
    opened = nurse_client.get(url).text
    assert opened.count("is this the same injection?") == 1
    response = nurse_client.post(url, {"given_on": TODAY.isoformat()})
    assert response.status_code == 200
    assert "is this the same injection?" in response.context["form"].errors["given_on"][0]
    row = response.text.split('data-check="dose_interval"')[1].split("</tr>")[0]
    assert "same injection" not in row
    # Beside the field and in the summary's link: no more.
    assert response.text.count("is this the same injection?") <= 2
    assert course.doses.count() == doses


def test_the_row_s_date_is_the_later_dose_its_words_name(patient: Patient) -> None:
    """A dose entered for yesterday, today's on file: the row names today's dose and dates it."""
    course = course_with_a_dose_due(patient, "denosumab", days=190, since=600)
    BoneTherapyDose.objects.create(course=course, given_on=TODAY)
    yesterday = TODAY - timedelta(days=1)
    (interval,) = [
        check
        for check in dose_checklist(patient=patient, course=course, given_on=yesterday).checks
        if check.key == "dose_interval"
    ]
    assert interval.failed
    (words,) = interval.messages
    assert words.startswith(f"A later denosumab dose is recorded on {TODAY:%Y-%m-%d}: ")
    assert (interval.date, interval.value) == (TODAY, "later dose")
