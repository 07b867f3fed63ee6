"""Audit records for exports and printouts of lists of patients."""

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest

from bonehealth.accounts.models import User
from bonehealth.audit.models import AuditAction, AuditEvent
from bonehealth.audit.services import audit_record


def worklist_export_record(
    *,
    actor: User,
    export: str,
    filters: Mapping[str, Any],
    rows: int,
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Audit an export (CSV or printout) of the worklist: who, which filters, how many rows."""
    return audit_record(
        action=AuditAction.EXPORT,
        actor=actor,
        request=request,
        changes={
            "export": export,
            "filters": {key: value for key, value in filters.items() if value not in (None, "")},
            "rows": rows,
        },
    )
