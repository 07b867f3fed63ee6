"""The pre-treatment checklist on the therapy and dose forms, and its override with a reason."""

from datetime import date
from typing import Any

from crispy_forms.layout import HTML, Div
from django import forms

from bonehealth.accounts.models import User
from monitoring.domain.types import PARENTERAL_DRUGS
from monitoring.records.safety import Checklist
from monitoring.records.services.safety_gate import may_override, physician_only_words

OVERRIDE_FIELDS = ("safety_override", "override_reason")
GIVE_ANYWAY = "Override the failed checks: give the drug anyway"
# Who may override, above the disabled box, when the one filling the form in may not.
OVERRIDE_WHO = '<p class="fw-semibold mb-2" data-testid="override-who">{{ form.override_who }}</p>'


def override_label(drug: str, start: date, today: date) -> str:
    """The override's words for what the save does (physician7 F12: planning a drug asked to
    "give the drug anyway"). A course planned from a later date is not checked again on that day,
    but each denosumab or zoledronic acid dose is checked when it is recorded (the dose form's
    checklist). A course planned without a start asks no override: its checks are made when it is
    started (`course_starts_a_drug`)."""
    if start <= today:
        return GIVE_ANYWAY
    again = (
        "each dose is checked again when it is recorded"
        if drug in PARENTERAL_DRUGS
        else "the checks are not asked again on that day: look at the results before it starts"
    )
    return f"Override the failed checks: plan the drug from {start:%Y-%m-%d} anyway ({again})"


class SafetyOverrideMixin:
    """Adds the override fields and shows the checklist; the rule itself is the services'.

    The fields exist on every form (so what was typed is kept) but are shown only when a check
    fails: `checklist_layout` is what the form puts before its button. The therapy services
    refuse a failed check without a reason (`services.safety_gate`), next to the field it names.
    """

    fields: dict[str, forms.Field]
    cleaned_data: dict[str, Any]
    checklist: Checklist | None = None
    # Who fills the form in: a failed check only a physician overrides shows them the override
    # disabled, saying who may (the gate refuses it whatever is posted).
    overrider: User | None = None
    override_who: str = ""

    def _layout(self) -> None:
        raise NotImplementedError

    def add_override_fields(self) -> None:
        self.fields["safety_override"] = forms.BooleanField(required=False, label=GIVE_ANYWAY)
        self.fields["override_reason"] = forms.CharField(
            required=False,
            max_length=500,
            label="Reason for the override",
            widget=forms.Textarea(attrs={"rows": 2}),
        )

    def show_checklist(self, checklist: Checklist) -> None:
        """Show `checklist` (and the override fields if a check fails) on the form."""
        self.checklist = checklist
        self._layout()

    def override_reason(self) -> str | None:
        """What the service's gate reads: None when the override is not ticked, else the reason
        as typed (blank: ticked without a reason, which the gate refuses)."""
        if not self.cleaned_data.get("safety_override"):
            return None
        return str(self.cleaned_data.get("override_reason") or "")

    def checklist_layout(self) -> list[Any]:
        """The checklist (when computed) and, if a check fails, the override fields."""
        if self.checklist is None:
            return []
        shown: list[Any] = [HTML('{% include "monitoring/_safety_checklist.html" %}')]
        if not self.checklist.failed:
            return shown
        allowed = may_override(self.overrider, self.checklist)
        for name in OVERRIDE_FIELDS:
            attrs = self.fields[name].widget.attrs
            if allowed:
                attrs.pop("disabled", None)
            else:
                attrs["disabled"] = True
        # Read by the template (escaped there), never pasted into it.
        self.override_who = "" if allowed else physician_only_words(self.checklist)
        who = [HTML(OVERRIDE_WHO)] if self.override_who else []
        shown.append(Div(*who, *OVERRIDE_FIELDS, css_class="border border-danger rounded p-2 mb-3"))
        return shown
