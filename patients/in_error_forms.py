"""The forms marking a record, or a whole patient, entered in error.

Each names the record as it is now (`description`) and carries the version it showed: a mark of
a record a colleague changed after the page was shown is refused beside the form, saying who
changed it, when, and what it reads now (sec11 #1: a calcium of 1.9 corrected to 2.35 meanwhile
was hidden by a physician who had confirmed hiding the 1.9).
"""

import copy
from collections.abc import Callable, Sequence
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout, Submit
from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from bonehealth.audit.concurrency import ConcurrentEditError, changed_by_line
from patients.descriptions import patient_description
from patients.in_error import HIDDEN_CARE_FIELD, PhysicianNeededError
from patients.models import Patient

# An example reason that fits the record (nurse10 18: a dose's form gave a patient's example).
PATIENT_IN_ERROR_EXAMPLE = "registered twice, duplicate of MRN 12345"
RECORD_IN_ERROR_EXAMPLE = "entered for the wrong patient"
# A post without the version its page showed (a page drawn before forms sent one, or not from
# this form): nothing tells what the user read.
NO_VERSION = (
    "Not marked: this form did not say which version of the record it showed. Open the page "
    "again from the patient's page, check the record, then mark it."
)


class MarkInErrorForm(forms.Form):
    """Why `record` is being marked entered in error, and its version as the page showed it.

    `describe` words the record for the page (its date and values); `example` is a reason that
    fits the kind of record, shown as the hint.
    """

    reason = forms.CharField(
        max_length=500,
        min_length=5,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    # Checked by the service under the record's row lock (`mark_in_error`); a text field, so that
    # a missing or garbled one is said above the form (`clean`), not beside a hidden input.
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        data: Any = None,
        *,
        record: models.Model,
        describe: Callable[[Any], str] = str,
        example: str = RECORD_IN_ERROR_EXAMPLE,
    ) -> None:
        super().__init__(data, initial={"version": record.version})  # type: ignore[attr-defined]
        self.record = record
        self.describe = describe
        self.fields["reason"].help_text = f"Say why, e.g. '{example}'."
        self.helper = FormHelper()
        self.helper.layout = Layout(
            "reason", "version", Submit("save", "Mark entered in error", css_class="btn-danger")
        )

    @property
    def description(self) -> str:
        """The record as it is now, with its date and values."""
        return self.describe(self.record)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        shown = str(data.get("version") or "")
        if not shown.isdigit():
            raise forms.ValidationError(NO_VERSION)
        data["version"] = int(shown)
        return data

    def apply_conflict(self, error: ConcurrentEditError, *, viewer_id: int | None = None) -> None:
        """The record changed after the page was shown and nothing was marked (`save_or_none`
        calls this): show it as it is now, say who changed it and when (the viewer's own other
        tab named as such), and carry its new version so that marking it again marks what is
        shown."""
        if error.current is not None:
            self.record = error.current
        data: Any = copy.copy(self.data)  # a QueryDict's copy is mutable
        data["version"] = str(error.current_version)
        self.data = data
        fields = _field_labels(self.record, [change.field for change in error.changes])
        by = changed_by_line(error.changes, viewer_id=viewer_id)
        self.add_error(
            None,
            f"Not marked: the record was changed {by}, after this page was shown."
            f"{f' Changed: {fields}.' if fields else ''} It now reads: "
            f"{self.description}. Check it; if it is still entered in error, mark it again.",
        )


def _field_labels(record: models.Model, names: list[str]) -> str:
    """The changed fields as users read them ("value, entered unit"), each once."""
    labels = []
    for name in dict.fromkeys(names):
        try:
            field = record._meta.get_field(name)
        except FieldDoesNotExist:  # a scan's measured site ("site:lumbar_spine"), say
            field = None
        verbose = getattr(field, "verbose_name", None)
        labels.append(str(verbose) if verbose else name.removeprefix("site:").replace("_", " "))
    return ", ".join(dict.fromkeys(labels))


class PatientMarkInErrorForm(MarkInErrorForm):
    """Why a patient is being marked entered in error; when care of hers is running or open
    (`hidden_care`, sentences shown above the form), a tick confirming it, and for a user who may
    not hide it (`may_hide` False), a refusal without a button (sec9 F7)."""

    def __init__(
        self,
        data: Any = None,
        *,
        patient: Patient,
        hidden_care: Sequence[str] = (),
        may_hide: bool = True,
    ) -> None:
        super().__init__(
            data, record=patient, describe=patient_description, example=PATIENT_IN_ERROR_EXAMPLE
        )
        self.hidden_care = list(hidden_care)
        self.may_hide = may_hide
        if not self.hidden_care:
            return
        if not may_hide:
            # Nothing to fill in that could not be sent (nurse10 18: a required Reason box with
            # no button): the page says whom to ask instead (`refused`).
            self.helper.layout = Layout()
            return
        self.fields[HIDDEN_CARE_FIELD] = forms.BooleanField(
            label=(
                "I have checked the care listed above (its follow-on is arranged, or it belongs "
                "to another record): hide it with this patient"
            ),
            error_messages={"required": "Tick this to hide the patient and the care above."},
        )
        self.helper.layout.fields.insert(1, HIDDEN_CARE_FIELD)

    @property
    def refused(self) -> bool:
        """Whether the user may not mark this patient at all: her care is running or open and
        only a physician may hide it; the page shows no form then."""
        return bool(self.hidden_care) and not self.may_hide

    def clean(self) -> dict[str, Any]:
        if self.refused:
            raise forms.ValidationError(str(PhysicianNeededError()))
        return super().clean()

    def confirmed(self) -> list[str]:
        """The care the user confirmed hiding: what the form showed, when ticked."""
        return self.hidden_care if self.cleaned_data.get(HIDDEN_CARE_FIELD) else []
