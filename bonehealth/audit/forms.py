"""Form pieces shared by every app's edit forms."""

from typing import Any

from django import forms
from django.utils import formats, timezone

from bonehealth.audit.concurrency import ConcurrentEditError


class VersionedFormMixin(forms.BaseForm):
    """Carry the record version the form was opened on, and show a refused save by the fields."""

    def add_version_field(self, version: int) -> None:
        self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, initial=version)

    def apply_conflict(self, error: ConcurrentEditError) -> None:
        """Put the other user's changes next to the fields and accept the new version on resave."""
        data = dict(self.data.items())
        data["version"] = str(error.current_version)
        self.data = data
        shown: set[str] = set()
        for change in reversed(error.changes):  # most recent change of a field first
            if change.field in shown:
                continue
            shown.add(change.field)
            when = formats.date_format(timezone.localtime(change.at), "DATETIME_FORMAT")
            message = (
                f"{change.by} changed this to “{_shown(change.value)}” at {when}, after you "
                "opened this form. Your value is kept here; save again to replace theirs."
            )
            self.add_error(change.field if change.field in self.fields else None, message)
        self.add_error(
            None,
            "Not saved: this record was changed by someone else after you opened the form. "
            "Review the fields marked below, then save again.",
        )


def _shown(value: Any) -> str:
    if value in (None, ""):
        return "(empty)"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return str(value)
