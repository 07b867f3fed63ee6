"""The upload waiting for its confirmation, kept server-side in the user's session.

The confirm step trusts nothing the browser sends back but the upload's token and the SHA-256 the
preview showed: the file itself stays in the (database-backed) session, tied to the user who
uploaded it, for IMPORT_PENDING_SECONDS, and is read and validated again on confirm. One upload
waits at a time; a new upload replaces it and a confirmed one is removed, so a second confirm of
the same upload finds nothing to confirm.
"""

import hashlib
import secrets
import time
from dataclasses import asdict, dataclass

from django.conf import settings
from django.http import HttpRequest

from bonehealth.accounts.http import AuthenticatedHttpRequest

SESSION_KEY = "monitoring.imports.pending"


@dataclass
class PendingUpload:
    token: str
    kind: str
    name: str
    sha256: str
    text: str
    site_id: int | None
    user_id: int
    stored_at: float
    digest: str = ""  # the fingerprint of the plan last shown (ImportPlan.digest)


def pending_store(
    request: AuthenticatedHttpRequest,
    *,
    kind: str,
    name: str,
    raw: bytes,
    text: str,
    site_id: int | None,
) -> PendingUpload:
    upload = PendingUpload(
        token=secrets.token_urlsafe(16),
        kind=kind,
        name=name[:200],
        sha256=hashlib.sha256(raw).hexdigest(),
        text=text,
        site_id=site_id,
        user_id=request.user.pk,
        stored_at=time.time(),
    )
    request.session[SESSION_KEY] = asdict(upload)
    return upload


def pending_get(request: HttpRequest, token: str | None = None) -> PendingUpload | None:
    """The waiting upload of this user (with this token, if given); None if none or expired."""
    kept = request.session.get(SESSION_KEY)
    if not kept:
        return None
    upload = PendingUpload(**kept)
    expired = time.time() - upload.stored_at > settings.IMPORT_PENDING_SECONDS
    if expired or upload.user_id != request.user.pk:
        pending_clear(request)
        return None
    if token is not None and not secrets.compare_digest(token, upload.token):
        return None
    return upload


def pending_shown(request: HttpRequest, upload: PendingUpload, digest: str) -> None:
    """Remember the plan the preview showed, for the confirm to compare."""
    upload.digest = digest
    request.session[SESSION_KEY] = asdict(upload)


def pending_clear(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)
