"""Care-plan forms: the supplements the patient takes and a physician's next-DEXA date."""

from datetime import date
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Layout, Submit
from django import forms
from django.utils import timezone
from django.utils.html import format_html_join

from bonehealth.audit.forms import DateField, VersionedFormMixin
from monitoring.records.forms.pieces import row


def _yes_or_no(label: str) -> forms.TypedChoiceField:
    """Yes or no, neither chosen until the record says: a tick box left empty would record "no"
    for a patient never asked (saving the form unchanged created a record: a clinician found
    it), where the page says "not recorded"."""
    return forms.TypedChoiceField(
        label=label,
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose yes or no."},
    )


def yes_or_no(value: bool) -> str:
    return "yes" if value else "no"


class SupplementsForm(VersionedFormMixin, forms.Form):
    calcium = _yes_or_no("Takes a calcium supplement")
    vitamin_d = _yes_or_no("Takes a vitamin D supplement")

    def __init__(self, *args: Any, version: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_version_field(version)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            row("calcium", "vitamin_d"),
            HTML("{{ form.opened_values }}"),
            "version",
            Submit("save", "Save supplements"),
        )

    def opened_values(self) -> str:
        """The answers the form was opened with, hidden (`show_hidden_initial`): crispy draws
        radios one by one and leaves them out, so a save as opened read as a change."""
        hidden = ((self[name].as_hidden(only_initial=True),) for name in ("calcium", "vitamin_d"))
        return format_html_join("", "{}", hidden)


class PlanForm(forms.Form):
    """A physician's next-DEXA date, or an empty date to follow the computed one."""

    next_dexa_due = DateField(
        label="Next DEXA due",
        required=False,
        help_text="Leave empty to follow the date the rules compute.",
    )
    reason = forms.CharField(max_length=300, min_length=3)
    # The plan in force when the form was opened (0: none), so a colleague's newer plan is noticed.
    in_force = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            row("next_dexa_due", "reason"), "in_force", Submit("save", "Set plan")
        )

    def refused_by(self, newer: Any) -> None:
        """A colleague set a newer plan: show it, and accept it as the base of a second save."""
        self.data = {**dict(self.data.items()), "in_force": str(newer.pk)}

    def clean_next_dexa_due(self) -> date | None:
        value: date | None = self.cleaned_data["next_dexa_due"]
        if value is not None and value < timezone.localdate():
            raise forms.ValidationError("A planned date cannot be in the past.")
        return value
