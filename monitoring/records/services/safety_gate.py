"""The one statement of the pre-treatment gate: a failed check of the checklist
(`records/safety.py`; for a dose, `records/dose_safety.py`) stops a course start or a dose unless
an override reason is given, and that reason is audited with the record.

The therapy services and the history import call it inside their transaction, on the checklist
computed there (under the patient's lock), so no write path can start a drug or record a dose
past a failed check without an audited reason, kept on the record too (`override_values`). The
forms only show the checklist and collect the override; a refusal (`SafetyCheckError`) comes
back to them next to the field it names.

Who may override (nurse11 F3: a nurse overrode a zoledronic acid infusion 151 days early on her
own, and a second denosumab injection a day after the first). The specification is silent on
overrides. What it and the product say of authority: a nurse records the doses given and may not
make a bone therapy decision, a physician starts, changes and stops therapy (product.md); "nurses
may acknowledge info and warning alerts, only physicians high and critical ones", critical being
"a safety block: do not give the drug now" (clinical-rules.md). Giving the drug past a check is
more than acknowledging its alert, so the conservative reading: a failed check whose alert is
high or critical (`safety.PHYSICIAN_OVERRIDE_FROM`: hypocalcaemia, zoledronic acid below 35
mL/min, denosumab's hypocalcaemia risk below 30, vitamin D deficient within 3 months of the
start) or a dose too early (`dose_safety`) is overridden only by one who may decide therapy
(`DECIDE_THERAPY_PERMISSION`, physicians), the same permission that starts the drug. The other
failed checks (warnings, and vitamin D never measured) stay a nurse's to override with her
reason: the routine doses the product gives her to record (results not yet back, kidney function
for a dose check, a dental review recorded late), which a physician's sign-off on each would
stall. A nurse sees who may override on the checklist, the tick box disabled; a forged POST is
refused here (`OverrideNotPermittedError`), as is a history import by a nurse.
"""

from collections.abc import Mapping
from typing import Any

from django.utils import timezone

from bonehealth.accounts.models import User
from monitoring.assessment.permissions import DECIDE_THERAPY_PERMISSION
from monitoring.models import BoneTherapyCourse
from monitoring.records.safety import Checklist, CheckStatus
from monitoring.records.services.guards import EntryConflictError

# A reason someone else can act on, not "x" or "ok" (a tester's one-letter reasons were accepted).
OVERRIDE_REASON_MIN_LENGTH = 8


class SafetyCheckError(EntryConflictError):
    """A pre-treatment check failed and no override reason was given; nothing was saved.

    `checklist` is the one the service judged (the form shows it in place of its own)."""

    def __init__(self, field: str, message: str, checklist: Checklist) -> None:
        self.checklist = checklist
        super().__init__(field, message)


class OverrideNotPermittedError(SafetyCheckError):
    """A failed check only a physician overrides, and the one saving may not; nothing was saved."""


def failed_names(checklist: Checklist) -> str:
    """The checks that stop the save, named; a caution only a physician accepts says so (phys13
    F15c: it is no failure of the drug's limit)."""
    return ", ".join(
        f"{check.label}: a caution"
        if check.status is CheckStatus.PHYSICIAN_CAUTION
        else check.label
        for check in checklist.failed
    )


def may_override(user: User | None, checklist: Checklist) -> bool:
    """Whether `user` may override every failed check of `checklist` (module docstring). None is
    the demo's command actor, who is no user (`history_import`): not checked."""
    if user is None or not checklist.override_needs_physician:
        return True
    return user.has_perm(DECIDE_THERAPY_PERMISSION)


def physician_only_words(checklist: Checklist) -> str:
    """Who may override the checks only a physician overrides, named, for the page and refusals."""
    names = ", ".join(check.label for check in checklist.failed if check.physician_override)
    return (
        f"Only a physician may override {names} (a dose too early, or a high or critical alert): "
        "ask one to record it with the override and its reason, or correct the checks first."
    )


def override_audit(
    checklist: Checklist, override_reason: str | None, *, actor: User | None
) -> dict[str, Any]:
    """What the record's audit event keeps of the gate: the failed checks overridden and why
    (nothing when every check passes). Refuses (SafetyCheckError) a failed check without a reason,
    a dose that may be one just recorded (its question, beside the date) without an override, and
    an override `actor` may not make (`may_override`), whatever was posted.

    `override_reason` None: no override asked for; blank: asked for, without a reason.
    """
    if not checklist.failed:
        return {}
    if override_reason is None and checklist.same_injection:
        raise SafetyCheckError("given_on", checklist.same_injection, checklist)
    if not may_override(actor, checklist):
        raise OverrideNotPermittedError(
            "safety_override",
            f"Failed pre-treatment checks ({failed_names(checklist)}). "
            f"{physician_only_words(checklist)}",
            checklist,
        )
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
