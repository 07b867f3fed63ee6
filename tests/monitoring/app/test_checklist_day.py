"""A course or dose entered after the fact is judged on its own day, as the history import judges
one: by the results known then, not by those that came later (two testers found a denosumab
start of last year refused for want of results that were recent then, and a start judged by a
calcium drawn a month after it; either way the record kept a false "given despite failed
checks"). A dose's later results are rows of their own, named "after the dose date"
(`records/later_results.py`, tested in test_dose_later_results.py)."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from monitoring.models import BoneTherapyCourse, BoneTherapyDose
from monitoring.records.dose_safety import dose_checklist
from monitoring.records.safety import course_checklist
from patients.models import Patient
from tests.factories import results_in_range

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
START = TODAY - timedelta(days=420)


def _start(patient: Patient, start: date | None = START) -> list[str]:
    values = {"drug": "denosumab", "start_date": start, "dental_review_date": START}
    checklist = course_checklist(patient=patient, values=values)
    assert checklist.as_of == (start or TODAY)
    return [check.key for check in checklist.failed]


def test_a_start_of_last_year_is_judged_by_the_results_before_it(patient: Patient) -> None:
    results_in_range(patient, START - timedelta(days=9), calcium="2.35")
    assert _start(patient) == []  # 14 months old today, 9 days old on the start


def test_a_later_low_calcium_does_not_judge_an_earlier_start(patient: Patient) -> None:
    results_in_range(patient, START - timedelta(days=9), calcium="2.35")
    results_in_range(patient, START + timedelta(days=30), calcium="2.01")
    assert _start(patient) == []
    assert "calcium" in _start(patient, start=None)  # a course planned now: today's results


def test_a_dose_is_judged_on_its_day(patient: Patient) -> None:
    course = BoneTherapyCourse.objects.create(
        patient=patient, drug="denosumab", start_date=START, dental_review_date=START
    )
    BoneTherapyDose.objects.create(course=course, given_on=START)
    given_on = START + timedelta(days=183)
    results_in_range(patient, given_on - timedelta(days=3), calcium="2.35")
    results_in_range(patient, given_on + timedelta(days=20), calcium="2.01")
    checklist = dose_checklist(patient=patient, course=course, given_on=given_on)
    assert checklist.as_of == given_on
    assert not [check for check in checklist.failed if not check.after_dose]
    # The later low calcium is not the dose day's: it is a row of its own, a result after the
    # dose date to look at (nurse12 F3: backdating a dose got past a block silently).
    assert [(check.key, check.date) for check in checklist.later_results] == [
        ("calcium_after", given_on + timedelta(days=20))
    ]
