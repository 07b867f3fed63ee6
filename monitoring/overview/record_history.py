"""A record's history, for the nurses and physicians who may see its patient (nurse12 F5): every
creation, change and mark of entered in error the audit trail holds for it, oldest first, with
who, when, and each changed field's value before and after, in the patient page's words.

The audit rows are the source: each change keeps the values before and after of the fields it
changed (`bonehealth.audit.records.versioned_update`); a creation keeps the values it was given,
an import's creation only some. So the record's values at each step are read back from the
record as it is now through the changes after that step (`_states`), and a creation row that
kept fewer values says so on the page. Views of the record are in the audit trail, not here.
Reading a history is a view of the patient's record, audited as one.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.decorators import permission_required
from django.db import models, transaction
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from bonehealth.accounts.http import AuthenticatedHttpRequest
from bonehealth.accounts.models import Site, User
from bonehealth.audit.models import AuditAction, AuditEvent
from bonehealth.audit.services import stored_value
from monitoring.models import (
    BoneTherapyCourse,
    BoneTherapyDose,
    DexaMeasurement,
    DexaScan,
    FraxResult,
    LabResult,
    MonitoringPlan,
    Scanner,
    Supplements,
)
from monitoring.models.choices import Analyte, MeasuredSite
from monitoring.overview.history_values import (
    MEASURED_PREFIX,
    RESULT,
    RESULT_PARTS,
    Change,
    Shown,
)
from monitoring.records import selectors
from patients.access import record_of_patient
from patients.models import AromataseInhibitorCourse, Patient
from patients.read_audit import patient_record_view

# Who did what, how and when: the record's bookkeeping, not its clinical values. The override of
# a pre-treatment check is shown from its audit row's own key (`safety_override`).
BOOKKEEPING = frozenset(
    {
        "id",
        "patient",
        "course",
        "entered_by",
        "created_by",
        "updated_by",
        "set_by",
        "version",
        "entered_in_error",
        "error_marked_at",
        "error_marked_by",
        "error_reason",
    }
)
# Keys of an audit row the page does not show: the version, the mark the action names, where an
# import came from (the action says "imported"), and the course of a dose (the title names it).
NOT_SHOWN = frozenset({"version", "entered_in_error", "source", "course"})
HISTORY_ACTIONS = (AuditAction.CREATE, AuditAction.CHANGE, AuditAction.MARK_ERROR)
SIGN_OFF = frozenset({"reviewed_at", "reviewed_by", "version"})
SITE_ORDER = [f"{MEASURED_PREFIX}{site.value}" for site in MeasuredSite]


@dataclass(frozen=True)
class HistoryKind:
    """A kind of record with a history: its model, how it reaches its patient, and whether the
    patient has one of it (no record id in the URL) or many."""

    model: type[models.Model]
    title: str
    via: str = "patient"
    one_per_patient: bool = False


KINDS = {
    "scan": HistoryKind(DexaScan, "DEXA scan"),
    "lab": HistoryKind(LabResult, "Lab result"),
    "frax": HistoryKind(FraxResult, "FRAX result"),
    "therapy": HistoryKind(BoneTherapyCourse, "Bone-protective therapy course"),
    "dose": HistoryKind(BoneTherapyDose, "Bone-therapy dose", via="course__patient"),
    "ai_course": HistoryKind(AromataseInhibitorCourse, "Aromatase-inhibitor course"),
    "patient": HistoryKind(Patient, "Patient details", one_per_patient=True),
    "supplements": HistoryKind(Supplements, "Supplements", one_per_patient=True),
    "plan": HistoryKind(MonitoringPlan, "Monitoring plan", one_per_patient=True),
}


@dataclass
class HistoryRow:
    event: AuditEvent
    what: str
    lines: list[Change] = field(default_factory=list)
    note: str = ""


def followed_fields(model: type[models.Model]) -> list[str]:
    """The record's own values a history follows: its editable fields, less the bookkeeping."""
    return [
        f.name
        for f in model._meta.concrete_fields
        if f.editable and f.name not in BOOKKEEPING and not f.name.startswith("safety_")
    ]


def history_records(kind: HistoryKind, patient: Patient, record_pk: int | None) -> list[Any]:
    """The records whose history is asked for (one, or the patient's plans), marked in error or
    not; another patient's record is the gate's 404, audited (`record_of_patient`)."""
    model = kind.model
    if model is Patient:
        return [patient]
    if kind.one_per_patient:
        return list(model._default_manager.filter(patient=patient).order_by("pk"))
    record: Any = record_of_patient(model, patient=patient, pk=record_pk or 0, via=kind.via)
    if isinstance(record, DexaScan):
        record.measurement_list = list(DexaMeasurement.objects.filter(scan=record))  # type: ignore[attr-defined]
    return [record]


def history_events(patient: Patient, model: type[models.Model], ids: Iterable[int]) -> list[Any]:
    """The audit events of these records of the patient's, oldest first (one query)."""
    return list(
        AuditEvent.objects.filter(
            patient=patient,
            object_type=model._meta.label_lower,
            object_id__in=[str(pk) for pk in ids],
            action__in=HISTORY_ACTIONS,
        )
        .select_related("actor")
        .order_by("at", "id")
    )


def current_state(record: Any) -> dict[str, Any]:
    """The record's followed values now, as audit rows store them (a scan's sites included)."""
    state = {
        name: stored_value(getattr(record, record._meta.get_field(name).attname))
        for name in followed_fields(type(record))
    }
    for m in getattr(record, "measurement_list", ()):
        state[f"{MEASURED_PREFIX}{m.site}"] = [str(m.bmd), str(m.t_score), str(m.z_score or "")]
    return state


def _states(record: Any, events: list[Any]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """The record's values before and after each of its events, read back from now."""
    after = current_state(record)
    steps = []
    for event in reversed(events):
        changes = event.changes if isinstance(event.changes, dict) else {}
        before = dict(after)
        if event.action == AuditAction.CHANGE:
            for name, value in changes.items():
                if (name in before or name.startswith(MEASURED_PREFIX)) and _is_pair(value):
                    before[name] = value[0]
        elif event.action == AuditAction.CREATE:
            before = {}
        steps.append((before, after))
        after = before if event.action != AuditAction.CREATE else after
    return steps[::-1]


def _is_pair(value: Any) -> bool:
    return isinstance(value, list) and len(value) == 2


def _names(kind: HistoryKind, states: Iterable[Mapping[str, Any]], events: Iterable[Any]) -> dict:
    """The names of the scanners, sites, users and courses the values point to, by model and
    id: one query for each kind of record pointed to."""
    wanted: dict[type[models.Model], set[str]] = {}
    relations = {
        f.name: f.related_model
        for f in kind.model._meta.concrete_fields
        if f.is_relation and f.name not in BOOKKEEPING
    }
    values = [*(s.items() for s in states), *(_changed_values(e) for e in events)]
    for pairs in values:
        for name, value in pairs:
            related = relations.get(name)
            for one in value if _is_pair(value) else [value]:
                if related is not None and one not in (None, ""):
                    wanted.setdefault(related, set()).add(str(one))
    names: dict[tuple[type[models.Model], str], str] = {}
    readers: dict[type[models.Model], Any] = {
        User: User.objects.only("first_name", "last_name", "username"),
        Scanner: Scanner.objects.only("name"),
        Site: Site.objects.only("name"),
    }
    for model, ids in wanted.items():
        for row in readers.get(model, model._default_manager.all()).filter(pk__in=sorted(ids)):
            names[(model, str(row.pk))] = str(row.name if model is Scanner else row)
    return names


def _changed_values(event: Any) -> list[tuple[str, Any]]:
    return list(event.changes.items()) if isinstance(event.changes, dict) else []


def _what(event: Any, changes: Mapping[str, Any]) -> str:
    if event.action == AuditAction.MARK_ERROR:
        return "Marked entered in error"
    if event.action == AuditAction.CREATE:
        return "Created (imported)" if changes.get("source") == "import" else "Created"
    if set(changes) <= SIGN_OFF and _is_pair(changes.get("reviewed_at")):
        return "Signed off" if changes["reviewed_at"][1] else "Sign-off cleared"
    if changes.get("entered_in_error") == [True, False]:
        return "Restored (was marked entered in error)"
    return "Changed (imported)" if changes.get("source") == ["", "import"] else "Changed"


def _ordered(names: Iterable[str], model: type[models.Model]) -> list[str]:
    order = [*followed_fields(model), *SITE_ORDER]
    return sorted(names, key=lambda name: order.index(name) if name in order else len(order))


def _shown_names(state: Mapping[str, Any], model: type[models.Model]) -> list[str]:
    """The values of a record to state at its creation: a lab's parts as one result, fasting only
    for a CTX."""
    names = [n for n in _ordered(state, model) if state.get(n) not in (None, "", [])]
    if model is LabResult:
        names = [n for n in names if n not in RESULT_PARTS[1:]]
        names.insert(1 if "analyte" in names else 0, RESULT)
        if state.get("analyte") != Analyte.CTX:
            names = [n for n in names if n != "fasting"]
    return names


def _row(
    event: Any, before: dict, after: dict, shown: Shown, model: type[models.Model]
) -> HistoryRow:
    changes = event.changes if isinstance(event.changes, dict) else {}
    row = HistoryRow(event=event, what=_what(event, changes))
    followed = set(after) | set(before)
    if event.action == AuditAction.CREATE:
        names = _shown_names(after, model)
        row.lines = [Change(shown.label(n), shown.value(n, after.get(n), after)) for n in names]
        missing = [n for n in names if n != RESULT and n in after and n not in changes]
        if missing:
            kept = ", ".join(shown.label(n) for n in _ordered(set(changes) & followed, model))
            row.note = (
                f"The audit row of this creation keeps only: {kept or 'no value'}. The other "
                "values are read back from the record as it is now through the changes below."
            )
    elif event.action == AuditAction.CHANGE:
        changed = [n for n in _ordered(changes, model) if n in followed and _is_pair(changes[n])]
        if model is LabResult and any(n in RESULT_PARTS for n in changed):
            changed = [n for n in changed if n not in RESULT_PARTS[1:]] + [RESULT]
        for n in changed:
            row.lines.append(
                Change(
                    shown.label(n),
                    shown.value(n, after.get(n), after),
                    shown.value(n, before.get(n), before),
                )
            )
    for n in changes:
        if n in followed or n in NOT_SHOWN:
            continue
        if _is_pair(changes[n]) and n != "sites":
            old, new = changes[n]
            row.lines.append(Change(shown.label(n), shown.value(n, new), shown.value(n, old)))
        else:
            row.lines.append(Change(shown.label(n), shown.value(n, changes[n])))
    return row


def history_rows(
    kind: HistoryKind, patient: Patient, records: list[Any], events: list[Any]
) -> list[HistoryRow]:
    """Each event of the records as a row of the page, oldest first."""
    steps: dict[int, tuple[dict, dict]] = {}
    for record in records:
        mine = [e for e in events if e.object_id == str(record.pk)]
        steps.update(zip((e.pk for e in mine), _states(record, mine), strict=True))
    shown = Shown(
        kind.model,
        lab_units=patient.site.lab_units,
        names=_names(kind, [s for pair in steps.values() for s in pair], events),
    )
    return [_row(e, *steps[e.pk], shown, kind.model) for e in events]


def record_title(kind: HistoryKind, records: list[Any]) -> str:
    if kind.one_per_patient:
        return kind.title
    record = records[0]
    if isinstance(record, DexaScan):
        return f"DEXA scan of {record.scan_date:%Y-%m-%d}"
    if isinstance(record, FraxResult):
        return f"FRAX result of {record.assessed_on:%Y-%m-%d}"
    if isinstance(record, BoneTherapyDose):
        return f"{record.course.get_drug_display()} dose of {record.given_on:%Y-%m-%d}"
    if isinstance(record, LabResult):
        return f"{record.get_analyte_display()} of {record.sample_date:%Y-%m-%d}"
    return f"{kind.title}: {record}"


@require_safe
@permission_required("patients.view_patient", raise_exception=True)
def record_history(
    request: AuthenticatedHttpRequest, pk: int, kind: str, record_pk: int | None = None
) -> HttpResponse:
    """The history page of one record (or of the patient's details, supplements or plans)."""
    with transaction.atomic():
        patient = selectors.patient_page_header(user=request.user, pk=pk)
        spec = KINDS.get(kind)
        if spec is None or spec.one_per_patient != (record_pk is None):
            raise Http404("No such record.")
        records = history_records(spec, patient, record_pk)
        events = history_events(patient, spec.model, [r.pk for r in records])
        patient_record_view(actor=request.user, patient=patient, request=request)
    marked = [r for r in records if getattr(r, "entered_in_error", False) and r is not patient]
    return render(
        request,
        "monitoring/record_history.html",
        {
            "patient": patient,
            "title": record_title(spec, records),
            "rows": history_rows(spec, patient, records, events),
            "marked": marked[0] if marked and not spec.one_per_patient else None,
            "lab_units": patient.site.lab_units,
        },
    )
