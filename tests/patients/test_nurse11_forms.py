"""The patient forms as a new nurse read them (nurse11 F13, F14).

- F13: an aromatase-inhibitor course given a stop date is asked its stop reason, beside the
  field; a course stopped before keeps its empty reason through other edits and unchanged saves.
- F14: the switch tick box is explained in plain words and the overlap refusal names it; the drug
  select says "Choose…" as the other selects do; the menopausal status carries the required
  marker; a conflict with the user's own other tab names them, not "someone else".
"""

import re
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import Site, User
from patients.models import AromataseInhibitorCourse, Patient
from tests.conftest import login
from tests.factories import AromataseInhibitorCourseFactory
from tests.html_forms import posted_data
from tests.patients.test_patient_forms import valid_data

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
STOPPED = (TODAY - timedelta(days=20)).isoformat()


@pytest.fixture
def course(patient: Patient) -> AromataseInhibitorCourse:
    made: AromataseInhibitorCourse = AromataseInhibitorCourseFactory(
        patient=patient, drug="letrozole", start_date=date(2024, 2, 1)
    )
    return made


def _edit_url(course: AromataseInhibitorCourse) -> str:
    return reverse("patients:ai_course_update", args=[course.patient_id, course.pk])


def test_a_stop_date_without_a_reason_is_asked_for_it(
    nurse_client: Client, course: AromataseInhibitorCourse
) -> None:
    url = _edit_url(course)
    data = posted_data(nurse_client.get(url).text, having="version") | {"stop_date": STOPPED}
    refused = nurse_client.post(url, data)
    assert refused.status_code == 200
    assert refused.context["form"].errors["stop_reason"] == [
        "Give the reason the course stopped (e.g. completed, side effects, recurrence)."
    ]
    course.refresh_from_db()
    assert (course.stop_date, course.stop_reason, course.version) == (None, "", 1)

    saved = nurse_client.post(url, data | {"stop_reason": "arthralgia"})
    assert saved.status_code == 302
    course.refresh_from_db()
    assert (course.stop_date.isoformat(), course.stop_reason) == (STOPPED, "arthralgia")


def test_a_new_stopped_course_is_asked_its_reason(nurse_client: Client, patient: Patient) -> None:
    url = reverse("patients:ai_course_create", args=[patient.pk])
    data = {"drug": "letrozole", "start_date": "2024-02-01", "stop_date": STOPPED}
    refused = nurse_client.post(url, data)
    assert "stop_reason" in refused.context["form"].errors
    assert not AromataseInhibitorCourse.objects.filter(patient=patient).exists()


def test_a_course_stopped_before_without_a_reason_still_saves_other_edits(
    nurse_client: Client, course: AromataseInhibitorCourse
) -> None:
    AromataseInhibitorCourse.objects.filter(pk=course.pk).update(stop_date=date(2025, 3, 1))
    url = _edit_url(course)
    data = posted_data(nurse_client.get(url).text, having="version")
    unchanged = nurse_client.post(url, data, follow=True)
    assert "Nothing was changed" in unchanged.text
    edited = nurse_client.post(url, data | {"planned_duration_months": "48"})
    assert edited.status_code == 302
    course.refresh_from_db()
    assert (course.planned_duration_months, course.stop_reason, course.version) == (48, "", 2)


def test_the_switch_is_explained_and_the_overlap_refusal_names_the_tick_box(
    nurse_client: Client, course: AromataseInhibitorCourse
) -> None:
    url = reverse("patients:ai_course_create", args=[course.patient_id])
    page = nurse_client.get(url).text
    assert "alerts see no day" not in page
    assert "Tick when the patient changes to this drug" in page
    assert '<option value="" selected>Choose…</option>' in page  # the drug select
    assert "Select an option" not in page
    refused = nurse_client.post(url, {"drug": "anastrozole", "start_date": STOPPED})
    (error,) = refused.context["form"].errors["start_date"]
    assert "to switch drugs, tick “Stop the current course … on the day this one starts” below" in (
        error
    )
    assert "a switch may stop it" not in error
    assert AromataseInhibitorCourse.objects.filter(patient=course.patient).count() == 1


def test_the_menopausal_status_carries_the_required_marker(
    nurse_client: Client, site: Site
) -> None:
    page = nurse_client.get(reverse("patients:create")).text
    assert 'id="div_id_menopausal_status" class="mb-3 required-in-some-cases"' in page
    assert "Required for a woman" in page
    # Not `required` in HTML: a man's form leaves it, and is saved.
    select = re.search(r'<select name="menopausal_status"[^>]*>', page)
    assert select is not None
    assert " required" not in select.group(0)
    man = valid_data(site, sex="M", name="Alan Turing", menopausal_status="")
    assert nurse_client.post(reverse("patients:create"), man).status_code == 302
    assert Patient.objects.get(mrn="B2002").menopausal_status == ""


def test_a_conflict_with_the_users_own_other_tab_names_them(
    nurse: User, physician: User, patient: Patient
) -> None:
    url = reverse("patients:update", args=[patient.pk])
    mine = login(nurse)
    first_tab = posted_data(mine.get(url).text, having="version")
    second_tab = dict(first_tab)
    assert mine.post(url, first_tab | {"weight_kg": "61.5"}).status_code == 302
    refused = mine.post(url, second_tab | {"weight_kg": "62.5"})
    errors = refused.context["form"].errors
    (summary,) = errors["__all__"]
    assert summary.startswith(
        "Not saved: you changed this record in another tab or window after you opened this form."
    )
    assert "someone else" not in str(errors)
    assert errors["weight_kg"][0].startswith(
        "You (in another tab or window) changed this to “61.5”"
    )
    patient.refresh_from_db()
    assert patient.weight_kg == 61.5

    # A colleague's change is still named as theirs.
    colleague = posted_data(login(physician).get(url).text, having="version")
    assert mine.post(url, posted_data(mine.get(url).text, having="version") | {"name": "J E"})
    theirs = login(physician).post(url, colleague | {"weight_kg": "63"})
    assert "changed by someone else" in theirs.context["form"].errors["__all__"][0]
    patient.refresh_from_db()
    assert (patient.name, patient.weight_kg) == ("J E", 61.5)
