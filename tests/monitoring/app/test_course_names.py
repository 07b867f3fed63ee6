"""A bone-therapy course with no start date is named "(planned, no start date)", never "from
planned" (phys12 F13: "Alendronate from planned is planned or active at the same time")."""

import datetime as dt

import pytest

from monitoring.models import BoneTherapyCourse
from monitoring.records.services.guards import EntryConflictError
from monitoring.records.services.therapy_overlap import refuse_overlap
from patients.models import Patient

pytestmark = pytest.mark.django_db


def test_the_overlap_refusal_names_a_planned_course_without_a_date(patient: Patient) -> None:
    BoneTherapyCourse.objects.create(patient=patient, drug="alendronate")
    with pytest.raises(EntryConflictError) as refused:
        refuse_overlap(patient_id=patient.pk, values={"start_date": None, "stop_date": None})
    assert "Alendronate (planned, no start date) is planned or active at the same time" in str(
        refused.value
    )
    assert "from planned" not in str(refused.value)


def test_a_dated_course_is_named_from_its_start(patient: Patient) -> None:
    course = BoneTherapyCourse(patient=patient, drug="denosumab", start_date=dt.date(2026, 6, 7))
    assert str(course) == "Denosumab from 2026-06-07"
