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


class AuditFilterForm(forms.Form):
    """Filters of the audit trail viewer and its CSV export."""

    user = forms.CharField(required=False, max_length=150, label="Username")
    mrn = forms.CharField(required=False, max_length=40, label="Patient MRN")
    action = forms.ChoiceField(required=False, choices=[("", "Any action")])
    date_from = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from crispy_forms.helper import FormHelper
        from crispy_forms.layout import Div, Layout, Submit

        from bonehealth.audit.models import AuditAction

        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "Any action"), *AuditAction.choices]  # type: ignore[attr-defined]
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.layout = Layout(
            Div(
                *[
                    Div(name, css_class="col-sm-6 col-lg")
                    for name in ("user", "mrn", "action", "date_from", "date_to")
                ],
                Div(Submit("filter", "Filter", css_class="mt-lg-4"), css_class="col-auto"),
                css_class="row g-2 align-items-start",
            )
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return cleaned

    def filters(self) -> dict[str, Any]:
        """The valid filters, as keyword arguments of selectors.audit_events_search."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "username": data["user"],
            "mrn": data["mrn"],
            "action": data["action"],
            "date_from": data["date_from"],
            "date_to": data["date_to"],
        }
