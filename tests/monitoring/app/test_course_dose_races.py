"""A stop date and a dose saved at the same moment on two database connections (physician7 F4):
the patient's lock makes them take turns, and the second sees the first, so a course is never
left stopped before one of its doses, whichever commits first."""

from collections.abc import Callable
from datetime import date

import pytest

from bonehealth.accounts.models import Site, User
from monitoring.models import BoneTherapyCourse, BoneTherapyDose
from monitoring.records.services.guards import EntryConflictError
from monitoring.records.services.therapy import bone_therapy_dose_record, bone_therapy_update
from patients.models import Patient
from tests.factories import UserFactory
from tests.races import POSTGRESQL_ONLY, holding, in_thread

pytestmark = POSTGRESQL_ONLY

LAST_DOSE = date(2025, 12, 1)
EARLY_STOP = date(2025, 9, 1)


@pytest.fixture
def course(jane: Patient) -> BoneTherapyCourse:
    course = BoneTherapyCourse.objects.create(
        patient=jane, drug="denosumab", start_date=date(2025, 6, 1)
    )
    BoneTherapyDose.objects.create(course=course, given_on=date(2025, 6, 1))
    return course


def _stop(actor: User, course: BoneTherapyCourse) -> None:
    bone_therapy_update(
        actor=actor,
        course=BoneTherapyCourse.objects.get(pk=course.pk),
        values={"stop_date": EARLY_STOP, "stop_reason": "patient choice"},
        expected_version=course.version,
        stop_confirmed=True,  # no follow-on: the physician confirms the stop
    )


def _dose(actor: User, course: BoneTherapyCourse) -> None:
    bone_therapy_dose_record(
        actor=actor,
        course=BoneTherapyCourse.objects.get(pk=course.pk),
        given_on=LAST_DOSE,
        override_reason="checks done on paper, given as planned",
    )


@pytest.fixture
def staff(ward: Site) -> tuple[User, User]:
    """A nurse and a physician of the ward."""
    return UserFactory(role="nurse", sites=[ward]), UserFactory(role="physician", sites=[ward])


def _refused_after_waiting(
    first: Callable[[], None], second: Callable[[], None]
) -> EntryConflictError:
    """Start `second` while `first` is saved, its transaction still open: the second waits on the
    patient's lock, then is refused; return the refusal."""
    with holding(first):
        waiting = in_thread(second)
        assert waiting.waits(1)  # on the patient's lock
    refusal = waiting.outcome()
    assert isinstance(refusal, EntryConflictError)
    return refusal


def test_a_stop_waiting_for_a_dose_sees_it_and_is_refused(
    staff: tuple[User, User], course: BoneTherapyCourse
) -> None:
    nurse, physician = staff
    second = _refused_after_waiting(lambda: _dose(nurse, course), lambda: _stop(physician, course))
    assert second.field == "stop_date"
    assert "A dose was given on 2025-12-01" in str(second)
    course.refresh_from_db()
    assert course.stop_date is None
    assert course.doses.filter(given_on=LAST_DOSE).count() == 1


def test_a_dose_waiting_for_a_stop_sees_it_and_is_refused(
    staff: tuple[User, User], course: BoneTherapyCourse
) -> None:
    nurse, physician = staff
    second = _refused_after_waiting(lambda: _stop(physician, course), lambda: _dose(nurse, course))
    assert second.field == "given_on"
    assert "The course stopped on 2025-09-01; a dose cannot follow it." in str(second)
    course.refresh_from_db()
    assert course.stop_date == EARLY_STOP
    assert not course.doses.filter(given_on=LAST_DOSE).exists()
