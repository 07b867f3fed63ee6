"""The one statement of the pre-treatment gate: a failed check of the checklist
(`records/safety.py`; for a dose, `records/dose_safety.py`) stops a course start or a dose unless
an override reason is given, and that reason is audited with the record.

The therapy services and the history import call it inside their transaction, on the checklist
computed there (under the patient's lock), so no write path can start a drug or record a dose
past a failed check without an audited reason, kept on the record too (`override_values`). The
forms only show the checklist and collect the override; a refusal (`SafetyCheckError`) comes
back to them next to the field it names.
"""

from collections.abc import Mapping
from typing import Any

from django.utils import timezone

from bonehealth.accounts.models import User
from monitoring.models import BoneTherapyCourse
from monitoring.records.safety import Checklist
from monitoring.records.services.guards import EntryConflictError

# A reason someone else can act on, not "x" or "ok" (a tester's one-letter reasons were accepted).
OVERRIDE_REASON_MIN_LENGTH = 8


class SafetyCheckError(EntryConflictError):
    """A pre-treatment check failed and no override reason was given; nothing was saved.

    `checklist` is the one the service judged (the form shows it in place of its own)."""

    def __init__(self, field: str, message: str, checklist: Checklist) -> None:
        self.checklist = checklist
        super().__init__(field, message)


def failed_names(checklist: Checklist) -> str:
    return ", ".join(check.label for check in checklist.failed)


def override_audit(checklist: Checklist, override_reason: str | None) -> dict[str, Any]:
    """What the record's audit event keeps of the gate: the failed checks overridden and why
    (nothing when every check passes). Refuses (SafetyCheckError) a failed check without a reason.

    `override_reason` None: no override asked for; blank: asked for, without a reason.
    """
    if not checklist.failed:
        return {}
    if override_reason is None:
        raise SafetyCheckError(
            "safety_override",
            f"Failed pre-treatment checks ({failed_names(checklist)}): correct them first, or "
            "tick the override and give the reason.",
            checklist,
        )
    if len(override_reason.strip()) < OVERRIDE_REASON_MIN_LENGTH:
        raise SafetyCheckError(
            "override_reason",
            "Give the reason for overriding the failed checks, in a few words (at least "
            f"{OVERRIDE_REASON_MIN_LENGTH} characters): the next clinician reads it.",
            checklist,
        )
    return {
        "safety_override": {
            "failed_checks": checklist.audit_summary(),
            "reason": override_reason.strip(),
            "as_of": checklist.as_of.isoformat(),
        }
    }


def override_values(audit: Mapping[str, Any], *, actor: User | None) -> dict[str, Any]:
    """The record's own override fields (`models.therapy.SafetyOverride`) from what
    `override_audit` returned for its save: the checks overridden, the reason, who and when; all
    blank when every check passed. Saved with the record, so the clinicians reading the record
    see the override (the audit event keeps it too, with the checks' values)."""
    override = audit.get("safety_override")
    if override is None:
        return {
            "safety_override_reason": "",
            "safety_checks_failed": [],
            "safety_override_by": None,
            "safety_override_at": None,
        }
    return {
        "safety_override_reason": override["reason"],
        "safety_checks_failed": [str(check["check"]) for check in override["failed_checks"]],
        "safety_override_by": actor,
        "safety_override_at": timezone.now(),
    }


def course_starts_a_drug(values: Mapping[str, Any], course: BoneTherapyCourse | None) -> bool:
    """Whether saving `values` (on `course`, None for a new one) starts a drug, now or from a
    later date: a new course with a start, not recorded as stopped already, or a change that
    starts a planned course, moves its start (the checks are judged on the start's day: a tester
    moved a start to before any results, unchecked, and an old override note stayed) or changes
    its drug. Only those pass the gate; recording a stopped course or correcting a dose does not.

    Nor does a course planned without a start (phys11 F12: the physician plans the drug, then
    orders the bloods, so every plan needed a pro-forma override). The spec's gates are about
    giving the drug (critical: "do not give the drug now"); a plan gives nothing, and its checks
    are made when its start is recorded (a change that starts it, above). Meanwhile the rules
    raise their alerts for the planned course (VITD, CA-LOW, RENAL and DENTAL judge planned
    courses) on the patient page and the worklist.
    """

    def value(name: str) -> Any:
        return values.get(name) if name in values or course is None else getattr(course, name)

    if not value("drug") or value("stop_date") or value("start_date") is None:
        return False
    if course is None:
        return True
    starts = course.start_date is None and value("start_date") is not None
    moves = course.start_date is not None and value("start_date") != course.start_date
    return starts or moves or value("drug") != course.drug
