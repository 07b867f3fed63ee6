"""What the 403 page says of the page refused: whose page it is, so that the user asks the right
person (nurse14 #12: a nurse refused the audit trail was told that therapy decisions are a
physician's, when the audit trail is an administrator's).

Three roles (`roles.py`), so three kinds of page a user can be refused: an administrator's (the
audit trail, user accounts, site settings), a clinical page refused to a role that holds no
clinical permission (an administrator), and a physician's clinical page refused to a nurse (the
dashboard and every therapy decision). Any other refusal (a user's own security settings) says
only its own words."""

from dataclasses import dataclass
from typing import Literal

from django.http import HttpRequest

from bonehealth.accounts.roles import CLINICAL_PERMISSION

Whose = Literal["admin", "clinical", "physician", ""]

# The pages of an administrator (`roles.ADMIN_PERMISSIONS`), by view name or its start: the
# audit trail, user accounts, sites and their lab units, scanners, Django's admin site.
ADMIN_PAGES = ("audit:", "accounts:user_", "accounts:site_list", "monitoring:scanner_", "admin:")
# The namespaces of the clinical pages (patients and their records).
CLINICAL_NAMESPACES = frozenset({"patients", "monitoring"})
# What a refusal says without saying anything more than "no" (`patients.access`).
PLAIN_REFUSALS = frozenset({"", "Not allowed."})


@dataclass(frozen=True)
class Refusal:
    whose: Whose
    # Why, when the refusal said it ("Only a physician may acknowledge a high or critical
    # alert."); empty otherwise.
    reason: str


def refusal_of(request: HttpRequest | None, exception: str = "") -> Refusal:
    """Whose page `request` asked for, and the refusal's own words if it had any."""
    match = getattr(request, "resolver_match", None)
    view = match.view_name if match is not None else ""
    user = getattr(request, "user", None)
    whose: Whose = ""
    if view.startswith(ADMIN_PAGES):
        whose = "admin"
    elif match is not None and match.namespace in CLINICAL_NAMESPACES and user is not None:
        whose = "physician" if user.has_perm(CLINICAL_PERMISSION) else "clinical"
    reason = str(exception or "").strip()
    return Refusal(whose=whose, reason="" if reason in PLAIN_REFUSALS else reason)
