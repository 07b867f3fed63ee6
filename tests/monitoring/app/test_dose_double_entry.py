"""nurse11 F3: one injection recorded twice a day apart (two tabs: B records it today, A
yesterday) showed only as an early dose "181 days early", with the usual override box. A dose too
close to one recorded in the last 24 hours now asks what the same-day duplicate refusal says (the
dose, who entered it and when) and whether it is the same injection, beside the date; only a
physician's override records a second dose."""

from datetime import date, datetime, time, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import Site, User
from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring.models import BoneTherapyCourse, BoneTherapyDose
from monitoring.records.dose_safety import JUST_RECORDED, dose_checklist
from patients.models import Patient
from tests.conftest import login
from tests.factories import UserFactory, results_in_range

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
YESTERDAY = TODAY - timedelta(days=1)
REASON = "second injection given in error; reported to pharmacy"


@pytest.fixture
def nora(site: Site) -> User:
    return UserFactory(
        username="nora", role="nurse", sites=[site], first_name="Nora", last_name="Nurse"
    )


@pytest.fixture
def course(patient: Patient, physician: User) -> BoneTherapyCourse:
    """Denosumab due: every check passes today and yesterday (the last dose 8 months ago)."""
    results_in_range(patient, TODAY - timedelta(days=20))
    course = BoneTherapyCourse.objects.create(
        patient=patient,
        drug="denosumab",
        start_date=TODAY - timedelta(days=500),
        dental_review_date=TODAY - timedelta(days=520),
        entered_by=physician,
    )
    last = BoneTherapyDose.objects.create(
        course=course, given_on=TODAY - timedelta(days=240), entered_by=physician
    )
    _entered(last, on=last.given_on)
    return course


def _entered(dose: BoneTherapyDose, *, on: date) -> None:
    """Stamp `dose` as entered at noon on `on` (`auto_now_add` stamps now)."""
    entered = timezone.make_aware(datetime.combine(on, time(12)))
    BoneTherapyDose.objects.filter(pk=dose.pk).update(entered_at=entered)


def _url(course: BoneTherapyCourse) -> str:
    return reverse("monitoring:dose_create", args=[course.patient_id, course.pk])


def _doses(course: BoneTherapyCourse) -> list[date]:
    return list(course.doses.order_by("given_on").values_list("given_on", flat=True))


def _created() -> int:
    return AuditEvent.objects.filter(
        object_type="monitoring.bonetherapydose", action=AuditAction.CREATE
    ).count()


def test_the_second_tab_asks_whether_it_is_the_same_injection(
    nora: User, nurse_client: Client, course: BoneTherapyCourse
) -> None:
    tab_b = login(nora)
    assert tab_b.post(_url(course), {"given_on": TODAY.isoformat()}).status_code == 302
    recorded = course.doses.get(given_on=TODAY)
    created = _created()

    refused = nurse_client.post(_url(course), {"given_on": YESTERDAY.isoformat()})
    assert refused.status_code == 200
    (question,) = refused.context["form"].errors["given_on"]
    at = f"{timezone.localtime(recorded.entered_at):%Y-%m-%d %H:%M}"
    assert question.startswith(
        f"A denosumab dose on {TODAY:%Y-%m-%d} is already recorded for this course "
        f"(entered by Nora Nurse at {at}), 1 day after this one: is this the same injection?"
    )
    assert "If it is, it is recorded already and nothing needs saving" in question
    assert "a physician records it with the override and its reason" in question
    assert 'data-check="dose_interval" data-status="failed"' in refused.text
    # What was typed is kept; the nurse cannot tick the override (said, and the box disabled).
    assert f'value="{YESTERDAY:%Y-%m-%d}"' in refused.text
    assert "Only a physician may override Time since the previous dose" in refused.text
    assert 'name="safety_override" disabled' in refused.text
    assert _doses(course)[-1] == TODAY
    assert _created() == created


def test_a_nurses_forged_override_of_it_is_refused_and_nothing_saved(
    nora: User, nurse: User, nurse_client: Client, course: BoneTherapyCourse
) -> None:
    login(nora).post(_url(course), {"given_on": TODAY.isoformat()})
    before, created = _doses(course), _created()
    forged = {"given_on": YESTERDAY.isoformat(), "safety_override": "on", "override_reason": REASON}
    refused = nurse_client.post(_url(course), forged)
    assert refused.status_code == 200
    (error,) = refused.context["form"].errors["safety_override"]
    assert "Only a physician may override Time since the previous dose" in error
    assert _doses(course) == before
    assert _created() == created
    assert not BoneTherapyDose.objects.filter(safety_override_reason=REASON).exists()


def test_a_physician_records_a_second_dose_with_the_override(
    nora: User, physician: User, physician_client: Client, course: BoneTherapyCourse
) -> None:
    login(nora).post(_url(course), {"given_on": TODAY.isoformat()})
    given = {"given_on": YESTERDAY.isoformat(), "safety_override": "on", "override_reason": REASON}
    assert physician_client.post(_url(course), given).status_code == 302
    dose = course.doses.get(given_on=YESTERDAY)
    assert (dose.safety_override_reason, dose.safety_checks_failed) == (REASON, ["dose_interval"])
    assert dose.safety_override_by == physician


def test_a_dose_entered_more_than_24_hours_ago_is_an_early_dose_not_a_question(
    nora: User, course: BoneTherapyCourse
) -> None:
    """Entered two days ago, it has been on the patient page since: the early-dose words alone."""
    earlier = BoneTherapyDose.objects.create(course=course, given_on=YESTERDAY, entered_by=nora)
    _entered(earlier, on=TODAY - timedelta(days=2))
    result = dose_checklist(patient=course.patient, course=course, given_on=TODAY)
    assert result.same_injection == ""
    (interval,) = result.failed
    assert interval.messages[0].startswith(
        f"The previous denosumab dose was given on {YESTERDAY:%Y-%m-%d}"
    )
    assert interval.physician_override
    # Within the 24 hours, the same dose asks the question.
    BoneTherapyDose.objects.filter(pk=earlier.pk).update(
        entered_at=timezone.now() - JUST_RECORDED + timedelta(minutes=5)
    )
    result = dose_checklist(patient=course.patient, course=course, given_on=TODAY)
    assert "is this the same injection?" in result.same_injection
    # Asked beside the date only, not again in the row (nurse13 #14).
    assert result.same_injection not in result.failed[0].messages


def test_a_dose_on_another_course_of_the_drug_names_that_course(
    nora: User, patient: Patient, physician: User, course: BoneTherapyCourse
) -> None:
    """A switch to a biosimilar opens a new course (physician8 D12): the question names where."""
    course.stop_date, course.stop_reason = YESTERDAY, "switched to a biosimilar"
    course.save()
    BoneTherapyDose.objects.create(course=course, given_on=YESTERDAY, entered_by=nora)
    new = BoneTherapyCourse.objects.create(
        patient=patient,
        drug="denosumab",
        start_date=TODAY,
        dental_review_date=TODAY - timedelta(days=520),
        entered_by=physician,
    )
    question = dose_checklist(patient=patient, course=new, given_on=TODAY).same_injection
    assert question.startswith(
        f"A denosumab dose on {YESTERDAY:%Y-%m-%d} is already recorded for the denosumab "
        f"course from {course.start_date:%Y-%m-%d} "
    )
    assert "1 day before this one: is this the same injection?" in question
