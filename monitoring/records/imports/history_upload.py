"""A patient history (the JSON format of docs/history-format.md) uploaded in the app: dry run,
then import.

The dry run is the import itself inside a transaction that is always rolled back, so the preview
shows exactly what `history_import` would create, update or refuse (conflicts with the record,
identity mismatches) without writing. The history goes to a site the user works at (the upload
form offers only those), where an existing patient is one the user may see.

A history holds more than results: each kind of record it would create needs the permission its
entry form needs (a nurse's file with a bone-therapy course or a monitoring plan, which physicians
decide, or a new scanner, which administrators set up, is refused naming them).

A course start or dose failing its pre-treatment checks is listed by the preview with the checks;
confirming such a file needs one reason, kept as the override of each of them (history_safety).

`history_import_as` states all of it once, for this page and `manage.py import_history` alike.
"""

from typing import Any

from django.db import transaction
from django.http import HttpRequest

from bonehealth.accounts.models import Site, User
from bonehealth.accounts.selectors import sites_for_user
from bonehealth.audit.models import AuditAction
from bonehealth.audit.services import audit_record
from monitoring.assessment.permissions import DECIDE_THERAPY_PERMISSION
from monitoring.domain import HistoryError
from monitoring.domain.document import decode
from monitoring.records.history_import import (
    HistoryImportError,
    ImportReport,
    SafetyOverrideRequiredError,
    history_import,
)
from monitoring.records.history_safety import PHYSICIAN_CHECKS
from monitoring.records.imports.access import may_import
from monitoring.records.imports.files import FileRefusedError, Problem, max_rows
from monitoring.records.imports.writing import ImportSource
from patients.models import Patient

# What each kind of record a history import creates needs, with its name for people.
RECORD_KINDS: dict[str, tuple[str, str]] = {
    "patient": ("patients.add_patient", "patient"),
    "aromataseinhibitorcourse": (
        "patients.add_aromataseinhibitorcourse",
        "aromatase-inhibitor courses",
    ),
    "dexascan": ("monitoring.add_dexascan", "DEXA scans"),
    "labresult": ("monitoring.add_labresult", "lab results"),
    "fraxresult": ("monitoring.add_fraxresult", "FRAX results"),
    "bonetherapycourse": ("monitoring.add_bonetherapycourse", "bone-protective therapy courses"),
    "bonetherapydose": ("monitoring.add_bonetherapydose", "therapy doses"),
    "supplements": ("monitoring.change_supplements", "supplements"),
    "monitoringplan": ("monitoring.add_monitoringplan", "monitoring plans"),
    "scanner": ("monitoring.add_scanner", "scanners"),
}
UPDATE_PERMISSIONS = {
    "patient fields updated": "patients.change_patient",
    "supplements updated": "monitoring.change_supplements",
}
# Overriding a failed pre-treatment check needs what its entry form needs: a course start the
# therapy form's, a dose the dose form's.
OVERRIDE_PERMISSIONS: dict[str, tuple[str, str]] = {
    "bonetherapycourse": ("monitoring.manage_bone_therapy", "therapy starts"),
    "bonetherapydose": ("monitoring.add_bonetherapydose", "therapy doses"),
    # The doses whose failed checks only a physician overrides (`services.safety_gate`).
    PHYSICIAN_CHECKS: (
        DECIDE_THERAPY_PERMISSION,
        "therapy doses given too early or against a high or critical alert",
    ),
}


class _DryRun(Exception):
    """Not an error: how the dry run leaves its transaction, rolled back, with the report."""

    def __init__(self, report: ImportReport) -> None:
        self.report = report


def history_document(text: str) -> dict[str, Any]:
    """The uploaded history, read as `import_history` reads a file (monitoring.domain.document:
    its size, depth, duplicate-key and number limits); FileRefusedError when it is not one."""
    try:
        data = decode(text)
    except HistoryError as error:
        raise FileRefusedError([Problem(str(error))]) from None
    if not isinstance(data, dict):
        raise FileRefusedError([Problem("not a patient history (one JSON object)")])
    return data


# The name of one record of each kind, where it is not the plural less its final s.
ONE_RECORD: dict[str, str] = {"supplements": "supplements record"}


def report_lines(report: ImportReport) -> list[str]:
    """What an import created or changed, for people: "1 aromatase-inhibitor course"."""
    lines = []
    for kind, count in sorted(report.created.items()):
        if kind == "patient":
            continue
        many = RECORD_KINDS.get(kind, ("", kind))[1]
        one = ONE_RECORD.get(kind, many.removesuffix("s"))
        lines.append(f"{count} {one if count == 1 else many}")
    return lines + list(report.notes)


def _permission_problems(report: ImportReport, actor: User) -> list[Problem]:
    problems = []
    for kind in sorted(report.created):
        permission, label = RECORD_KINDS.get(kind, ("", kind))
        if kind == "scanner" and not actor.has_perm(permission):
            names = ", ".join(report.created_scanners)
            problems.append(
                Problem(
                    f"scanners not set up at {report.site}: {names} (an administrator adds them "
                    "under Scanners)"
                )
            )
        elif not permission or not actor.has_perm(permission):
            problems.append(
                Problem(f"the file would create {label}, which your role does not record")
            )
    for note in report.notes:
        for start, permission in UPDATE_PERMISSIONS.items():
            if note.startswith(start) and not actor.has_perm(permission):
                problems.append(Problem(f"the file would change {note}: your role does not"))
    for kind in sorted(report.overridden):
        permission, label = OVERRIDE_PERMISSIONS[kind]
        if not actor.has_perm(permission):
            problems.append(
                Problem(
                    f"the file would override the failed pre-treatment checks of {label}, which "
                    "your role does not"
                )
            )
    return problems


def history_import_as(
    data: dict[str, Any],
    *,
    actor: User | None,
    site: Site | None,
    override_reason: str | None,
    dry_run: bool = False,
    max_records: int | None = None,
    username: str = "",
    host: str = "",
) -> ImportReport:
    """Import the history as `actor` may, all or nothing; raise FileRefusedError (nothing written)
    naming every refusal. The caller holds no lock: this runs in its own savepoint.

    The one statement of what importing a history needs, for the upload page and
    `import_history` alike: the actor imports records at all (`may_import`, the import page's
    permissions); the site (`site`, else the file's) is one of theirs (`sites_for_user`); the
    file holds at most `max_records` records (IMPORT_MAX_ROWS unless given); and the actor holds
    the permission of each kind of record the import would create or change and of each failed
    pre-treatment check it would override. `actor` None is the demo actor of a DEBUG install's
    commands (bonehealth.commands), who is no user: only the size is checked.

    A dry run also reports the starts and doses that need an override reason instead of
    refusing them (`failed_checks`); the caller rolls it back.
    """
    if actor is not None and not may_import(actor):
        raise FileRefusedError(
            [Problem(f"{actor.get_username()} may not import records (nurses and physicians do)")]
        )
    sites = None if actor is None else sites_for_user(user=actor)
    limit = max_rows() if max_records is None else max_records
    with transaction.atomic():  # a refusal after the import rolls it back
        try:
            report = history_import(
                data=data,
                site=site,
                actor=actor,
                username=username,
                host=host,
                override_reason=override_reason,
                sites=sites,
                max_records=limit,
            )
        except SafetyOverrideRequiredError as needed:
            if not dry_run:
                raise FileRefusedError([Problem(error) for error in needed.errors]) from None
            report = needed.report
        except HistoryImportError as refused:
            raise FileRefusedError([Problem(error) for error in refused.errors]) from None
        problems = [] if actor is None else _permission_problems(report, actor)
        if problems:
            raise FileRefusedError(problems)
    return report


def history_preview(data: dict[str, Any], *, site: Site, actor: User) -> ImportReport:
    """What importing the history would do; raise FileRefusedError. Nothing is written.

    `failed_checks` of the report lists the starts and doses that need an override reason."""
    try:
        with transaction.atomic():
            raise _DryRun(
                history_import_as(data, site=site, actor=actor, override_reason=None, dry_run=True)
            )
    except _DryRun as dry_run:
        return dry_run.report


def history_upload_import(
    data: dict[str, Any],
    *,
    site: Site,
    actor: User,
    source: ImportSource,
    request: HttpRequest | None = None,
    override_reason: str | None = None,
) -> ImportReport:
    """Import the history, all or nothing, with one IMPORT audit event naming the file (and the
    override reason, when starts or doses failing their checks needed one)."""
    with transaction.atomic():
        report = history_import_as(data, site=site, actor=actor, override_reason=override_reason)
        patient = Patient.objects.filter(site=site, mrn=report.mrn, entered_in_error=False).first()
        audit_record(
            action=AuditAction.IMPORT,
            actor=actor,
            request=request,
            obj=patient,
            patient=patient,
            changes={
                **source.audited(),
                "patient_created": report.patient_created,
                "created": dict(report.created),
                "notes": report.notes,
                **({"not_imported_marked_in_error": report.in_error} if report.in_error else {}),
                **(
                    {
                        "safety_override": {
                            "reason": override_reason,
                            "records": report.failed_checks,
                        }
                    }
                    if report.failed_checks
                    else {}
                ),
            },
        )
    return report
