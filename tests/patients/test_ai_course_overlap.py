"""One aromatase inhibitor at a time: a course that would run beside another is refused, by the
start date, naming the course it overlaps and who entered it; nothing is saved."""

import itertools
import re
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import Site, User
from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring.demo_showcase import showcase_histories
from patients.ai_overlap import ai_courses_overlapping
from patients.demo import demo_patients_create
from patients.models import AromataseInhibitorCourse, Patient
from patients.overlaps import AiCourseOverlapError
from patients.services import ai_course_create, ai_course_update
from tests.html_forms import posted_data

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def course_values(**values: object) -> dict[str, object]:
    return {
        "drug": "letrozole",
        "start_date": None,
        "planned_duration_months": None,
        "stop_date": None,
        "stop_reason": "",
        **values,
    }


@pytest.fixture
def letrozole(nurse: User, patient: Patient) -> AromataseInhibitorCourse:
    """The exploratory testers' first course: letrozole 2025-01-10 to 2026-12-01."""
    return ai_course_create(
        actor=nurse,
        patient=patient,
        values=course_values(
            start_date=date(2025, 1, 10),
            stop_date=date(2026, 12, 1),
            stop_reason="arthralgia",
        ),
    )


def courses(patient: Patient) -> list[tuple[str, date | None, date | None]]:
    rows = patient.ai_courses.order_by("pk").values_list("drug", "start_date", "stop_date")
    return list(rows)


class TestCreate:
    @pytest.mark.parametrize(
        ("drug", "start", "stop"),
        [
            ("anastrozole", date(2025, 6, 1), None),  # starts while letrozole runs
            ("exemestane", date(2026, 6, 1), None),
            ("letrozole", date(2025, 1, 10), date(2026, 12, 1)),  # the same course again
            ("anastrozole", date(2024, 6, 1), date(2025, 1, 11)),  # stops a day into it
            ("anastrozole", date(2024, 6, 1), None),  # started before, still open
            ("anastrozole", date(2026, 11, 30), None),  # a day before letrozole stops
        ],
    )
    def test_a_course_beside_another_is_refused(
        self,
        physician: User,
        patient: Patient,
        letrozole: AromataseInhibitorCourse,
        drug: str,
        start: date,
        stop: date | None,
    ) -> None:
        before = courses(patient)
        with pytest.raises(AiCourseOverlapError) as refused:
            ai_course_create(
                actor=physician,
                patient=patient,
                values=course_values(drug=drug, start_date=start, stop_date=stop),
            )
        # Started before letrozole: it is this course's stop that must come earlier.
        later = start < date(2025, 1, 10)
        assert refused.value.field == ("stop_date" if later else "start_date")
        message = str(refused.value)
        assert "overlaps the letrozole course from 2025-01-10 to 2026-12-01" in message
        assert re.search(r"entered by nurse at \d{4}-\d\d-\d\d \d\d:\d\d", message)
        assert "one aromatase inhibitor at a time" in message
        assert courses(patient) == before
        created = AuditEvent.objects.filter(
            object_type="patients.aromataseinhibitorcourse", action=AuditAction.CREATE
        )
        assert created.count() == 1  # the letrozole course's only

    @pytest.mark.parametrize(
        ("start", "stop"),
        [
            (date(2026, 12, 1), None),  # a switch: starts the day letrozole stops
            (date(2026, 12, 5), None),
            (date(2024, 1, 1), date(2025, 1, 10)),  # stopped the day letrozole started
            (date(2023, 1, 1), date(2024, 1, 1)),
        ],
    )
    def test_a_course_before_or_after_is_saved(
        self,
        physician: User,
        patient: Patient,
        letrozole: AromataseInhibitorCourse,
        start: date,
        stop: date | None,
    ) -> None:
        ai_course_create(
            actor=physician,
            patient=patient,
            values=course_values(drug="anastrozole", start_date=start, stop_date=stop),
        )
        assert patient.ai_courses.count() == 2

    def test_a_second_submit_of_the_same_course_is_refused(
        self, nurse: User, patient: Patient
    ) -> None:
        values = course_values(start_date=date(2026, 11, 20), planned_duration_months=60)
        ai_course_create(actor=nurse, patient=patient, values=values)
        with pytest.raises(AiCourseOverlapError, match="letrozole course from 2026-11-20, not"):
            ai_course_create(actor=nurse, patient=patient, values=values)
        assert patient.ai_courses.count() == 1

    def test_a_course_without_a_start_runs_from_today(self, nurse: User, patient: Patient) -> None:
        """A course planned without a start date counts from today (as bone therapy's): beside
        an open course it is refused, after a stopped one it is saved."""
        ai_course_create(actor=nurse, patient=patient, values=course_values())
        with pytest.raises(AiCourseOverlapError, match="planned, start not yet known"):
            ai_course_create(actor=nurse, patient=patient, values=course_values())
        with pytest.raises(AiCourseOverlapError):
            ai_course_create(
                actor=nurse,
                patient=patient,
                values=course_values(drug="exemestane", start_date=TODAY + timedelta(days=30)),
            )
        ai_course_create(
            actor=nurse,
            patient=patient,
            values=course_values(
                drug="anastrozole",
                start_date=date(2020, 1, 1),
                stop_date=date(2021, 1, 1),
                stop_reason="nausea",
            ),
        )
        assert patient.ai_courses.count() == 2

    def test_courses_entered_in_error_are_not_counted(
        self, nurse: User, patient: Patient, letrozole: AromataseInhibitorCourse
    ) -> None:
        letrozole.entered_in_error = True
        letrozole.save()
        ai_course_create(
            actor=nurse,
            patient=patient,
            values=course_values(drug="anastrozole", start_date=date(2025, 6, 1)),
        )
        assert patient.ai_courses.filter(entered_in_error=False).count() == 1


class TestUpdate:
    @pytest.fixture
    def anastrozole(
        self, nurse: User, patient: Patient, letrozole: AromataseInhibitorCourse
    ) -> AromataseInhibitorCourse:
        """The switch: anastrozole from the day letrozole stopped."""
        return ai_course_create(
            actor=nurse,
            patient=patient,
            values=course_values(drug="anastrozole", start_date=date(2026, 12, 1)),
        )

    def test_moving_a_start_into_another_course_is_refused(
        self,
        physician: User,
        letrozole: AromataseInhibitorCourse,
        anastrozole: AromataseInhibitorCourse,
    ) -> None:
        values = course_values(drug="anastrozole", start_date=date(2026, 6, 1))
        with pytest.raises(AiCourseOverlapError, match="letrozole course from 2025-01-10"):
            ai_course_update(actor=physician, course=anastrozole, values=values, expected_version=1)
        anastrozole.refresh_from_db()
        assert (anastrozole.start_date, anastrozole.version) == (date(2026, 12, 1), 1)

    def test_reopening_a_stopped_course_beside_the_next_is_refused(
        self,
        physician: User,
        letrozole: AromataseInhibitorCourse,
        anastrozole: AromataseInhibitorCourse,
    ) -> None:
        values = course_values(start_date=date(2025, 1, 10))  # stop date cleared
        with pytest.raises(AiCourseOverlapError, match="anastrozole course from 2026-12-01"):
            ai_course_update(actor=physician, course=letrozole, values=values, expected_version=1)
        letrozole.refresh_from_db()
        assert (letrozole.stop_date, letrozole.version) == (date(2026, 12, 1), 1)

    def test_a_change_that_adds_no_overlap_is_saved(
        self,
        physician: User,
        letrozole: AromataseInhibitorCourse,
        anastrozole: AromataseInhibitorCourse,
    ) -> None:
        values = course_values(
            drug="anastrozole", start_date=date(2026, 12, 1), planned_duration_months=60
        )
        saved = ai_course_update(
            actor=physician, course=anastrozole, values=values, expected_version=1
        )
        assert (saved.planned_duration_months, saved.version) == (60, 2)

    def test_a_course_that_already_overlapped_can_still_be_edited(
        self, physician: User, patient: Patient, letrozole: AromataseInhibitorCourse
    ) -> None:
        """Courses saved beside each other before this check existed (the exploratory testers'
        three at once) can still be corrected: stopped, or their other fields changed."""
        anastrozole = AromataseInhibitorCourse.objects.create(
            patient=patient, drug="anastrozole", start_date=date(2025, 6, 1)
        )
        exemestane = AromataseInhibitorCourse.objects.create(
            patient=patient, drug="exemestane", start_date=date(2026, 6, 1)
        )
        values = course_values(
            drug="anastrozole",
            start_date=date(2025, 6, 1),
            stop_date=date(2026, 6, 1),
            stop_reason="switched to exemestane",
        )
        ai_course_update(actor=physician, course=anastrozole, values=values, expected_version=1)
        values = course_values(
            drug="exemestane", start_date=date(2026, 6, 1), planned_duration_months=36
        )
        ai_course_update(actor=physician, course=exemestane, values=values, expected_version=1)
        exemestane.refresh_from_db()
        assert exemestane.planned_duration_months == 36
        # But an edit that reaches a course it did not overlap before is refused.
        values = course_values(drug="exemestane", start_date=date(2024, 6, 1))
        with pytest.raises(AiCourseOverlapError):
            ai_course_update(actor=physician, course=exemestane, values=values, expected_version=2)


class TestForm:
    """Through the pages, as a nurse uses them."""

    def url(self, patient: Patient) -> str:
        return reverse("patients:ai_course_create", args=[patient.pk])

    def test_the_refusal_is_shown_by_the_start_date_with_the_values_kept(
        self, nurse_client: Client, patient: Patient, letrozole: AromataseInhibitorCourse
    ) -> None:
        typed = {"drug": "anastrozole", "start_date": "2025-06-01", "planned_duration_months": "60"}
        events = AuditEvent.objects.exclude(action=AuditAction.VIEW).count()
        response = nurse_client.post(self.url(patient), typed)
        assert response.status_code == 200
        errors = response.context["form"].errors
        assert list(errors) == ["start_date"]
        assert (
            "overlaps the letrozole course from 2025-01-10 to 2026-12-01" in errors["start_date"][0]
        )
        # Rendered under the start date field, not at the top of the form.
        feedback = re.search(r'id="error_1_id_start_date"[^>]*>(.*?)</', response.text, re.S)
        assert feedback is not None
        assert "overlaps the letrozole course" in feedback.group(1)
        shown = posted_data(response.text, having="drug")
        assert {name: shown[name] for name in typed} == typed
        assert courses(patient) == [("letrozole", date(2025, 1, 10), date(2026, 12, 1))]
        assert AuditEvent.objects.exclude(action=AuditAction.VIEW).count() == events

    def test_the_same_course_posted_twice_is_stored_once(
        self, nurse_client: Client, patient: Patient
    ) -> None:
        data = {"drug": "letrozole", "start_date": "2026-11-20", "planned_duration_months": "60"}
        assert nurse_client.post(self.url(patient), data).status_code == 302
        response = nurse_client.post(self.url(patient), data)
        assert response.status_code == 200
        assert (
            "letrozole course from 2026-11-20, not stopped"
            in (response.context["form"].errors["start_date"][0])
        )
        assert patient.ai_courses.count() == 1

    def test_an_edit_into_another_course_is_refused_by_its_start_date(
        self, nurse_client: Client, patient: Patient, letrozole: AromataseInhibitorCourse
    ) -> None:
        later = AromataseInhibitorCourse.objects.create(
            patient=patient, drug="anastrozole", start_date=date(2026, 12, 1)
        )
        url = reverse("patients:ai_course_update", args=[patient.pk, later.pk])
        data = posted_data(nurse_client.get(url).text, having="drug")
        data["start_date"] = "2026-11-01"
        response = nurse_client.post(url, data)
        assert response.status_code == 200
        assert "overlaps the letrozole course" in response.context["form"].errors["start_date"][0]
        assert posted_data(response.text, having="drug")["start_date"] == "2026-11-01"
        later.refresh_from_db()
        assert (later.start_date, later.version) == (date(2026, 12, 1), 1)


def test_the_demo_data_never_puts_two_courses_at_once(site: Site) -> None:
    """seed_demo's generated patients (a switch stops one course a week before the next) and its
    hand-made showcase histories (one course each) hold no course the services would refuse."""
    demo_patients_create(sites=[site], count=400, today=TODAY)
    stored = list(AromataseInhibitorCourse.objects.all())
    assert len(stored) > 400  # some patients switched drug: two courses
    for course in stored:
        beside = ai_courses_overlapping(
            patient_id=course.patient_id,
            start=course.start_date,
            stop=course.stop_date,
            exclude_pk=course.pk,
        )
        assert not beside.exists(), course
    for history in showcase_histories(TODAY):
        spans = sorted(
            (date.fromisoformat(c["start_date"]), c.get("stop_date"))
            for c in history["aromatase_inhibitors"]  # type: ignore[attr-defined]
        )
        for (_, stop), (next_start, _) in itertools.pairwise(spans):
            assert stop is not None, history["patient"]
            assert date.fromisoformat(stop) <= next_start, history["patient"]


def test_the_advice_fits_whether_the_other_course_has_stopped(
    nurse: User, patient: Patient, letrozole: AromataseInhibitorCourse
) -> None:
    with pytest.raises(AiCourseOverlapError) as stopped:
        ai_course_create(
            actor=nurse,
            patient=patient,
            values=course_values(drug="anastrozole", start_date=date(2025, 6, 1)),
        )
    assert "change these dates (or that course's)" in str(stopped.value)
    assert "record that course's stop date" not in str(stopped.value)
    AromataseInhibitorCourse.objects.filter(pk=letrozole.pk).update(stop_date=None)
    with pytest.raises(AiCourseOverlapError) as open_course:
        ai_course_create(
            actor=nurse,
            patient=patient,
            values=course_values(drug="anastrozole", start_date=date(2025, 6, 1)),
        )
    assert "record that course's stop date first" in str(open_course.value)


def test_a_course_before_a_later_open_one_is_told_to_stop_by_its_start(
    nurse: User, patient: Patient
) -> None:
    ai_course_create(
        actor=nurse,
        patient=patient,
        values=course_values(drug="anastrozole", start_date=date(2025, 6, 1)),
    )
    with pytest.raises(AiCourseOverlapError) as refused:
        ai_course_create(
            actor=nurse,
            patient=patient,
            values=course_values(
                drug="letrozole", start_date=date(2024, 1, 1), stop_date=date(2025, 7, 1)
            ),
        )
    assert refused.value.field == "stop_date"
    assert "stop this course on or before 2025-06-01, when that one starts" in str(refused.value)
