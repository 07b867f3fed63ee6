"""The form that ends a patient's follow-up: the physician's confirmations of what is still
running or open (physician9 F7), input validation only."""

from collections.abc import Sequence
from datetime import date
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout, Submit
from django import forms
from django.utils import timezone

from bonehealth.audit.forms import DateField
from patients.form_parts import not_in_future, row
from patients.signals import OpenAlert
from patients.wording import with_article

ALERTS_CHANGED = (
    "The patient's open alerts changed since this page was shown: read them again above, "
    "then tick to confirm."
)


def alerts_token(keys: Any) -> str:
    """The open alerts' keys as the form carries them, in one order whatever the order given."""
    return ",".join(sorted(keys))


class EndFollowUpForm(forms.Form):
    """A physician ends a patient's follow-up; the record is kept."""

    ended_on = DateField(label="Follow-up ended on")
    reason = forms.CharField(max_length=300, min_length=3)
    # The open alerts the page named (their keys): ending is refused if they changed since.
    alerts_shown = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        latest_entry: tuple[date, str] | None,
        active_treatments: Sequence[tuple[str, bool]] = (),
        open_alerts: Sequence[OpenAlert] = (),
        **kwargs: Any,
    ) -> None:
        """`active_treatments`: (warning, needs a confirmation) of each treatment running now
        (`selectors.patient_active_treatments`), shown above the form; one that needs it (active
        denosumab) adds a tick the physician must give to end follow-up. `open_alerts`: the open
        high and critical alerts now (`selectors.patient_open_serious_alerts`), named above the
        form, each with its own tick to give; a posted form that named other alerts is shown
        again with these, its tick cleared (physician9 F7)."""
        super().__init__(*args, **kwargs)
        self.latest_entry = latest_entry
        self.warnings = [warning for warning, _ in active_treatments]
        self.open_alerts = list(open_alerts)
        self.alerts_token = alerts_token(alert.key for alert in self.open_alerts)
        self.fields["ended_on"].initial = timezone.localdate()
        self.fields["alerts_shown"].initial = self.alerts_token
        self.alerts_changed = self.is_bound and (
            (self.data.get("alerts_shown") or "") != self.alerts_token
        )
        if self.alerts_changed:
            # Show the current list and ask again: a tick given for another list confirms nothing.
            data = self.data.copy()  # type: ignore[attr-defined]  # a QueryDict or a dict
            data["alerts_shown"] = self.alerts_token
            data.pop("confirm_open_alerts", None)
            self.data = data
        confirm = any(needs for _, needs in active_treatments)
        if confirm:
            self.fields["confirm_active_treatment"] = forms.BooleanField(
                label=(
                    "I have arranged the follow-on to the active treatment above (or its "
                    "continuation elsewhere): end follow-up anyway"
                ),
                error_messages={
                    "required": "Tick this to end follow-up while the treatment above is active."
                },
            )
        if self.open_alerts:
            self.fields["confirm_open_alerts"] = forms.BooleanField(
                label=(
                    "I have read the open alerts above: end follow-up anyway, knowing they will "
                    "no longer show on the dashboard or the worklist"
                ),
                error_messages={
                    "required": (
                        ALERTS_CHANGED
                        if self.alerts_changed
                        else "Tick this to end follow-up while the alerts above are open."
                    )
                },
            )
        self.helper = FormHelper()
        self.helper.layout = Layout(
            row("ended_on", "reason"),
            "alerts_shown",
            *(["confirm_active_treatment"] if confirm else []),
            *(["confirm_open_alerts"] if self.open_alerts else []),
            Submit("save", "End follow-up"),
        )

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        if self.alerts_changed and not self.open_alerts:
            self.add_error(None, f"{ALERTS_CHANGED} None is open now.")
        return cleaned

    def alerts_confirmed(self) -> frozenset[str]:
        """The keys of the open alerts the physician confirmed (the page named)."""
        return frozenset(alert.key for alert in self.open_alerts)

    def clean_ended_on(self) -> date:
        value: date = self.cleaned_data["ended_on"]
        not_in_future(value, "end date")
        if self.latest_entry and value < self.latest_entry[0]:
            day, what = self.latest_entry
            raise forms.ValidationError(
                f"The record holds {with_article(what)} on {day:%Y-%m-%d}, after this date: "
                "follow-up cannot end before it."
            )
        return value
