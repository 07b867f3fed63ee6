"""Marking a whole patient entered in error, and restoring one marked by mistake; marking her
aromatase-inhibitor course entered in error.

Marking a patient hides her from every page (the access gate), her running therapy and open
alerts with her. A nurse marked a patient on denosumab with an open critical alert, and nobody
could see the alert or undo it (sec9 F7). So hiding a patient whose care is running, planned or
open (`selectors.patient_hidden_care`) needs the permission ending follow-up needs, and a tick
confirming what is named; and a user with that permission can restore a patient marked in error.

Marking her only running or planned aromatase-inhibitor course entered in error ends the same
schedule and alerts without hiding her: it needs the same permission (sec12 #7: a nurse could do
it, while marking the patient needed a physician). Read conservatively: a planned course counts as
running, as it does for the patient's mark; a course entered twice leaves the other running, and
any user who records courses marks the duplicate.
"""

from collections.abc import Collection

from django.db import transaction
from django.http import HttpRequest

from bonehealth.accounts.models import User
from bonehealth.audit.concurrency import RecordConflictError
from bonehealth.audit.models import AuditAction
from bonehealth.audit.records import mark_in_error
from bonehealth.audit.services import audit_record
from patients.models import AromataseInhibitorCourse, Patient
from patients.selectors import ai_course_is_her_only_running, patient_hidden_care
from patients.services import mrn_saved_once, patient_lock
from patients.signals import patient_changed

# Hiding a patient whose care is running, and bringing one back: the decision ending follow-up
# is (a physician's), by permission, never by role name.
HIDES_RUNNING_CARE = "patients.end_follow_up"
# The form's tick confirming the running care named above it.
HIDDEN_CARE_FIELD = "confirm_hidden_care"


class PhysicianNeededError(RecordConflictError):
    """The patient's care is running or open and the user may not hide it; nothing was saved."""

    def __init__(self) -> None:
        super().__init__(
            None,
            "A physician must mark this patient entered in error: the care listed above is "
            "running or open, and would be hidden from everyone. Nothing was changed; ask a "
            "physician, or end the treatment or alert first.",
        )


# The service's refusal; the page of a nurse says it in its own words, with no form to send.
ONLY_COURSE_NEEDS_A_PHYSICIAN = (
    "A physician must mark this course entered in error: it is the patient's only "
    "aromatase-inhibitor course running or planned, and marking it ends the patient's "
    "monitoring schedule and alerts, as marking the patient would. Nothing was changed; ask a "
    "physician, or record the course's stop date if it has ended."
)


class CoursePhysicianNeededError(RecordConflictError):
    """The course is the patient's only one running or planned and the user may not end her
    monitoring by marking it; nothing was saved."""

    def __init__(self) -> None:
        super().__init__(None, ONLY_COURSE_NEEDS_A_PHYSICIAN)


def ai_course_mark_needs_a_physician(*, user: User, course: AromataseInhibitorCourse) -> bool:
    """Whether `user` may not mark `course` entered in error: it is her only course running or
    planned and they lack HIDES_RUNNING_CARE."""
    return not user.has_perm(HIDES_RUNNING_CARE) and ai_course_is_her_only_running(course=course)


class HiddenCareNotConfirmedError(RecordConflictError):
    """Care not confirmed by the form's tick is running or open (found under the patient's
    lock: possibly added since the form was opened); nothing was saved."""

    def __init__(self, unconfirmed: list[str]) -> None:
        self.unconfirmed = unconfirmed
        super().__init__(
            HIDDEN_CARE_FIELD,
            "Not marked: this would hide from everyone " + " ".join(unconfirmed) + " Open the "
            "page again to see everything that is running, then confirm.",
        )


@transaction.atomic
def patient_mark_in_error(
    *,
    actor: User,
    patient: Patient,
    reason: str,
    confirmed: Collection[str] = (),
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> None:
    """Hide a patient registered by mistake; the record and its history are kept.

    When care of hers is running, planned or open (`patient_hidden_care`, read under her lock),
    refused (PhysicianNeededError) unless the actor holds HIDES_RUNNING_CARE, and refused
    (HiddenCareNotConfirmedError) for what is not among the `confirmed` sentences the form showed,
    and (ConcurrentEditError) when her record changed since `expected_version`, as the form showed
    it: her name, MRN or date of birth corrected meanwhile may make her no duplicate after all.
    """
    # Her record writers take this lock too: care saved while the mark waited for it is read here,
    # and a writer waiting for it now finds her marked (PatientInErrorError) and saves nothing.
    patient_lock(patient.pk, or_in_error=True)
    hidden = patient_hidden_care(patient=patient)
    if hidden and not actor.has_perm(HIDES_RUNNING_CARE):
        raise PhysicianNeededError
    unconfirmed = [line for line in hidden if line not in confirmed]
    if unconfirmed:
        raise HiddenCareNotConfirmedError(unconfirmed)
    if mark_in_error(
        actor=actor,
        instance=patient,
        patient=patient,
        reason=reason,
        expected_version=expected_version,
        request=request,
    ):
        # Reassessed like any change to the record: the stored assessment stops counting them.
        patient_changed.send(sender=Patient, patient=patient)


@transaction.atomic
def ai_course_mark_in_error(
    *,
    actor: User,
    course: AromataseInhibitorCourse,
    reason: str,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> None:
    """Hide an AI course entered by mistake; it is kept with who marked it and why. Under the
    patient's lock, as her other writers: refused when she was marked entered in error meanwhile,
    (CoursePhysicianNeededError) when it is her only course running or planned and the actor
    lacks HIDES_RUNNING_CARE (read under the lock: a duplicate marked meanwhile counts), and
    (ConcurrentEditError) when the course changed since `expected_version`, as its page showed
    it."""
    patient_lock(course.patient_id)
    if ai_course_mark_needs_a_physician(user=actor, course=course):
        raise CoursePhysicianNeededError
    if mark_in_error(
        actor=actor,
        instance=course,
        patient=course.patient,
        reason=reason,
        expected_version=expected_version,
        request=request,
    ):
        patient_changed.send(sender=Patient, patient=course.patient)


@transaction.atomic
def patient_restore(*, actor: User, patient: Patient, request: HttpRequest | None = None) -> bool:
    """Bring back a patient marked entered in error (False: she was not marked, nothing done).

    Refused (MrnTakenError) while another valid patient of the site holds her MRN. The mark's
    who, when and why stay in the audit trail; the patient is reassessed.
    """
    patient_lock(patient.pk, or_in_error=True)
    fresh = Patient.objects.get(pk=patient.pk)  # read under her lock
    if not fresh.entered_in_error:
        return False
    marked = {
        "entered_in_error": [True, False],
        "error_reason": [fresh.error_reason, ""],
        "error_marked_by": [str(fresh.error_marked_by or ""), ""],
        "version": [fresh.version, fresh.version + 1],
    }
    fresh.entered_in_error = False
    fresh.error_marked_at = None
    fresh.error_marked_by = None
    fresh.error_reason = ""
    fresh.version += 1
    mrn_saved_once(fresh.save, site=fresh.site, mrn=fresh.mrn, exclude=fresh.pk)
    audit_record(
        action=AuditAction.CHANGE,
        actor=actor,
        request=request,
        obj=fresh,
        patient=fresh,
        changes=marked,
    )
    patient_changed.send(sender=Patient, patient=fresh)
    return True
