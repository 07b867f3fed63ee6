"""Care-plan forms: the supplements the patient takes and a physician's next-DEXA date."""

from datetime import date
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Layout, Submit
from django import forms
from django.utils import timezone
from django.utils.html import format_html_join

from bonehealth.audit.forms import DateField, VersionedFormMixin
from bonehealth.audit.text import validate_one_line
from monitoring.records.forms.pieces import row
from monitoring.records.plan_margin import RulesDate


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


# The tick a planned date far later than the rules' needs (`plan_margin`), drawn only then.
CONFIRM_LATER_DATE = "confirm_later_date"
# The rules' date the page showed (`RulesDate.due`): a tick given for another confirms nothing.
RULES_DATE_SHOWN = "rules_date_shown"


class PlanForm(forms.Form):
    """A physician's next-DEXA date, or an empty date to follow the computed one."""

    next_dexa_due = DateField(
        label="Next DEXA due",
        required=False,
        help_text="Leave empty to follow the date the rules compute.",
    )
    reason = forms.CharField(max_length=300, min_length=3, validators=[validate_one_line])
    # The plan in force when the form was opened (0: none), so a colleague's newer plan is noticed.
    in_force = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    confirm_later_date = forms.BooleanField(
        label="This later date is meant: set the plan anyway", required=False
    )
    rules_date_shown = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, rules_date: RulesDate | None = None, **kwargs: Any) -> None:
        """`rules_date`: the rules' next DEXA now (None: no assessment to judge by). A changed
        date later than it by more than its margin is saved only with the tick, given for this
        very date of the rules: one that changed since the page was shown clears the tick."""
        super().__init__(*args, **kwargs)
        self.rules_date = rules_date
        shown_now = rules_date.due.isoformat() if rules_date else ""
        self.fields[RULES_DATE_SHOWN].initial = shown_now
        self.rules_date_changed = self.is_bound and self.data.get(RULES_DATE_SHOWN) != shown_now
        if self.rules_date_changed:
            data = self.data.copy()  # type: ignore[attr-defined]  # a QueryDict or a dict
            data[RULES_DATE_SHOWN] = shown_now
            data.pop(CONFIRM_LATER_DATE, None)
            self.data = data
        self.helper = FormHelper()
        self.helper.layout = Layout(
            row("next_dexa_due", "reason"),
            "in_force",
            RULES_DATE_SHOWN,
            Submit("save", "Set plan"),
        )

    def refused_by(self, newer: Any) -> None:
        """A colleague set a newer plan: show it, and accept it as the base of a second save."""
        self.data = {**dict(self.data.items()), "in_force": str(newer.pk)}

    def clean_next_dexa_due(self) -> date | None:
        value: date | None = self.cleaned_data["next_dexa_due"]
        if value is not None and value < timezone.localdate():
            raise forms.ValidationError("A planned date cannot be in the past.")
        return value

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        planned = self.cleaned_data.get("next_dexa_due")
        if (
            planned is None
            or self.rules_date is None
            or not self.rules_date.asks_about(planned)
            # The date in force asks nothing again: saving the plan unchanged, or with another
            # reason, is no new decision about the date.
            or planned == self.initial.get("next_dexa_due")
        ):
            return cleaned
        # The tick just below the date's row, with the question beside the date.
        if CONFIRM_LATER_DATE not in self.helper.layout.fields:
            self.helper.layout.fields.insert(1, CONFIRM_LATER_DATE)
        if not self.cleaned_data.get(CONFIRM_LATER_DATE):
            changed = (
                "The rules' date changed since this page was shown. "
                if self.rules_date_changed
                else ""
            )
            self.add_error("next_dexa_due", changed + self.rules_date.question(planned))
        return cleaned
