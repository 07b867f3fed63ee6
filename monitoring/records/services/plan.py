"""The patient's care plan: the supplements they take and the next DEXA a physician set."""

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from bonehealth.accounts.models import User
from bonehealth.audit.concurrency import ConcurrentEditError, FieldChange
from bonehealth.audit.models import AuditAction
from bonehealth.audit.records import versioned_update
from bonehealth.audit.services import audit_record
from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.models import MonitoringPlan, Supplements
from monitoring.records.services.guards import EntryConflictError, patient_lock, saved_once
from patients.models import Patient


class PlanChangedError(EntryConflictError):
    """A newer plan was set after the form was opened; nothing was saved."""

    def __init__(self, newer: MonitoringPlan) -> None:
        self.newer = newer
        when = f"{timezone.localtime(newer.set_at):%Y-%m-%d %H:%M}"
        due = f"{newer.next_dexa_due:%Y-%m-%d}" if newer.next_dexa_due else "the computed date"
        super().__init__(
            "next_dexa_due",
            f"{newer.set_by or 'Someone'} set the next DEXA to {due} ({newer.reason}) at {when}, "
            "after you opened this form. Save again to replace their plan with yours.",
        )


@dataclass(frozen=True)
class PlanSet:
    """What setting the plan did: the plan in force after it, and whether it is a new one (False:
    the same decision again, nothing written, which the page says)."""

    plan: MonitoringPlan
    changed: bool


@transaction.atomic
def supplements_set(
    *,
    actor: User,
    patient: Patient,
    calcium: bool,
    vitamin_d: bool,
    expected_version: int,
    request: HttpRequest | None = None,
) -> Supplements:
    """Record whether the patient takes calcium and vitamin D supplements.

    The same answers again write nothing and reassess nothing: a reassessment raises the
    patient's records_version, which would empty the site's cached pages for no change.
    `expected_version` is the version the form was opened on, 0 when the patient had no row yet:
    a row created since then (someone else's first save) is a concurrent edit, refused like one.
    """
    patient_lock(patient.pk)

    def check() -> None:
        current = Supplements.objects.filter(patient=patient).select_related("updated_by").first()
        if current is not None and expected_version == 0:
            by = str(current.updated_by or "")
            raise ConcurrentEditError(
                current_version=current.version,
                changes=[
                    FieldChange(
                        name, getattr(current, name), by, current.updated_at, current.updated_by_id
                    )
                    for name in ("calcium", "vitamin_d")
                ],
                current=current,
            )

    check()
    current = Supplements.objects.filter(patient=patient).first()
    if current is None:
        current = saved_once(
            lambda: Supplements.objects.create(
                patient=patient, calcium=calcium, vitamin_d=vitamin_d, updated_by=actor
            ),
            check=check,
        )
        audit_record(
            action=AuditAction.CREATE,
            actor=actor,
            request=request,
            obj=current,
            patient=patient,
            changes={"calcium": calcium, "vitamin_d": vitamin_d},
        )
        patient_assessment_refresh(patient=patient)
        return current
    current, changes = versioned_update(
        actor=actor,
        instance=current,
        values={"calcium": calcium, "vitamin_d": vitamin_d, "updated_by": actor},
        fields=["calcium", "vitamin_d"],
        expected_version=expected_version,
        patient=patient,
        request=request,
    )
    if changes:
        patient_assessment_refresh(patient=patient)
    return current


@transaction.atomic
def monitoring_plan_set(
    *,
    actor: User,
    patient: Patient,
    next_dexa_due: date | None,
    reason: str,
    expected_in_force: int | None = None,
    request: HttpRequest | None = None,
) -> PlanSet:
    """A physician sets the next DEXA date (or, with None, returns to the computed date).

    The same decision again (a double submit) is the plan already in force: nothing is written.
    With `expected_in_force` (the plan's id when the form was opened, 0 for none), a newer plan
    set by someone else in between refuses the save (PlanChangedError).
    """
    patient_lock(patient.pk)
    in_force = (
        MonitoringPlan.objects.filter(patient=patient)
        .select_related("set_by")
        .order_by("-set_at", "-id")
        .first()
    )
    if in_force and (in_force.next_dexa_due, in_force.reason) == (next_dexa_due, reason):
        return PlanSet(plan=in_force, changed=False)
    if expected_in_force is not None and in_force and in_force.pk != expected_in_force:
        raise PlanChangedError(in_force)
    plan = MonitoringPlan.objects.create(
        patient=patient, next_dexa_due=next_dexa_due, reason=reason, set_by=actor
    )
    audit_record(
        action=AuditAction.CREATE,
        actor=actor,
        request=request,
        obj=plan,
        patient=patient,
        changes={"next_dexa_due": next_dexa_due, "reason": reason},
    )
    patient_assessment_refresh(patient=patient)
    return PlanSet(plan=plan, changed=True)
