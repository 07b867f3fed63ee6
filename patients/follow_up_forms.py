"""The form that ends a patient's follow-up: the physician's confirmations of what is still
running, pending or open (physician9 F7, phys12 F1), input validation only."""

import hashlib
from collections.abc import Sequence
from datetime import date
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout, Submit
from django import forms
from django.utils import timezone

from bonehealth.audit.forms import DateField
from patients.form_parts import not_in_future, row
from patients.signals import ActiveTreatment, OpenAlert
from patients.wording import with_article

ALERTS_CHANGED = (
    "The patient's open alerts changed since this page was shown: read them again above, "
    "then tick to confirm."
)
TREATMENTS_CHANGED = (
    "The treatment or follow-on named above changed since this page was shown: read it again "
    "above, then tick to confirm."
)
TREATMENT_FIELD = "confirm_active_treatment"


def alerts_token(keys: Any) -> str:
    """The open alerts' keys as the form carries them, in one order whatever the order given."""
    return ",".join(sorted(keys))


def confirmations_token(confirmations: Sequence[str]) -> str:
    """What the treatment tick confirms, as the form carries it: a digest of the words, in one
    order whatever the order given ("" for nothing to confirm)."""
    if not confirmations:
        return ""
    words = "\n".join(sorted(confirmations)).encode()
    return hashlib.sha256(words).hexdigest()[:16]


class EndFollowUpForm(forms.Form):
    """A physician ends a patient's follow-up; the record is kept."""

    ended_on = DateField(label="Follow-up ended on")
    reason = forms.CharField(max_length=300, min_length=3)
    # The open high and critical alerts the page named (their keys), and what the treatment
    # tick confirms (`confirmations_token`): ending is refused if either changed since.
    alerts_shown = forms.CharField(required=False, widget=forms.HiddenInput)
    treatments_shown = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        latest_entry: tuple[date, str] | None,
        active_treatments: Sequence[ActiveTreatment] = (),
        open_alerts: Sequence[OpenAlert] = (),
        **kwargs: Any,
    ) -> None:
        """`active_treatments`: each treatment running now or follow-on pending
        (`selectors.patient_active_treatments`), its warning shown above the form; those with a
        confirmation (active denosumab, a follow-on to stopped denosumab) add one tick naming
        them that the physician must give to end follow-up. `open_alerts`: the open alerts now,
        of every severity, worst first (`selectors.patient_open_alerts_leaving`), named above the
        form; the high and critical ones ask for their own tick. A posted form that named other
        serious alerts, or other confirmations, is shown again with these, that tick cleared
        (physician9 F7, phys12 F1)."""
        super().__init__(*args, **kwargs)
        self.latest_entry = latest_entry
        self.warnings = [treatment.warning for treatment in active_treatments]
        self.confirmations = [t.confirmation for t in active_treatments if t.confirmation]
        self.open_alerts = list(open_alerts)
        self.serious_alerts = [alert for alert in self.open_alerts if alert.serious]
        self.alerts_token = alerts_token(alert.key for alert in self.serious_alerts)
        self.treatments_token = confirmations_token(self.confirmations)
        self.fields["ended_on"].initial = timezone.localdate()
        self.fields["alerts_shown"].initial = self.alerts_token
        self.fields["treatments_shown"].initial = self.treatments_token
        self.alerts_changed = self._shown_again(
            "alerts_shown", self.alerts_token, "confirm_open_alerts"
        )
        self.treatments_changed = self._shown_again(
            "treatments_shown", self.treatments_token, TREATMENT_FIELD
        )
        if self.confirmations:
            self.fields[TREATMENT_FIELD] = forms.BooleanField(
                label=(
                    "I have arranged elsewhere "
                    + "; and ".join(self.confirmations)
                    + ". End follow-up anyway"
                ),
                error_messages={
                    "required": (
                        TREATMENTS_CHANGED
                        if self.treatments_changed
                        else "Tick this to end follow-up while the treatment or follow-on above "
                        "is active or pending."
                    )
                },
            )
        if self.serious_alerts:
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
            "treatments_shown",
            *([TREATMENT_FIELD] if self.confirmations else []),
            *(["confirm_open_alerts"] if self.serious_alerts else []),
            Submit("save", "End follow-up"),
        )

    def _shown_again(self, token_field: str, token: str, tick: str) -> bool:
        """Whether the posted form named something else than `token` now names; if so, carry the
        current token and clear `tick`: a tick given for another list confirms nothing."""
        changed = self.is_bound and (self.data.get(token_field) or "") != token
        if changed:
            data = self.data.copy()  # type: ignore[attr-defined]  # a QueryDict or a dict
            data[token_field] = token
            data.pop(tick, None)
            self.data = data
        return changed

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        if self.alerts_changed and not self.serious_alerts:
            self.add_error(None, f"{ALERTS_CHANGED} None is open now.")
        if self.treatments_changed and not self.confirmations:
            self.add_error(None, f"{TREATMENTS_CHANGED} None is pending now.")
        return cleaned

    def alerts_confirmed(self) -> frozenset[str]:
        """The keys of the open high and critical alerts the physician confirmed (the page
        named)."""
        return frozenset(alert.key for alert in self.serious_alerts)

    def treatments_confirmed(self) -> list[str]:
        """What the physician's tick confirmed is arranged: the words the page named, when
        ticked."""
        return self.confirmations if self.cleaned_data.get(TREATMENT_FIELD) else []

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
