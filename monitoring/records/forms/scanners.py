"""The scanner form: a scanner and its least significant change per site."""

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Layout, Submit
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import QuerySet

from bonehealth.accounts.models import Site
from bonehealth.audit.forms import VersionedFormMixin, entry_formfield
from monitoring.domain import thresholds
from monitoring.models import Scanner
from monitoring.models.scans import LSC_FIELD_BY_SITE, SCANNER_FIELDS
from monitoring.records.forms.pieces import row


class ScannerForm(VersionedFormMixin, forms.ModelForm[Scanner]):
    """A scanner and its least significant change per site (from its precision study)."""

    class Meta:
        model = Scanner
        fields = list(SCANNER_FIELDS)
        formfield_callback = entry_formfield
        help_texts = {"is_active": "Inactive scanners are not offered on the DEXA form."}

    def __init__(self, *args: Any, sites: QuerySet[Site], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites  # type: ignore[attr-defined]
        low, high = thresholds.LSC_RANGE
        message = f"Enter an LSC from {low} to {high} g/cm², or leave it empty for the default."
        for name in LSC_FIELD_BY_SITE.values():
            self.fields[name].validators += [
                MinValueValidator(low, message),
                MaxValueValidator(high, message),
            ]
        editing = self.instance.pk is not None
        if editing:
            self.add_version_field(self.instance.version)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            row("site", "name"),
            row("manufacturer", "model"),
            HTML(
                '<p class="form-text">Least significant change (LSC = 2.77 x the precision error, '
                "ISCD). Empty sites use the defaults of the rules.</p>"
            ),
            row(*LSC_FIELD_BY_SITE.values()),
            "is_active",
            *(["version"] if editing else []),
            Submit("save", "Save scanner"),
        )

    def validate_unique(self) -> None:
        # Reported by the name field in clean(); the constraint still guards the table.
        return

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        site, name = data.get("site"), data.get("name")
        if site and name:
            clash = Scanner.objects.filter(site=site, name=name).exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error("name", f"{site} already has a scanner named {name}.")
        return data

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}
