"""Filter forms of the overview pages (GET forms: they validate input only)."""

from typing import Any

from django import forms
from django.db.models import QuerySet

from bonehealth.accounts.models import Site
from bonehealth.audit.decimals import WholeNumberField
from monitoring.domain.types import AlertCode
from monitoring.labels import code_label
from monitoring.models.choices import RiskCategory, Severity

DEFAULT_WEEKS = 8
MAX_WEEKS = 104


class _ReadOnceIterator(forms.models.ModelChoiceIterator):
    """The choices from one ordinary read of the queryset, kept for the label and the widget.

    Django's iterator reads the sites with `.iterator()`, on PostgreSQL a server-side cursor (three
    round trips) for each rendering; a user works at a handful of sites.
    """

    def __iter__(self) -> Any:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for site in self.queryset:  # evaluated once, then from the queryset's cache
            yield self.choice(site)


class _SiteChoiceField(forms.ModelChoiceField):
    iterator = _ReadOnceIterator


class _SiteFilterForm(forms.Form):
    site = _SiteChoiceField(
        queryset=Site.objects.none(),
        required=False,
        empty_label="All my sites",
        error_messages={"invalid_choice": "Not one of your sites: all your sites are shown."},
    )

    def __init__(self, data: object = None, *, sites: QuerySet[Site]) -> None:
        super().__init__(data or None)  # type: ignore[arg-type]
        self.fields["site"].queryset = sites  # type: ignore[attr-defined]
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css

    def full_clean(self) -> None:
        """Clean, then mark each field in error (its message is shown next to it)."""
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["class"] = attrs.get("class", "") + " is-invalid"
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"id_{name}-error"

    def chosen(self, name: str, default: object = None) -> object:
        """The cleaned value of a field, or `default` when absent or invalid (an invalid field is
        named next to it and ignored; the other fields still apply)."""
        if not self.is_bound:
            return default
        self.is_valid()  # cleans every field; an invalid one is left out of cleaned_data
        value = self.cleaned_data.get(name)
        return default if value in (None, "") else value


class DashboardFilterForm(_SiteFilterForm):
    severity = forms.ChoiceField(
        label="Severity at least",
        choices=[("", "Any"), *reversed(Severity.choices)],
        required=False,
    )
    risk = forms.ChoiceField(
        label="Risk category", choices=[("", "Any"), *RiskCategory.choices], required=False
    )
    code = forms.ChoiceField(
        label="Alert",
        choices=[
            ("", "Any"),
            *sorted(((c.value, code_label(c.value)) for c in AlertCode), key=lambda c: c[1]),
        ],
        required=False,
    )


# Said in the forms' words, not Django's ("Ensure this value is less than or equal to 104"), with
# what the list shows meanwhile (nurse12 F14).
WEEKS_REFUSED = (
    f"Enter a whole number of weeks from 1 to {MAX_WEEKS}; the list shows {DEFAULT_WEEKS} weeks."
)


class WorklistFilterForm(_SiteFilterForm):
    weeks = WholeNumberField(
        label="Due within (weeks)",
        min_value=1,
        max_value=MAX_WEEKS,
        initial=DEFAULT_WEEKS,
        required=False,
        help_text="Items past their due date are always listed.",
        error_messages={
            "invalid": WEEKS_REFUSED,
            "min_value": WEEKS_REFUSED,
            "max_value": WEEKS_REFUSED,
        },
    )

    def weeks_shown(self) -> object:
        """What the weeks box shows: what was typed when it was refused (kept, as every form
        keeps it), else the weeks the list covers."""
        if self.is_bound and self.has_error("weeks"):
            return self["weeks"].value()
        return self.chosen("weeks", DEFAULT_WEEKS)
