"""The audit row of an import preview: a read of the patients the file's MRNs named.

A preview shows, for each MRN of the file the user may see, the patient's name and which results
are recorded (a conflicting row quotes the recorded value), so it is a view of those records and
is audited as the patient list's page is: one row per preview shown, naming every patient whose
records it read, with the file it was for (kind, name, SHA-256), even when it refused the file.
"""

from collections.abc import Sequence

from django.http import HttpRequest

from bonehealth.accounts.models import User
from bonehealth.audit.models import AuditEvent
from bonehealth.audit.services import audit_list_record


def import_preview_view_record(
    *,
    actor: User,
    patient_ids: Sequence[int],
    kind: str,
    file: str,
    sha256: str,
    refused: bool,
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Write the one audit event of an import preview shown (one INSERT: atomic by itself)."""
    return audit_list_record(
        actor=actor,
        shown="import preview",
        patient_ids=patient_ids,
        details={"kind": kind, "file": file, "sha256": sha256, "refused": refused or None},
        request=request,
    )
