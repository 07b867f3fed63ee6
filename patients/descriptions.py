"""A patient and her aromatase-inhibitor courses described in one line, enough to recognise the
record on a page that acts on it (marking it entered in error, nurse11 #2)."""

from patients.models import AromataseInhibitorCourse, FollowUpStatus, Patient
from patients.templatetags.patient_display import started


def patient_description(patient: Patient) -> str:
    """ "Patricia Fischer (DEMO-000156), born 1950-03-02, at North General" (", follow-up ended
    on 2026-06-01" when it has)."""
    text = f"{patient}, born {patient.birth_date:%Y-%m-%d}, at {patient.site.name}"
    if patient.follow_up_status == FollowUpStatus.ENDED and patient.follow_up_ended_on:
        text += f", follow-up ended on {patient.follow_up_ended_on:%Y-%m-%d}"
    return text


def ai_course_description(course: AromataseInhibitorCourse) -> str:
    """ "Letrozole since 2024-01-15, planned for 60 months, stopped on 2026-01-10 (side
    effects)"."""
    parts = [f"{course.get_drug_display()} {started(course.start_date)}"]
    if course.planned_duration_months:
        parts.append(f"planned for {course.planned_duration_months} months")
    if course.stop_date:
        reason = f" ({course.stop_reason})" if course.stop_reason else ""
        parts.append(f"stopped on {course.stop_date:%Y-%m-%d}{reason}")
    return ", ".join(parts)
