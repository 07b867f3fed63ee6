"""The link a refused entry gives to the record it clashes with ("A scan on ... is already recorded
for this patient ...; correct that one instead"): that record's edit form (nurse14 #8: the only link
in the message went to the date field, and the nurse had to go back and find the row).

The record is one of the patient whose page the user has open (the services look for it among
that patient's records only), so the link shows nothing the user may not see; it is given only to
a user who may open the edit form, and opens in a new tab so that what was typed stays to copy.
"""

from django.urls import reverse
from django.utils.html import format_html

from bonehealth.accounts.models import User
from bonehealth.audit.concurrency import RecordConflictError
from monitoring.models import BoneTherapyCourse, DexaScan, FraxResult, LabResult
from patients.models import Patient

# The edit page of each kind of record a duplicate is refused against, and its link's words.
EDIT_PAGES: dict[type, tuple[str, str, str]] = {
    DexaScan: ("monitoring:scan_update", "monitoring.change_dexascan", "Open that scan"),
    LabResult: ("monitoring:lab_update", "monitoring.change_labresult", "Open that result"),
    FraxResult: (
        "monitoring:frax_update",
        "monitoring.change_fraxresult",
        "Open that FRAX result",
    ),
    BoneTherapyCourse: (
        "monitoring:therapy_update",
        "monitoring.manage_bone_therapy",
        "Open that course",
    ),
}


def conflict_words(conflict: RecordConflictError, *, user: User, patient: Patient) -> str:
    """The conflict's message, followed by a link to the record it names when it is one of
    `patient`'s that `user` may correct."""
    existing = conflict.existing
    page = EDIT_PAGES.get(type(existing))
    if (
        existing is None
        or page is None
        or getattr(existing, "patient_id", None) != patient.pk
        or not user.has_perm(page[1])
    ):
        return str(conflict)
    url_name, _, words = page
    return format_html(
        '{} <a href="{}" target="_blank" rel="noopener">{}</a> (opens in a new tab).',
        str(conflict),
        reverse(url_name, args=[patient.pk, existing.pk]),
        words,
    )
