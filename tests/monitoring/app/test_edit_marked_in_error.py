"""Editing a record that a colleague marked entered in error after the edit form was opened.

A nurse opens a lab result's edit form and types a value; a physician marks the result entered in
error; the nurse saves. Nothing is written, and the form comes back with what she typed and a
message naming who marked the record, when and why (never a bare 404). Opening the edit page of a
record already marked takes the user to the patient's page with the same message. A record of a
patient at another site stays a plain 404 that says nothing of it.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection, models
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import User
from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring.models import BoneTherapyCourse, BoneTherapyDose, FraxResult, LabResult
from monitoring.records.services.in_error import entry_mark_in_error
from patients.models import Patient
from tests.conftest import login
from tests.factories import (
    AromataseInhibitorCourseFactory,
    DexaScanFactory,
    LabResultFactory,
    UserFactory,
)
from tests.html_forms import posted_data, submit_form
from tests.races import holding, in_thread
from tests.record_edits import entry_mark_url

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
REASON = "Entered on the wrong patient"


@dataclass(frozen=True)
class Kind:
    """One kind of record: how to make one, its edit page, its mark-in-error page, a change."""

    make: Callable[[Patient], models.Model]
    edit: Callable[[Patient, models.Model], str]
    mark: Callable[[Patient, models.Model], str]
    typed: dict[str, str]
    # The role that edits it (bone therapy is a physician's).
    editor: str = "nurse"
    # The field of the form's HTML that tells the edit form from others on the page.
    having: str = "version"
    # What the refusal says was not done.
    not_done: str = "Your change was not saved."
    # The rows that must not change or appear (besides the record itself).
    also: Callable[[models.Model], list[Any]] = lambda record: []


def _therapy(patient: Patient) -> BoneTherapyCourse:
    return BoneTherapyCourse.objects.create(
        patient=patient, drug="denosumab", start_date=TODAY - timedelta(days=200), dose="60 mg"
    )


KINDS = {
    "lab": Kind(
        make=lambda patient: LabResultFactory(patient=patient, sample_date=TODAY),
        edit=lambda patient, lab: reverse("monitoring:lab_update", args=[patient.pk, lab.pk]),
        mark=entry_mark_url("lab"),
        typed={"value": "41"},
    ),
    "scan": Kind(
        make=lambda patient: DexaScanFactory(patient=patient, scan_date=date(2024, 5, 1)),
        edit=lambda patient, scan: reverse("monitoring:scan_update", args=[patient.pk, scan.pk]),
        mark=entry_mark_url("scan"),
        typed={"lumbar_spine_bmd": "0.950"},
        also=lambda scan: list(scan.measurements.values_list("site", "bmd", "t_score")),
    ),
    "frax": Kind(
        make=lambda patient: FraxResult.objects.create(
            patient=patient, assessed_on=TODAY, major_osteoporotic_pct=12, hip_pct=2
        ),
        edit=lambda patient, frax: reverse("monitoring:frax_update", args=[patient.pk, frax.pk]),
        mark=entry_mark_url("frax"),
        typed={"hip_pct": "3.5"},
    ),
    "therapy": Kind(
        make=_therapy,
        edit=lambda patient, course: reverse(
            "monitoring:therapy_update", args=[patient.pk, course.pk]
        ),
        mark=entry_mark_url("therapy"),
        typed={"dose": "60 mg every 6 months"},
        editor="physician",
    ),
    "dose": Kind(
        make=_therapy,
        edit=lambda patient, course: reverse(
            "monitoring:dose_create", args=[patient.pk, course.pk]
        ),
        mark=entry_mark_url("therapy"),
        typed={
            "given_on": (TODAY - timedelta(days=1)).isoformat(),
            "safety_override": "on",
            "override_reason": "labs checked at the other hospital",
        },
        having="given_on",
        not_done="The dose was not recorded.",
        also=lambda course: list(BoneTherapyDose.objects.filter(course=course).values()),
    ),
    "ai_course": Kind(
        make=lambda patient: AromataseInhibitorCourseFactory(patient=patient),
        edit=lambda patient, course: reverse(
            "patients:ai_course_update", args=[patient.pk, course.pk]
        ),
        mark=lambda patient, course: reverse(
            "patients:ai_course_mark_in_error", args=[patient.pk, course.pk]
        ),
        typed={"stop_date": (TODAY - timedelta(days=3)).isoformat(), "stop_reason": "side effects"},
    ),
}


@pytest.fixture
def marker(site: Any) -> User:
    """The physician who marks the record in error, named in the messages."""
    return UserFactory(
        username="dr_who", first_name="Ada", last_name="Marker", role="physician", sites=[site]
    )


def _state(record: models.Model, kind: Kind) -> tuple[dict[str, Any], list[Any], list[int]]:
    """The record's stored values, its other rows, and every audit event's id."""
    fresh = type(record)._default_manager.get(pk=record.pk)
    events = list(AuditEvent.objects.order_by("pk").values_list("pk", flat=True))
    return model_to_dict(fresh), kind.also(fresh), events


def _marked(record: models.Model) -> str:
    """The message's account of the marking, as the user reads it."""
    fresh = type(record)._default_manager.get(pk=record.pk)
    when = f"{timezone.localtime(fresh.error_marked_at):%Y-%m-%d %H:%M}"  # type: ignore[attr-defined]
    return f"was marked entered in error by Ada Marker at {when}. Reason given: {REASON}."


@pytest.mark.parametrize("name", list(KINDS))
def test_a_save_after_a_colleague_marked_the_record_in_error_is_refused_with_a_message(
    name: str, site: Any, patient: Patient, marker: User
) -> None:
    kind = KINDS[name]
    record = kind.make(patient)
    editor = login(_user(kind.editor, site))
    url = kind.edit(patient, record)
    opened = editor.get(url)
    assert opened.status_code == 200
    typed = posted_data(opened.text, having=kind.having) | kind.typed
    # The colleague marks it, through their own page, while the form is open.
    marked = submit_form(
        login(marker), kind.mark(patient, record), {"reason": REASON}, having="reason"
    )
    assert marked.status_code == 302
    before = _state(record, kind)

    response = editor.post(url, typed)

    assert response.status_code == 200  # the form again, with what was typed
    assert _marked(record) in response.text
    assert kind.not_done in response.text
    for value in kind.typed.values():
        assert value in response.text  # what was typed is on the form again
    assert _state(record, kind) == before  # nothing written, no audit event


@pytest.mark.parametrize("name", list(KINDS))
def test_opening_the_edit_page_of_a_record_marked_in_error_says_so(
    name: str, site: Any, patient: Patient, marker: User
) -> None:
    kind = KINDS[name]
    record = kind.make(patient)
    submit_form(login(marker), kind.mark(patient, record), {"reason": REASON}, having="reason")
    editor = login(_user(kind.editor, site))
    before = _state(record, kind)

    response = editor.get(kind.edit(patient, record))

    page = reverse("monitoring:patient", args=[patient.pk])
    assert (response.status_code, response.url) == (302, page)
    assert _state(record, kind) == before  # not even a view of the patient audited
    shown = editor.get(page).text
    assert _marked(record) in shown
    assert ("Nothing can be added to it." if name == "dose" else "It cannot be changed.") in shown


def test_an_invalid_form_for_a_record_marked_in_error_says_why_it_cannot_be_saved(
    nurse_client: Client, patient: Patient, marker: User
) -> None:
    """A form with a field error never reaches the service: the reason is shown beside it."""
    lab = LabResultFactory(patient=patient, sample_date=TODAY)
    url = reverse("monitoring:lab_update", args=[patient.pk, lab.pk])
    typed = posted_data(nurse_client.get(url).text, having="version") | {"value": "not a number"}
    submit_form(
        login(marker), entry_mark_url("lab")(patient, lab), {"reason": REASON}, having="reason"
    )
    before = _state(lab, KINDS["lab"])
    response = nurse_client.post(url, typed)
    assert response.status_code == 200
    assert response.context["form"].errors["value"]
    assert _marked(lab) in " ".join(response.context["form"].non_field_errors())
    assert _state(lab, KINDS["lab"]) == before


@pytest.mark.parametrize("name", ["lab", "scan", "therapy", "ai_course"])
def test_a_record_marked_in_error_at_another_site_is_a_plain_404(
    name: str, site: Any, foreign_patient: Patient, patient: Patient
) -> None:
    """The gate comes first: the page says nothing of the record, its marking or its reason."""
    kind = KINDS[name]
    record = kind.make(foreign_patient)
    type(record)._default_manager.filter(pk=record.pk).update(
        entered_in_error=True, error_marked_at=timezone.now(), error_reason=REASON
    )
    before = model_to_dict(type(record)._default_manager.get(pk=record.pk))
    editor = login(_user(kind.editor, site))
    for url in (kind.edit(foreign_patient, record), kind.edit(patient, record)):
        for response in (editor.get(url), editor.post(url, kind.typed)):
            assert response.status_code == 404
            assert REASON not in response.text
            assert "entered in error" not in response.text
    assert model_to_dict(type(record)._default_manager.get(pk=record.pk)) == before
    # Its own patient's page never learns of the attempt either: no message is waiting.
    own_page = editor.get(reverse("monitoring:patient", args=[patient.pk]))
    assert "entered in error" not in own_page.text


def _user(role: str, site: Any) -> User:
    return UserFactory(username=f"{role}_editor", role=role, sites=[site])


def test_lab_values_are_unchanged_by_the_refusal(
    nurse_client: Client, patient: Patient, marker: User
) -> None:
    """The nurse's typed value is neither stored nor lost: it is on the form shown again."""
    lab = LabResultFactory(patient=patient, sample_date=TODAY, entered_value=35)
    url = reverse("monitoring:lab_update", args=[patient.pk, lab.pk])
    typed = posted_data(nurse_client.get(url).text, having="version") | {"value": "41"}
    submit_form(
        login(marker), entry_mark_url("lab")(patient, lab), {"reason": REASON}, having="reason"
    )
    response = nurse_client.post(url, typed)
    assert response.context["form"]["value"].value() == "41"
    assert LabResult.objects.get(pk=lab.pk).entered_value == 35


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="two writers at once need PostgreSQL: SQLite lets one writer in at a time",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_mark_committed_while_the_save_waits_for_the_row_is_seen_by_the_save(
    roles: None, site: Any, patient: Patient, marker: User
) -> None:
    """The race itself: the nurse's request reads the result while it is still valid (the mark is
    not committed yet) and reaches the service, which waits for the row's lock the marking holds;
    once the mark commits, the service refuses under that lock. Nothing of hers is written."""
    lab = LabResultFactory(patient=patient, sample_date=TODAY, entered_value=35)
    nurse = login(_user("nurse", site))
    url = reverse("monitoring:lab_update", args=[patient.pk, lab.pk])
    typed = posted_data(nurse.get(url).text, having="version") | {"value": "41"}
    changes_before = AuditEvent.objects.filter(action=AuditAction.CHANGE).count()
    with holding(  # the mark, holding the row's lock until the nurse waits on it
        lambda: entry_mark_in_error(actor=marker, entry=lab, patient=patient, reason=REASON)
    ):
        saving = in_thread(lambda: nurse.post(url, typed))
        _wait_for_a_lock_wait()
    response: Any = saving.outcome()
    assert not isinstance(response, Exception), response
    assert response.status_code == 200
    assert _marked(lab) in response.text
    assert "changed by someone else" not in response.text
    lab.refresh_from_db()
    assert (lab.entered_in_error, lab.entered_value) == (True, 35)
    assert AuditEvent.objects.filter(action=AuditAction.CHANGE).count() == changes_before


def _wait_for_a_lock_wait() -> None:
    """Return once another connection waits for a lock (the save, on the marked row)."""
    for _ in range(200):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                " AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                return
        time.sleep(0.05)
    raise AssertionError("the save never waited for the marked row's lock")


@pytest.mark.parametrize("name", ["lab", "scan", "frax", "therapy", "ai_course"])
def test_marking_a_record_a_colleague_marked_already_says_so(
    name: str, site: Any, patient: Patient, marker: User
) -> None:
    """Both had the page open: the second to mark it learns who did and why, not a bare 404,
    and the first marking (its reason) stands."""
    kind = KINDS[name]
    record = kind.make(patient)
    second = login(_user("physician", site))
    url = kind.mark(patient, record)
    assert second.get(url).status_code == 200
    submit_form(login(marker), url, {"reason": REASON}, having="reason")
    before = _state(record, kind)
    page = reverse("monitoring:patient", args=[patient.pk])
    responses = [second.get(url), second.post(url, {"reason": "a duplicate of another"})]
    assert _state(record, kind) == before  # the first reason stands; nothing audited
    for response in responses:
        assert (response.status_code, response.url) == (302, page)
    assert second.get(page).text.count(_marked(record)) == 2  # one message for each


def test_marking_a_dose_of_a_course_marked_in_error_names_the_course(
    site: Any, patient: Patient, marker: User
) -> None:
    course = _therapy(patient)
    dose = BoneTherapyDose.objects.create(course=course, given_on=TODAY - timedelta(days=10))
    submit_form(
        login(marker),
        entry_mark_url("therapy")(patient, course),
        {"reason": REASON},
        having="reason",
    )
    physician = login(_user("physician", site))
    url = reverse("monitoring:dose_mark_in_error", args=[patient.pk, course.pk, dose.pk])
    response = physician.post(url, {"reason": "given twice"})
    page = reverse("monitoring:patient", args=[patient.pk])
    assert (response.status_code, response.url) == (302, page)
    assert _marked(course) in physician.get(page).text
    assert not BoneTherapyDose.objects.get(pk=dose.pk).entered_in_error
