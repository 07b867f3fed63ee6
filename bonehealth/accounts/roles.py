"""The three roles of the README (nurses, physicians, admins) as permission sets.

Roles are Django groups created by data migrations; code checks permissions, never group names. This
module is the one statement of which permission each role holds; a test compares it with the
database.
"""

NURSE = "nurse"
PHYSICIAN = "physician"
ADMIN = "admin"
ROLES = (NURSE, PHYSICIAN, ADMIN)

# What a nurse does (README): registers patients and their AI therapy and works on their
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

# Monitoring: scans, labs, FRAX, doses given, dental reviews, supplements; acknowledging info and
# warning alerts.
NURSE_PERMISSIONS = NURSE_PERMISSIONS | {
    "monitoring.view_scanner",
    "monitoring.view_dexascan",
    "monitoring.add_dexascan",
    "monitoring.change_dexascan",
    "monitoring.view_labresult",
    "monitoring.add_labresult",
    "monitoring.change_labresult",
    "monitoring.view_fraxresult",
    "monitoring.add_fraxresult",
    "monitoring.change_fraxresult",
    "monitoring.view_bonetherapycourse",
    # The date of the dental review before a course (an administrative fact the nurse often
    # collects), not the course itself: that stays the physician's (manage_bone_therapy).
    "monitoring.record_dental_review",
    "monitoring.view_bonetherapydose",
    "monitoring.add_bonetherapydose",
    "monitoring.change_bonetherapydose",
    "monitoring.view_supplements",
    "monitoring.change_supplements",
    "monitoring.view_monitoringplan",
    "monitoring.view_alert",
    "monitoring.acknowledge_alert",
    "monitoring.view_worklist",
}

# Everything a nurse does, plus: ending follow-up, the monitoring plan, bone-protective therapy
# decisions, acknowledging high and critical alerts, signing off scans.
PHYSICIAN_PERMISSIONS = NURSE_PERMISSIONS | {
    "patients.end_follow_up",
    "monitoring.add_bonetherapycourse",
    "monitoring.change_bonetherapycourse",
    "monitoring.manage_bone_therapy",
    "monitoring.add_monitoringplan",
    "monitoring.set_monitoring_plan",
    "monitoring.acknowledge_high_alert",
    "monitoring.sign_off_dexascan",
    "monitoring.view_dashboard",
    # The LSC values of a scanner with scans: they decide which changes in BMD are significant.
    "monitoring.change_scanner_lsc",
}

# Users, site settings and the audit trail; never clinical records (least privilege).
ADMIN_PERMISSIONS = frozenset(
    {
        "accounts.manage_users",
        "accounts.view_user",
        "accounts.add_user",
        "accounts.change_user",
        "accounts.view_site",
        "audit.view_auditevent",
        # Site settings: the units lab results are shown in; scanners and their
        # least-significant-change values (those of a scanner with scans: a physician's).
        "monitoring.view_scanner",
        "monitoring.add_scanner",
        "monitoring.change_scanner",
        "accounts.set_lab_units",
    }
)

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    NURSE: NURSE_PERMISSIONS,
    PHYSICIAN: frozenset(PHYSICIAN_PERMISSIONS),
    ADMIN: ADMIN_PERMISSIONS,
}

CLINICAL_PERMISSION = "patients.view_patient"
