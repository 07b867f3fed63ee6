"""The three roles of product.md as permission sets.

Roles are Django groups created by data migrations; code checks permissions, never group names. This
module is the one statement of which permission each role holds; a test compares it with the
database.
"""

NURSE = "nurse"
PHYSICIAN = "physician"
ADMIN = "admin"
ROLES = (NURSE, PHYSICIAN, ADMIN)

# What a nurse does (product.md): registers patients and their AI therapy and works on their
# records.
NURSE_PERMISSIONS = frozenset(
    {
        "patients.view_patient",
        "patients.add_patient",
        "patients.change_patient",
        "patients.mark_patient_in_error",
        "patients.view_aromataseinhibitorcourse",
        "patients.add_aromataseinhibitorcourse",
        "patients.change_aromataseinhibitorcourse",
    }
)

# Everything a nurse does, plus ending a patient's follow-up.
PHYSICIAN_PERMISSIONS = NURSE_PERMISSIONS | {"patients.end_follow_up"}

# Users, site settings and the audit trail; never clinical records (least privilege).
ADMIN_PERMISSIONS = frozenset(
    {
        "accounts.manage_users",
        "accounts.view_user",
        "accounts.add_user",
        "accounts.change_user",
        "accounts.view_site",
        "audit.view_auditevent",
    }
)

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    NURSE: NURSE_PERMISSIONS,
    PHYSICIAN: frozenset(PHYSICIAN_PERMISSIONS),
    ADMIN: ADMIN_PERMISSIONS,
}

CLINICAL_PERMISSION = "patients.view_patient"
