"""Lab forms: several analytes of one sample, each with its unit, and the correction of one."""

import json
from datetime import date
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Layout, Submit
from django import forms

from bonehealth.audit.decimals import DecimalField
from bonehealth.audit.forms import DECIMAL_INPUT, DateField, VersionedFormMixin
from monitoring import domain
from monitoring.models import LabResult
from monitoring.models.choices import Analyte
from monitoring.records.forms import calcium
from monitoring.records.forms.calcium import TotalCalciumMixin
from monitoring.records.forms.pieces import MeasuredDateMixin, row
from monitoring.records.lab_bounds import entry_problem
from monitoring.records.services.labs import LabEntry
from patients.models import Patient


def _only_unit(analyte: str) -> str | None:
    """The unit of an analyte measured in one unit only (eGFR, BSAP...), else None."""
    units = domain.ACCEPTED_UNITS[domain.Analyte(analyte)]
    return units[0] if len(units) == 1 else None


def _unit_choices(analyte: str) -> list[tuple[str, str]]:
    # An analyte with one unit has nothing to choose: it is given. Where there are two, the empty
    # choice stays, for a unit cleared on purpose to be asked about again.
    only = _only_unit(analyte)
    if only is not None:
        return [(only, only)]
    return [("", "unit…")] + [(u, u) for u in domain.ACCEPTED_UNITS[domain.Analyte(analyte)]]


def site_unit(analyte: str, system: domain.UnitSystem) -> str:
    """The unit a blank form offers for `analyte`: the one the site reads it in (its SI or
    conventional setting, `domain.display_unit`), as its laboratory reports it.

    Preselected (nurse11 F13: five units to choose on every entry, although the site has the
    setting). The risk that kept units unchosen, a value from a report in the other unit saved in
    this one (50 nmol/L as 50 ng/mL), is the exception, not the daily entry: the unit box sits
    beside each value, and a value in the wrong unit of the two is mostly outside the plausible
    range of the preselected one (`lab_bounds`), refused with "check the value and the unit"."""
    return domain.display_unit(domain.Analyte(analyte), system)


# A typical result of each analyte in each unit, quoted by the messages of its box (nurse11 F8:
# every box said 62.5, which fits a vitamin D in nmol/L and nothing else). Each is inside the
# entry range (tests/monitoring/app/test_nurse11_forms.py).
_EXAMPLES: dict[tuple[str, str], str] = {
    (Analyte.CTX, "ng/mL"): "0.35",
    (Analyte.CTX, "pg/mL"): "350",
    (Analyte.P1NP, "µg/L"): "45.5",
    (Analyte.P1NP, "ng/mL"): "45.5",
    (Analyte.BSAP, "µg/L"): "12.5",
    (Analyte.UNTX, "nmol BCE/mmol creatinine"): "35",
    (Analyte.VITAMIN_D_25OH, "ng/mL"): "28.5",
    (Analyte.VITAMIN_D_25OH, "nmol/L"): "71.5",
    (Analyte.CALCIUM, "mmol/L"): "2.35",
    (Analyte.CALCIUM, "mg/dL"): "9.4",
    (Analyte.EGFR, "mL/min/1.73m2"): "72",
    (Analyte.CRCL, "mL/min"): "65",
    (Analyte.CREATININE, "µmol/L"): "80",
    (Analyte.CREATININE, "mg/dL"): "0.9",
}


def lab_example(analyte: str, unit: str) -> str | None:
    """A typical value of `analyte` in `unit`, for its messages; None for a unit not accepted."""
    return _EXAMPLES.get((analyte, domain.normalize_unit(unit)))


FASTING_YES, FASTING_NO = "yes", "no"
FASTING_NEEDED = (
    "Say whether the CTX sample was a fasting morning sample: only a fasting CTX counts for the "
    "treatment-response check."
)


class LabResultsForm(MeasuredDateMixin, TotalCalciumMixin, forms.Form):
    """Several analytes from one sample, each with its unit.

    Whether a CTX sample was fasting is asked, with no answer given, whenever a CTX is entered
    (nurse10 F8). It was a tick left unticked by default, and an unticked CTX is left out of the
    treatment-response check (BTM-RESPONSE counts fasting CTX only): a nurse who did not see the
    tick believed the check was done. A message after the save would come once the harm (a CTX
    that does not count, a recall for another sample) is done, and only to the one who saved; a
    question she must answer lets her say "fasting" when it was, before anything is stored.

    The calcium is the albumin-adjusted one, or a total calcium with its albumin (`calcium`)."""

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
        system = domain.UnitSystem(patient.site.lab_units)
        rows = []
        for analyte in Analyte:
            value_name, unit_name = f"{analyte}_value", f"{analyte}_unit"
            unit = site_unit(analyte, system)
            self.fields[value_name] = DecimalField(
                label=calcium.ADJUSTED_LABEL if analyte == Analyte.CALCIUM else analyte.label,
                help_text=calcium.ADJUSTED_HELP if analyte == Analyte.CALCIUM else "",
                required=False,
                max_digits=10,
                decimal_places=3,
                min_value=0,
                widget=DECIMAL_INPUT,
                example=lab_example(analyte, unit),
            )
            # "CTX unit", not "Unit" nine times: the error summary and a screen reader name the
            # box alone (nurse11 F8). The initial value shows on the blank form only: a posted
            # form shows what was posted.
            self.fields[unit_name] = forms.ChoiceField(
                label=f"{analyte.label} unit",
                choices=_unit_choices(analyte),
                required=False,
                initial=unit,
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
            if analyte == Analyte.CALCIUM:
                rows.append(calcium.total_calcium_layout(value_name))
        self.fields.update(calcium.total_calcium_fields(system))
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
            problem = entry_problem(analyte, value, unit)
            if problem:
                self.add_error(f"{analyte}_value", problem)
        if self._total_calcium_clean(adjusted_field=f"{Analyte.CALCIUM}_value"):
            entered += 1
        ctx_entered = data.get(f"{Analyte.CTX}_value") is not None
        if ctx_entered and data.get("fasting") is None and not self.has_error("fasting"):
            self.add_error("fasting", FASTING_NEEDED)
        data["fasting"] = bool(data.get("fasting"))
        refused = any(self.has_error(name) for name in [*calcium.FIELDS, *self._value_names()])
        if not entered and not refused:
            raise forms.ValidationError("Enter at least one result.")
        return data

    @staticmethod
    def _value_names() -> list[str]:
        return [f"{analyte}_value" for analyte in Analyte]

    def entries(self) -> list[LabEntry]:
        data = self.cleaned_data
        entries = [
            LabEntry(
                analyte=analyte.value, value=data[f"{analyte}_value"], unit=data[f"{analyte}_unit"]
            )
            for analyte in Analyte
            if data.get(f"{analyte}_value") is not None
        ]
        if self.total_calcium is not None and self.adjusted_value is not None:
            entries.append(
                LabEntry(
                    analyte=Analyte.CALCIUM.value,
                    value=self.adjusted_value,
                    unit=data[calcium.TOTAL_UNIT],
                    adjusted_from=self.total_calcium,
                )
            )
        return entries

    class Media:
        js = [calcium.SCRIPT]


UNITS_SCRIPT = "js/lab-units.js"  # the unit box of the lab edit form follows its analyte


class LabResultForm(MeasuredDateMixin, VersionedFormMixin, TotalCalciumMixin, forms.Form):
    """Correct one lab result. A calcium's form has the total calcium boxes too (`calcium`): one
    worked out from a total calcium and albumin opens with them filled in and the adjusted box
    empty, so that a save unchanged works out the same value and changes nothing."""

    sample_date = DateField()
    analyte = forms.ChoiceField(choices=Analyte.choices)
    value = DecimalField(
        max_digits=10,
        decimal_places=3,
        min_value=0,
        widget=DECIMAL_INPUT,
        shown_as_entered=True,
    )
    unit = forms.CharField(max_length=40)
    fasting = forms.BooleanField(label="Fasting morning sample (for CTX)", required=False)

    def __init__(self, *args: Any, patient: Patient, result: LabResult, **kwargs: Any) -> None:
        kwargs.setdefault("initial", self.initial_for(result))
        super().__init__(*args, **kwargs)
        self.patient = patient
        value = self.fields["value"]
        assert isinstance(value, DecimalField)  # noqa: S101  (declared above)
        value.example = lab_example(result.analyte, result.entered_unit)
        self.add_version_field(result.version)
        self._offer_units_of(self._analyte_shown(result))
        self.is_calcium = result.analyte == Analyte.CALCIUM
        if self.is_calcium:
            value.required = False
            value.label = calcium.ADJUSTED_LABEL
            value.help_text = calcium.ADJUSTED_HELP
            self.fields.update(
                calcium.total_calcium_fields(domain.UnitSystem(patient.site.lab_units))
            )
        self.helper = FormHelper()
        self.helper.layout = Layout(
            row("sample_date", "analyte"),
            row("value", "unit"),
            *([calcium.total_calcium_layout("value")] if self.is_calcium else []),
            "fasting",
            "version",
            Submit("save", "Save result"),
        )

    def _analyte_shown(self, result: LabResult) -> str:
        """The analyte the form shows: the one posted (a correction of the analyte), else the
        result's."""
        posted = self.data.get(self.add_prefix("analyte")) if self.is_bound else None
        return posted if posted in Analyte.values else result.analyte

    def _offer_units_of(self, analyte: str) -> None:
        """Offer the units of `analyte` only, as the new-results form does (nurse14 #13: every
        analyte's ten units were offered, and a wrong pick refused after saving). The analyte box
        carries every analyte's units for static/js/lab-units.js to offer those of the analyte
        chosen; without it, a changed analyte's units are offered once the form comes back."""
        self.fields["unit"].widget = forms.Select(
            choices=_unit_choices(analyte), attrs={"data-lab-unit": ""}
        )
        units = {str(a): list(domain.ACCEPTED_UNITS[domain.Analyte(a)]) for a in Analyte}
        self.fields["analyte"].widget.attrs["data-units-of"] = json.dumps(units)

    def initial_for(self, record: Any) -> dict[str, Any]:
        initial = {
            "sample_date": record.sample_date,
            "analyte": record.analyte,
            "value": record.entered_value,
            "unit": record.entered_unit,
            "fasting": record.fasting,
        }
        if record.total_calcium is not None:
            initial.update(
                {
                    "value": None,
                    calcium.TOTAL: record.total_calcium,
                    calcium.TOTAL_UNIT: record.entered_unit,
                    calcium.ALBUMIN: record.albumin,
                    calcium.ALBUMIN_UNIT: record.albumin_unit,
                }
            )
        return initial

    def clean_sample_date(self) -> date | None:
        return self._measured_date(self.cleaned_data["sample_date"], "sample date")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        analyte, value, unit = data.get("analyte"), data.get("value"), data.get("unit")
        if self.is_calcium:
            adjusted = self._total_calcium_clean(adjusted_field="value", analyte=analyte)
            if adjusted is not None:
                value, unit = data["value"], data["unit"] = adjusted
            elif value is None and not self.has_error("value") and not self._total_refused():
                self.add_error("value", calcium.VALUE_NEEDED)
        if analyte and value is not None and unit and self.total_calcium is None:
            if domain.normalize_unit(unit) not in domain.ACCEPTED_UNITS[domain.Analyte(analyte)]:
                accepted = ", ".join(domain.ACCEPTED_UNITS[domain.Analyte(analyte)])
                self.add_error("unit", f"Use one of {accepted} for this analyte.")
            else:
                problem = entry_problem(analyte, value, unit)
                if problem:
                    self.add_error("value", problem)
        if data.get("fasting") and analyte and analyte != Analyte.CTX:
            # Only a CTX result records whether the sample was fasting: say so, never drop it.
            self.add_error("fasting", "Only a CTX result records a fasting sample.")
        return data

    def _total_refused(self) -> bool:
        return any(self.has_error(name) for name in calcium.FIELDS)

    def entry(self) -> LabEntry:
        data = self.cleaned_data
        return LabEntry(
            analyte=data["analyte"],
            value=data["value"],
            unit=data["unit"],
            adjusted_from=self.total_calcium,
        )

    def duplicate_field(self) -> str:
        """Where a result of the same analyte and day already recorded is said: beside the
        analyte when only it was changed (nurse13 #13: it was said beside the untouched sample
        date), else beside the sample date."""
        changed = set(self.changed_data)
        return "analyte" if "analyte" in changed and "sample_date" not in changed else "sample_date"

    class Media:
        js = [calcium.SCRIPT, UNITS_SCRIPT]
