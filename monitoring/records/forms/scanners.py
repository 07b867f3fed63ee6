"""The scanner form: a scanner and its least significant change per site."""

from typing import Any, cast

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Layout, Submit
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import QuerySet
from django.http import QueryDict

from bonehealth.accounts.models import Site
from bonehealth.audit.decimals import give_examples
from bonehealth.audit.forms import VersionedFormMixin, entry_formfield
from monitoring.domain import thresholds
from monitoring.models import Scanner
from monitoring.models.scans import LSC_FIELD_BY_SITE, SCANNER_FIELDS
from monitoring.records.forms.pieces import row
from monitoring.records.scanner_lsc import LscChangePreview, lsc_changes

# What an administrator changes on a scanner; a physician changes only its LSC values.
DETAILS = ("site", "name", "manufacturer", "model", "is_active")
LSC_LOCKED = (
    "This scanner has scans: its LSC decides which changes in BMD are significant, so a "
    "physician changes it."
)


class ScannerForm(VersionedFormMixin, forms.ModelForm[Scanner]):
    """A scanner and its least significant change per site (from its precision study)."""

    class Meta:
        model = Scanner
        fields = list(SCANNER_FIELDS)
        formfield_callback = entry_formfield
        help_texts = {"is_active": "Inactive scanners are not offered on the DEXA form."}

    def __init__(
        self,
        *args: Any,
        sites: QuerySet[Site],
        may_change_details: bool = True,
        may_change_lsc: bool = True,
        scanned_patients: int = 0,
        **kwargs: Any,
    ) -> None:
        """`may_change_details`: the user may change more than the LSC values (administrators);
        `may_change_lsc`: may change the LSC of a scanner with scans (physicians); of this
        scanner, `scanned_patients` have a valid scan."""
        super().__init__(*args, **kwargs)
        self.lsc_locked = bool(scanned_patients) and not may_change_lsc
        self.scanned_patients = scanned_patients
        self.preview: LscChangePreview | None = None
        self.fields["site"].queryset = sites  # type: ignore[attr-defined]
        give_examples(self.fields, dict.fromkeys(LSC_FIELD_BY_SITE.values(), "0.025"))
        low, high = thresholds.LSC_RANGE
        message = f"Enter an LSC from {low} to {high} g/cm², or leave it empty for the default."
        for name in LSC_FIELD_BY_SITE.values():
            self.fields[name].validators += [
                MinValueValidator(low, message),
                MaxValueValidator(high, message),
            ]
            if self.lsc_locked:
                self.fields[name].help_text = LSC_LOCKED
        if not may_change_details:
            for name in DETAILS:
                self.fields[name].disabled = True
        editing = self.instance.pk is not None
        if editing:
            self.add_version_field(self.instance.version)
        self.fields["lsc_preview"] = forms.CharField(required=False, widget=forms.HiddenInput)
        self.fields["confirm_lsc"] = forms.BooleanField(
            required=False,
            label="I have checked the assessments and alerts this change of LSC changes.",
        )
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
            "lsc_preview",
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
        if self.lsc_locked:
            for column in lsc_changes(self.instance, data):
                self.add_error(
                    column,
                    f"{self.scanned_patients} patients have scans on this scanner: "
                    "only a physician may change its LSC.",
                )
        return data

    def show_preview(self, preview: LscChangePreview) -> None:
        """Show what the new LSC values would change, and the box to tick to confirm it."""
        self.preview = preview
        data = cast("QueryDict", self.data).copy()
        data["lsc_preview"] = preview.token
        data.pop("confirm_lsc", None)
        self.data = data
        self.helper.layout.fields[-1:-1] = [
            HTML('{% include "monitoring/_lsc_preview.html" with preview=form.preview %}'),
            "confirm_lsc",
        ]

    def confirmed(self) -> str:
        """The token of the preview the user confirmed, or ""."""
        if not self.cleaned_data.get("confirm_lsc"):
            return ""
        return str(self.cleaned_data.get("lsc_preview") or "")

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}
