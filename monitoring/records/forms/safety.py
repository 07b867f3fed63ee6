"""The pre-treatment checklist on the therapy and dose forms, and its override with a reason."""

from typing import Any

from crispy_forms.layout import HTML, Div
from django import forms

from monitoring.records.safety import Checklist

OVERRIDE_FIELDS = ("safety_override", "override_reason")


class SafetyOverrideMixin:
    """Adds the override fields; `check_safety` refuses a failed check unless overridden.

    The fields exist on every form (so what was typed is kept) but are shown only when a check
    fails: `checklist_layout` is what the form puts before its button.
    """

    fields: dict[str, forms.Field]
    cleaned_data: dict[str, Any]
    checklist: Checklist | None = None

    def add_override_fields(self) -> None:
        self.fields["safety_override"] = forms.BooleanField(
            required=False, label="Override the failed checks: give the drug anyway"
        )
        self.fields["override_reason"] = forms.CharField(
            required=False,
            max_length=500,
            label="Reason for the override",
            widget=forms.Textarea(attrs={"rows": 2}),
        )

    def check_safety(self, checklist: Checklist) -> None:
        """Keep `checklist` to show; refuse the save if a check fails and no reason overrides it."""
        self.checklist = checklist
        failed = checklist.failed
        if not failed:
            return
        names = ", ".join(check.label for check in failed)
        if not self.cleaned_data.get("safety_override"):
            self.add_error(  # type: ignore[attr-defined]
                "safety_override",
                f"Failed pre-treatment checks ({names}): correct them first, or tick the "
                "override and give the reason.",
            )
        elif not self.cleaned_data.get("override_reason", "").strip():
            self.add_error(  # type: ignore[attr-defined]
                "override_reason", "Give the reason for overriding the failed checks."
            )

    def safety_audit(self) -> dict[str, Any]:
        """What the audit event of the save keeps: the checks overridden and why (else nothing)."""
        if self.checklist is None or not self.checklist.failed:
            return {}
        return {
            "safety_override": {
                "failed_checks": self.checklist.audit_summary(),
                "reason": self.cleaned_data["override_reason"].strip(),
                "as_of": self.checklist.as_of.isoformat(),
            }
        }

    def checklist_layout(self) -> list[Any]:
        """The checklist (when computed) and, if a check fails, the override fields."""
        if self.checklist is None:
            return []
        shown: list[Any] = [HTML('{% include "monitoring/_safety_checklist.html" %}')]
        if self.checklist.failed:
            shown.append(Div(*OVERRIDE_FIELDS, css_class="border border-danger rounded p-2 mb-3"))
        return shown
