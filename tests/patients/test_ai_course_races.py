"""Aromatase-inhibitor courses posted at the same moment, as real concurrent requests (each thread
on its own database connection, as tests/monitoring/app/test_concurrent_saves.py does): the
patient's lock makes them take turns, so exactly one course is stored and every other post gets
the form back with the refusal, never a 500."""

from datetime import date

from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import Site
from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring.records.history_import import history_import
from monitoring.records.history_records import HistoryImportError
from patients.models import AromataseInhibitorCourse, Patient
from patients.services import ai_course_create
from tests.factories import UserFactory
from tests.races import (
    POSTGRESQL_ONLY,
    at_once,
    clients,
    created_events,
    holding,
    in_thread,
    one_winner,
    same_form_at_once,
)

OBJECT_TYPE = AromataseInhibitorCourse._meta.label_lower
pytestmark = POSTGRESQL_ONLY


def test_six_submits_of_one_course_store_one_course(ward: Site, jane: Patient) -> None:
    """The exploratory testers' six simultaneous posts of the same course."""
    url = reverse("patients:ai_course_create", args=[jane.pk])
    data = {"drug": "letrozole", "start_date": "2026-11-20", "planned_duration_months": "60"}
    refused = same_form_at_once(ward, "nurse", 6, url, data)
    for response in refused:
        error = response.context["form"].errors["start_date"][0]
        assert "overlaps the letrozole course from 2026-11-20, not stopped" in error
    assert AromataseInhibitorCourse.objects.filter(patient=jane).count() == 1
    assert created_events(AromataseInhibitorCourse) == 1


def test_two_drugs_started_at_once_store_one_course(ward: Site, jane: Patient) -> None:
    url = reverse("patients:ai_course_create", args=[jane.pk])
    first, second = clients(ward, "nurse", 2)
    responses = at_once(
        [
            lambda: first.post(url, {"drug": "letrozole", "start_date": "2025-01-10"}),
            lambda: second.post(url, {"drug": "anastrozole", "start_date": "2025-06-01"}),
        ]
    )
    (refused,) = one_winner(responses)
    # Under the start date, or, when the later course won, the stop date of the earlier one.
    errors = refused.context["form"].errors
    message = (errors.get("start_date") or errors["stop_date"])[0]
    assert "one aromatase inhibitor at a time" in message
    assert AromataseInhibitorCourse.objects.filter(patient=jane).count() == 1
    assert created_events(AromataseInhibitorCourse) == 1


def test_a_history_import_waits_for_a_course_being_entered_and_is_refused(
    ward: Site, jane: Patient
) -> None:
    """The security tester's race: an import of an overlapping course, made while a nurse's new
    course is saved but not yet committed, stored both. The import now takes the patient's lock:
    it waits for the nurse's commit, then its overlap check sees her course."""
    nurse = UserFactory(role="nurse", sites=[ward])
    data = {
        "as_of": "2025-06-01",
        "patient": {
            "mrn": jane.mrn,
            "name": jane.name,
            "sex": jane.sex,
            "birth_date": jane.birth_date.isoformat(),
        },
    }
    # The file imported once already: its second import changes no field of the patient (an
    # update of her row would wait for the nurse's lock anyway).
    history_import(data=data, site=ward, actor=nurse)
    with_a_course = {
        **data,
        "aromatase_inhibitors": [{"drug": "anastrozole", "start_date": "2024-01-01"}],
    }
    with holding(
        lambda: ai_course_create(
            actor=nurse,
            patient=Patient.objects.get(pk=jane.pk),
            values={"drug": "letrozole", "start_date": date(2024, 3, 1)},
        )
    ):
        importer = in_thread(lambda: history_import(data=with_a_course, site=ward, actor=nurse))
        assert importer.waits(0.5), "the import did not wait for the nurse's uncommitted course"
    refused = importer.outcome()
    assert isinstance(refused, HistoryImportError)
    assert "one aromatase inhibitor at a time" in str(refused)
    assert list(AromataseInhibitorCourse.objects.filter(patient=jane).values_list("drug")) == [
        ("letrozole",)
    ]


def test_two_switches_at_once_store_one_new_course(ward: Site, jane: Patient) -> None:
    """Two clinicians switch the same exemestane course at once, to different drugs (physician7
    F8), each from a form that showed exemestane at version 1 (security8 N1): the patient's lock
    makes them take turns; the second finds another course current and is refused next to the
    tick box, stopping nothing, so one new course runs after the switch."""
    exemestane = AromataseInhibitorCourse.objects.create(
        patient=jane, drug="exemestane", start_date=date(2025, 1, 15)
    )
    url = reverse("patients:ai_course_create", args=[jane.pk])
    today = timezone.localdate().isoformat()
    shown = {"switch_course": str(exemestane.pk), "switch_course_version": "1"}
    first, second = clients(ward, "physician", 2)
    responses = at_once(
        [
            lambda: first.post(
                url, {"drug": "anastrozole", "start_date": today, "stop_current": "on", **shown}
            ),
            lambda: second.post(
                url, {"drug": "letrozole", "start_date": today, "stop_current": "on", **shown}
            ),
        ]
    )
    (refused,) = one_winner(responses)
    (error,) = refused.context["form"].errors["stop_current"]
    assert "the current course changed since you opened this form" in error
    courses = AromataseInhibitorCourse.objects.filter(patient=jane).order_by("start_date", "pk")
    assert [(c.drug, str(c.stop_date)) for c in courses] == [
        ("exemestane", today),
        (courses[1].drug, "None"),
    ]
    # Stopped once, by the winner: its reason names the winner's drug, its version moved once.
    exemestane.refresh_from_db()
    assert (exemestane.stop_reason, exemestane.version) == (f"switched to {courses[1].drug}", 2)
    assert created_events(AromataseInhibitorCourse) == 1
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.CHANGE, object_id=str(exemestane.pk), object_type=OBJECT_TYPE
        ).count()
        == 1
    )
