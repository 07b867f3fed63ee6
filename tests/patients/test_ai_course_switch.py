"""A switch of aromatase inhibitor in one save (physician7 F8): the new course's form offers to
stop the current one on the day the new one starts, in one transaction with one reassessment, so
an alert that still holds (TX-AI-RF, still on an AI) stays the same open, acknowledged alert."""

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import User
from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring.assessment.alerts import alert_acknowledge
from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.models import Alert
from patients.course_forms import SWITCH_COURSE, SWITCH_VERSION
from patients.models import AromataseInhibitorCourse, Patient
from patients.overlaps import AiCourseOverlapError
from patients.services import ai_course_create
from patients.switching import CourseSwitch
from tests.factories import AromataseInhibitorCourseFactory, DexaScanFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
MDT_NOTE = "Discussed in MDT: zoledronic acid offered, patient to decide"


@pytest.fixture
def exemestane(patient: Patient) -> AromataseInhibitorCourse:
    course: AromataseInhibitorCourse = AromataseInhibitorCourseFactory(
        patient=patient, drug="exemestane", start_date=date(2025, 1, 15)
    )
    return course


@pytest.fixture
def acknowledged(patient: Patient, exemestane: AromataseInhibitorCourse, physician: User) -> Alert:
    """Aged over 65 with T -2.0 on an AI: therapy indicated (TX-AI-RF), acknowledged in MDT."""
    assert patient.age > 65
    DexaScanFactory(patient=patient, scan_date=TODAY - timedelta(days=30), t=-2.0)
    patient_assessment_refresh(patient=patient)
    alert = Alert.objects.get(patient=patient, code="BONE_THERAPY_INDICATED", cleared_at=None)
    return alert_acknowledge(actor=physician, alert=alert, note=MDT_NOTE)


def _opened(client: Client, patient: Patient) -> dict[str, str]:
    """The hidden values of the new-course form as a GET shows it: the course it offers to stop."""
    form = client.get(reverse("patients:ai_course_create", args=[patient.pk])).context["form"]
    return {name: str(form[name].value()) for name in (SWITCH_COURSE, SWITCH_VERSION)}


def _switch(
    client: Client, patient: Patient, start: date, opened: dict[str, str] | None = None, **more: str
) -> object:
    url = reverse("patients:ai_course_create", args=[patient.pk])
    data = {"drug": "anastrozole", "start_date": start.isoformat(), **more}
    if more.get("stop_current"):
        data |= opened if opened is not None else _opened(client, patient)
    return client.post(url, data)


def test_the_form_offers_to_stop_the_current_course(
    physician_client: Client, patient: Patient, exemestane: AromataseInhibitorCourse
) -> None:
    page = physician_client.get(reverse("patients:ai_course_create", args=[patient.pk])).text
    assert (
        "Stop the current course (exemestane, from 2025-01-15, not stopped) on the day this one "
        "starts"
    ) in page
    # It names, hidden, the course it offers to stop and the version shown (security8 N1).
    assert f'name="switch_course" value="{exemestane.pk}"' in page
    assert 'name="switch_course_version" value="1"' in page


def test_a_switch_keeps_the_acknowledged_alert(
    physician_client: Client, patient: Patient, exemestane: AromataseInhibitorCourse, acknowledged
) -> None:  # type: ignore[no-untyped-def]
    response = _switch(physician_client, patient, TODAY, stop_current="on")
    assert response.status_code == 302  # type: ignore[attr-defined]
    exemestane.refresh_from_db()
    assert (exemestane.stop_date, exemestane.stop_reason) == (TODAY, "switched to anastrozole")
    new = AromataseInhibitorCourse.objects.get(patient=patient, drug="anastrozole")
    assert (new.start_date, new.stop_date) == (TODAY, None)
    (still,) = Alert.objects.filter(patient=patient, code="BONE_THERAPY_INDICATED")
    assert still.pk == acknowledged.pk
    assert still.cleared_at is None
    assert still.acknowledgement_note == MDT_NOTE
    assert still.acknowledged_at == acknowledged.acknowledged_at


def test_without_the_option_the_overlap_is_still_refused(
    physician_client: Client, patient: Patient, exemestane: AromataseInhibitorCourse
) -> None:
    events = AuditEvent.objects.exclude(action=AuditAction.VIEW).count()
    response = _switch(physician_client, patient, TODAY)
    assert response.status_code == 200  # type: ignore[attr-defined]
    error = response.context["form"].errors["start_date"][0]  # type: ignore[attr-defined]
    assert "one aromatase inhibitor at a time" in error
    exemestane.refresh_from_db()
    assert exemestane.stop_date is None
    assert AromataseInhibitorCourse.objects.filter(patient=patient).count() == 1
    assert AuditEvent.objects.exclude(action=AuditAction.VIEW).count() == events


def test_a_switch_before_the_current_course_began_is_refused(
    physician_client: Client, patient: Patient, exemestane: AromataseInhibitorCourse
) -> None:
    response = _switch(physician_client, patient, date(2025, 1, 1), stop_current="on")
    assert response.status_code == 200  # type: ignore[attr-defined]
    form = response.context["form"]  # type: ignore[attr-defined]
    assert form.errors["stop_current"] == [
        "The current course (exemestane) starts on 2025-01-15, after this day: it cannot stop "
        "first."
    ]
    assert form["start_date"].value() == "2025-01-01"  # the input is kept
    exemestane.refresh_from_db()
    assert exemestane.stop_date is None
    assert AromataseInhibitorCourse.objects.filter(patient=patient).count() == 1


def test_a_switch_in_the_future_is_refused(
    physician_client: Client, patient: Patient, exemestane: AromataseInhibitorCourse
) -> None:
    response = _switch(physician_client, patient, TODAY + timedelta(days=7), stop_current="on")
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert "stop_current" in response.context["form"].errors  # type: ignore[attr-defined]
    exemestane.refresh_from_db()
    assert exemestane.stop_date is None
    assert AromataseInhibitorCourse.objects.filter(patient=patient).count() == 1


def test_a_switch_from_a_course_changed_since_is_refused(
    physician: User, patient: Patient, exemestane: AromataseInhibitorCourse
) -> None:
    """The form was opened on version 1; a colleague's edit moved the course on."""
    AromataseInhibitorCourse.objects.filter(pk=exemestane.pk).update(
        version=2, planned_duration_months=48
    )
    with pytest.raises(AiCourseOverlapError, match="current course changed since you opened"):
        ai_course_create(
            actor=physician,
            patient=patient,
            values={"drug": "anastrozole", "start_date": TODAY},
            switch_from=CourseSwitch(course_pk=exemestane.pk, expected_version=1),
        )
    exemestane.refresh_from_db()
    assert exemestane.stop_date is None
    assert AromataseInhibitorCourse.objects.filter(patient=patient).count() == 1


def _course_rows(patient: Patient) -> list[tuple[object, ...]]:
    return list(
        AromataseInhibitorCourse.objects.filter(patient=patient)
        .order_by("pk")
        .values_list("pk", "drug", "start_date", "stop_date", "stop_reason", "version")
    )


def test_a_stale_form_does_not_stop_a_colleagues_newer_course(
    physician_client: Client,
    nurse_client: Client,
    patient: Patient,
    exemestane: AromataseInhibitorCourse,
) -> None:
    """security8 N1: the nurse opened the form on exemestane; meanwhile the physician switched to
    letrozole. The nurse's switch must not stop letrozole, a course she never saw."""
    stale = _opened(nurse_client, patient)
    assert stale == {SWITCH_COURSE: str(exemestane.pk), SWITCH_VERSION: "1"}
    colleague = _switch(physician_client, patient, TODAY - timedelta(days=4), stop_current="on")
    assert colleague.status_code == 302  # type: ignore[attr-defined]
    colleagues = AromataseInhibitorCourse.objects.get(patient=patient, drug="anastrozole")
    before = _course_rows(patient)
    events = AuditEvent.objects.exclude(action=AuditAction.VIEW).count()
    url = reverse("patients:ai_course_create", args=[patient.pk])
    response = nurse_client.post(
        url,
        {"drug": "letrozole", "start_date": TODAY.isoformat(), "stop_current": "on", **stale},
    )
    assert response.status_code == 200  # type: ignore[attr-defined]
    form = response.context["form"]  # type: ignore[attr-defined]
    (error,) = form.errors["stop_current"]
    assert "the current course changed since you opened this form" in error
    assert f"anastrozole course from {TODAY - timedelta(days=4):%Y-%m-%d}" in error
    assert form["drug"].value() == "letrozole"  # the input is kept
    assert form["start_date"].value() == TODAY.isoformat()
    # Offered again: the course current now, at its version, unticked.
    assert form[SWITCH_COURSE].value() == str(colleagues.pk)
    assert form[SWITCH_VERSION].value() == str(colleagues.version)
    assert not form["stop_current"].value()
    assert _course_rows(patient) == before
    assert AuditEvent.objects.exclude(action=AuditAction.VIEW).count() == events


@pytest.mark.parametrize(
    "hidden",
    [{}, {SWITCH_COURSE: "", SWITCH_VERSION: ""}, {SWITCH_VERSION: "2"}, {SWITCH_COURSE: "99999"}],
    ids=["missing", "empty", "other-version", "other-course"],
)
def test_a_switch_naming_another_course_or_version_stops_nothing(
    physician_client: Client,
    patient: Patient,
    exemestane: AromataseInhibitorCourse,
    hidden: dict[str, str],
) -> None:
    opened = {SWITCH_COURSE: str(exemestane.pk), SWITCH_VERSION: "1"} | hidden
    if not hidden:
        opened = {}
    before = _course_rows(patient)
    response = _switch(physician_client, patient, TODAY, opened=opened, stop_current="on")
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert "stop_current" in response.context["form"].errors  # type: ignore[attr-defined]
    assert _course_rows(patient) == before


def test_the_service_refuses_a_course_no_longer_current(
    physician: User, patient: Patient, exemestane: AromataseInhibitorCourse
) -> None:
    """Without the form: a switch naming exemestane after letrozole replaced it stops neither."""
    newer = ai_course_create(
        actor=physician,
        patient=patient,
        values={"drug": "letrozole", "start_date": TODAY - timedelta(days=3)},
        switch_from=CourseSwitch(course_pk=exemestane.pk, expected_version=1),
    )
    before = _course_rows(patient)
    with pytest.raises(AiCourseOverlapError, match="now the letrozole course") as refused:
        ai_course_create(
            actor=physician,
            patient=patient,
            values={"drug": "anastrozole", "start_date": TODAY},
            switch_from=CourseSwitch(course_pk=exemestane.pk, expected_version=2),
        )
    assert refused.value.field == "stop_current"
    assert _course_rows(patient) == before
    newer.refresh_from_db()
    assert newer.stop_date is None


def test_the_form_saved_again_after_a_switch_stores_nothing_more(
    physician_client: Client, patient: Patient, exemestane: AromataseInhibitorCourse
) -> None:
    """nurse9 F10: after a switch, the browser's Back button showed the form again with the
    typed values and the tick, but offering the course just saved; saving it again stopped that
    course on its own start (a course of no day) and stored the new course twice."""
    start = TODAY - timedelta(days=2)
    assert _switch(physician_client, patient, start, stop_current="on").status_code == 302  # type: ignore[attr-defined]
    saved = list(
        AromataseInhibitorCourse.objects.filter(patient=patient).values_list("pk", "version")
    )
    writes = AuditEvent.objects.exclude(action=AuditAction.VIEW)
    events = writes.count()

    response = _switch(physician_client, patient, start, stop_current="on")

    assert response.status_code == 200  # type: ignore[attr-defined]
    errors = response.context["form"].errors["stop_current"]  # type: ignore[attr-defined]
    assert "this same day: a switch would leave it no day at all" in errors[0]
    after = AromataseInhibitorCourse.objects.filter(patient=patient)
    assert list(after.values_list("pk", "version")) == saved
    assert after.get(drug="anastrozole").stop_date is None
    assert writes.count() == events


def test_the_service_refuses_a_switch_that_stops_a_course_on_its_start(
    physician: User, patient: Patient
) -> None:
    """The same refusal under the patient's lock, whatever the form let through."""
    today_course = AromataseInhibitorCourseFactory(
        patient=patient, drug="letrozole", start_date=TODAY
    )
    with pytest.raises(AiCourseOverlapError, match="no day at all"):
        ai_course_create(
            actor=physician,
            patient=patient,
            values={"drug": "letrozole", "start_date": TODAY, "planned_duration_months": 60},
            switch_from=CourseSwitch(course_pk=today_course.pk, expected_version=1),
        )
    assert AromataseInhibitorCourse.objects.filter(patient=patient).count() == 1
    today_course.refresh_from_db()
    assert today_course.stop_date is None
