"""The supplements and the monitoring plan of an imported history.

Supplements are one row per patient: the file's answers replace the recorded ones, audited as the
supplements form's service audits them (`versioned_update`: each field [old, new] and the
version), so the trail says what the import replaced. The row joins the file's other audit rows
(one insert, naming the command's actor) instead of being written by that service, which needs the
version a form was opened on and reassesses on its own.

A plan is recorded as set on the day of the import (docs/history-format.md), whatever `set_on`
the file gives (`history_dates` refuses one after today); the preview says so.
"""

from datetime import date
from typing import Any

from django.utils import timezone

from bonehealth.audit.services import field_values, model_changes
from monitoring.models import MonitoringPlan, Supplements
from monitoring.records.history_records import RecordImporter
from patients.models import Patient

SUPPLEMENT_FIELDS = ["calcium", "vitamin_d"]


def supplements_imported(importer: RecordImporter, patient: Patient) -> None:
    wanted = importer.history.supplements
    if wanted is None:
        return
    current = Supplements.objects.filter(patient=patient).first()
    if current is None:
        created = Supplements.objects.create(
            patient=patient,
            calcium=wanted.calcium,
            vitamin_d=wanted.vitamin_d,
            updated_by=importer.actor,
        )
        importer.audit_create(
            created, patient, {"calcium": wanted.calcium, "vitamin_d": wanted.vitamin_d}
        )
        return
    before = field_values(current, SUPPLEMENT_FIELDS)
    current.calcium, current.vitamin_d = wanted.calcium, wanted.vitamin_d
    changes: dict[str, Any] = model_changes(before, field_values(current, SUPPLEMENT_FIELDS))
    if not changes:
        return
    changed = ", ".join(sorted(changes))
    current.updated_by = importer.actor
    current.version += 1
    current.save()
    changes["version"] = [current.version - 1, current.version]
    importer.audit_change(current, patient, changes)
    importer.report.notes.append(f"supplements updated: {changed}")


def _set_today(set_on: date | None) -> str:
    """The preview's word on an imported plan: when it counts as set, so which scan fulfils it."""
    today = timezone.localdate()
    told = f", not on the file's set_on {set_on:%Y-%m-%d}" if set_on and set_on != today else ""
    return (
        f"monitoring plan recorded as set today ({today:%Y-%m-%d}){told}: a scan dated after "
        "today fulfils it"
    )


def plan_imported(importer: RecordImporter, patient: Patient) -> None:
    plan = importer.history.plan
    if plan is None or plan.next_dexa_due is None:
        return
    latest = MonitoringPlan.objects.filter(patient=patient).order_by("-set_at", "-id").first()
    reason = plan.reason or "imported plan"
    if latest is not None and (latest.next_dexa_due, latest.reason) == (
        plan.next_dexa_due,
        reason,
    ):
        return  # the plan in force already: nothing new
    new_plan = MonitoringPlan.objects.create(
        patient=patient, next_dexa_due=plan.next_dexa_due, reason=reason, set_by=importer.actor
    )
    importer.audit_create(new_plan, patient, {"next_dexa_due": plan.next_dexa_due})
    importer.report.notes.append(_set_today(plan.set_on))
