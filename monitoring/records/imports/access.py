"""Who may import: the clinicians who record scans and labs (nurses and physicians), never admins.

Which patients they import into is `patients.selectors.patients_for_user`'s answer (see `plan`).
"""

from bonehealth.accounts.models import User

# Recording scans and lab results: what a results or FHIR import writes.
IMPORT_PERMISSIONS = ("monitoring.add_dexascan", "monitoring.add_labresult")


def may_import(user: User) -> bool:
    return user.is_active and user.has_perms(IMPORT_PERMISSIONS)
