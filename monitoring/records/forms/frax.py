"""The FRAX form: a result as the official calculator gave it."""

from datetime import date
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Layout, Submit
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.html import escape

from bonehealth.audit.decimals import give_examples
from bonehealth.audit.forms import VersionedFormMixin, entry_formfield
from monitoring.domain import MenopausalStatus, Sex, thresholds
from monitoring.domain.dates import age_in_years
from monitoring.domain.frax_scope import frax_form_warning
from monitoring.models import FraxResult
from monitoring.records.forms.pieces import MeasuredDateMixin, row
from patients.models import Patient


def frax_warning(patient: Patient, on: date) -> str | None:
    """Why FRAX is not made for `patient` on `on` (age outside 40 to 90, or premenopausal:
    `domain.frax_scope`), or None. A warning: the form never refuses for it (phys14 #9)."""
    status = patient.menopausal_status
    return frax_form_warning(
        sex=Sex(patient.sex),
        menopausal_status=MenopausalStatus(status) if status else None,
        age=age_in_years(patient.birth_date, on),
    )


def saved_frax_warning(result: FraxResult) -> str:
    """The warning of a saved result, by the age on its own date, for the success message
    (" " first); "" when FRAX is made for the patient."""
    warning = frax_warning(result.patient, result.assessed_on)
    return f" {warning}" if warning else ""


class FraxForm(MeasuredDateMixin, VersionedFormMixin, forms.ModelForm[FraxResult]):
    """A FRAX result as the official calculator gave it."""

    class Meta:
        model = FraxResult
        fields = ["assessed_on", "major_osteoporotic_pct", "hip_pct", "with_bmd"]
        formfield_callback = entry_formfield
        help_texts = {
            "with_bmd": (
                "Tick when femoral-neck BMD was entered into the calculator. A day may hold one "
                "result without BMD and one with; the one with BMD decides."
            )
        }

    def __init__(self, *args: Any, patient: Patient, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.patient = patient
        give_examples(self.fields, {"major_osteoporotic_pct": "12.5", "hip_pct": "2.1"})
        low, high = thresholds.FRAX_PCT_RANGE
        for name in ("major_osteoporotic_pct", "hip_pct"):
            self.fields[name].validators += [
                MinValueValidator(low, "Enter a percentage from 0 to 100."),
                MaxValueValidator(high, "Enter a percentage from 0 to 100."),
            ]
        editing = self.instance.pk is not None
        if editing:
            self.add_version_field(self.instance.version)
        # Said before the result is typed, by today's age; the save says it again by the age
        # on the result's date (`saved_frax_warning`).
        warning = frax_warning(patient, timezone.localdate())
        note = f'<p class="alert alert-warning" role="note" id="frax-scope">{escape(warning)}</p>'
        self.helper = FormHelper()
        self.helper.layout = Layout(
            *([HTML(note)] if warning else []),
            row("assessed_on", "major_osteoporotic_pct", "hip_pct"),
            "with_bmd",
            *(["version"] if editing else []),
            Submit("save", "Save FRAX result"),
        )

    def clean_assessed_on(self) -> date | None:
        return self._measured_date(self.cleaned_data["assessed_on"], "FRAX date")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        hip, major = data.get("hip_pct"), data.get("major_osteoporotic_pct")
        if hip is not None and major is not None and hip > major:
            self.add_error(
                "hip_pct", "The hip probability is part of the major osteoporotic one: check both."
            )
        return data

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}
