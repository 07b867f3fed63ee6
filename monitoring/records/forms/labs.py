"""Lab forms: several analytes of one sample, each with its unit, and the correction of one."""

from datetime import date
from decimal import Decimal
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Layout, Submit
from django import forms

from bonehealth.audit.decimals import DecimalField
from bonehealth.audit.forms import DECIMAL_INPUT, DateField, VersionedFormMixin
from monitoring import domain
from monitoring.models import LabResult
from monitoring.models.choices import Analyte
from monitoring.records.forms.pieces import MeasuredDateMixin, row
from monitoring.records.lab_bounds import TOO_MANY_PLACES, entry_range_missed, too_many_places
from monitoring.records.services.labs import LabEntry
from patients.models import Patient


def _only_unit(analyte: str) -> str | None:
    """The unit of an analyte measured in one unit only (eGFR, BSAP...), else None."""
    units = domain.ACCEPTED_UNITS[domain.Analyte(analyte)]
    return units[0] if len(units) == 1 else None


def _unit_choices(analyte: str) -> list[tuple[str, str]]:
    # No unit is chosen for the user where there are two: a value typed in the other unit than a
    # default would be stored as something else (50 nmol/L saved as 50 ng/mL reads sufficient
    # instead of low). An analyte with one unit has nothing to choose: it is given.
    only = _only_unit(analyte)
    if only is not None:
        return [(only, only)]
    return [("", "unit…")] + [(u, u) for u in domain.ACCEPTED_UNITS[domain.Analyte(analyte)]]


def _check_plausible(analyte: str, value: Decimal, unit: str) -> str | None:
    if too_many_places(analyte, value):
        return f"Enter {TOO_MANY_PLACES}."
    missed = entry_range_missed(analyte, value, unit)
    if missed is None:
        return None
    low, high, shown_unit = missed
    return (
        f"{value} {unit} is outside the plausible range ({low} to {high} {shown_unit}). "
        "Check the value and the unit."
    )


FASTING_YES, FASTING_NO = "yes", "no"
FASTING_NEEDED = (
    "Say whether the CTX sample was a fasting morning sample: only a fasting CTX counts for the "
    "treatment-response check."
)


class LabResultsForm(MeasuredDateMixin, forms.Form):
    """Several analytes from one sample, each with its unit.

    Whether a CTX sample was fasting is asked, with no answer given, whenever a CTX is entered
    (nurse10 F8). It was a tick left unticked by default, and an unticked CTX is left out of the
    treatment-response check (BTM-RESPONSE counts fasting CTX only): a nurse who did not see the
    tick believed the check was done. A message after the save would come once the harm (a CTX
    that does not count, a recall for another sample) is done, and only to the one who saved; a
    question she must answer lets her say "fasting" when it was, before anything is stored."""

    sample_date = DateField()
    fasting = forms.TypedChoiceField(
        label="Was the CTX sample a fasting morning sample?",
        choices=[
            (FASTING_YES, "Yes, fasting morning sample"),
            (FASTING_NO, "No, or not known (it will not count for the response check)"),
        ],
        coerce=lambda answer: answer == FASTING_YES,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        help_text="Asked with a CTX result only.",
    )

    def __init__(self, *args: Any, patient: Patient, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.patient = patient
        rows = []
        for analyte in Analyte:
            value_name, unit_name = f"{analyte}_value", f"{analyte}_unit"
            self.fields[value_name] = DecimalField(
                label=analyte.label,
                required=False,
                max_digits=10,
                decimal_places=3,
                min_value=0,
                widget=DECIMAL_INPUT,
            )
            self.fields[unit_name] = forms.ChoiceField(
                label="Unit",
                choices=_unit_choices(analyte),
                required=False,
                initial=_only_unit(analyte),
            )
            rows.append(
                Div(
                    Div(value_name, css_class="col-7 col-md-5"),
                    Div(unit_name, css_class="col-5 col-md-4"),
                    css_class="row",
                )
            )
            if analyte == Analyte.CTX:  # asked beside the CTX it is about
                rows.append(Div(Div("fasting", css_class="col-md-9"), css_class="row"))
        self.helper = FormHelper()
        self.helper.layout = Layout(
            row("sample_date"),
            HTML('<p class="form-text">Fill in the analytes measured in this sample.</p>'),
            *rows,
            Submit("save", "Save results"),
        )

    def clean_sample_date(self) -> date | None:
        return self._measured_date(self.cleaned_data["sample_date"], "sample date")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        entered = 0
        for analyte in Analyte:
            value, unit = data.get(f"{analyte}_value"), data.get(f"{analyte}_unit")
            if value is None:
                continue
            entered += 1
            if not unit and _only_unit(analyte):
                unit = data[f"{analyte}_unit"] = _only_unit(analyte)
            if not unit:
                self.add_error(f"{analyte}_unit", "Choose the unit of this result.")
                continue
            problem = _check_plausible(analyte, value, unit)
            if problem:
                self.add_error(f"{analyte}_value", problem)
        ctx_entered = data.get(f"{Analyte.CTX}_value") is not None
        if ctx_entered and data.get("fasting") is None and not self.has_error("fasting"):
            self.add_error("fasting", FASTING_NEEDED)
        data["fasting"] = bool(data.get("fasting"))
        if not entered and not any(self.has_error(f"{a}_value") for a in Analyte):
            raise forms.ValidationError("Enter at least one result.")
        return data

    def entries(self) -> list[LabEntry]:
        data = self.cleaned_data
        return [
            LabEntry(
                analyte=analyte.value, value=data[f"{analyte}_value"], unit=data[f"{analyte}_unit"]
            )
            for analyte in Analyte
            if data.get(f"{analyte}_value") is not None
        ]


class LabResultForm(MeasuredDateMixin, VersionedFormMixin, forms.Form):
    """Correct one lab result."""

    sample_date = DateField()
    analyte = forms.ChoiceField(choices=Analyte.choices)
    value = DecimalField(max_digits=10, decimal_places=3, min_value=0, widget=DECIMAL_INPUT)
    unit = forms.CharField(max_length=40)
    fasting = forms.BooleanField(label="Fasting morning sample (for CTX)", required=False)

    def __init__(self, *args: Any, patient: Patient, result: LabResult, **kwargs: Any) -> None:
        kwargs.setdefault("initial", self.initial_for(result))
        super().__init__(*args, **kwargs)
        self.patient = patient
        self.add_version_field(result.version)
        units = sorted({unit for units in domain.ACCEPTED_UNITS.values() for unit in units})
        self.fields["unit"].widget = forms.Select(choices=[(u, u) for u in units])
        self.helper = FormHelper()
        self.helper.layout = Layout(
            row("sample_date", "analyte"),
            row("value", "unit"),
            "fasting",
            "version",
            Submit("save", "Save result"),
        )

    def initial_for(self, record: Any) -> dict[str, Any]:
        return {
            "sample_date": record.sample_date,
            "analyte": record.analyte,
            "value": record.entered_value,
            "unit": record.entered_unit,
            "fasting": record.fasting,
        }

    def clean_sample_date(self) -> date | None:
        return self._measured_date(self.cleaned_data["sample_date"], "sample date")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        analyte, value, unit = data.get("analyte"), data.get("value"), data.get("unit")
        if analyte and value is not None and unit:
            if domain.normalize_unit(unit) not in domain.ACCEPTED_UNITS[domain.Analyte(analyte)]:
                accepted = ", ".join(domain.ACCEPTED_UNITS[domain.Analyte(analyte)])
                self.add_error("unit", f"Use one of {accepted} for this analyte.")
            else:
                problem = _check_plausible(analyte, value, unit)
                if problem:
                    self.add_error("value", problem)
        if data.get("fasting") and analyte and analyte != Analyte.CTX:
            # Only a CTX result records whether the sample was fasting: say so, never drop it.
            self.add_error("fasting", "Only a CTX result records a fasting sample.")
        return data

    def entry(self) -> LabEntry:
        data = self.cleaned_data
        return LabEntry(analyte=data["analyte"], value=data["value"], unit=data["unit"])
