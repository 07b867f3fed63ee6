"""Entry forms for scans, labs, FRAX, therapy, doses, supplements, plans and acknowledgements.

Forms validate input only (ranges, dates, required pairs); the clinical rules live in the domain.
"""

from datetime import date
from decimal import Decimal
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Fieldset, Layout, Submit
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import QuerySet
from django.utils import timezone

from bonehealth.accounts.models import Site
from bonehealth.audit.forms import DateField, VersionedFormMixin, date_formfield
from monitoring import domain
from monitoring.domain import thresholds
from monitoring.models import (
    BoneTherapyCourse,
    DexaScan,
    FraxResult,
    LabResult,
    Scanner,
)
from monitoring.models.choices import Analyte, MeasuredSite, VertebralFractureAssessment
from monitoring.models.scans import LSC_FIELD_BY_SITE, SCANNER_FIELDS
from monitoring.records import selectors
from monitoring.records.entries import LabEntry, Measurement
from patients.forms import check_course_dates
from patients.models import Patient

BMD_MIN, BMD_MAX = thresholds.BMD_RANGE
SCORE_MIN, SCORE_MAX = thresholds.SCORE_RANGE
TBS_RANGE = (Decimal("0.5"), Decimal("2.0"))  # design choice: catches typos (TBS is ~1.0-1.5)


def _row(*names: str) -> Div:
    return Div(*[Div(name, css_class="col-md") for name in names], css_class="row")


def _ranged_decimal(
    label: str, low: Decimal, high: Decimal, places: int, *, required: bool = False, unit: str = ""
) -> forms.DecimalField:
    message = f"Enter a value from {low} to {high}{f' {unit}' if unit else ''}."
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=6,
        decimal_places=places,
        validators=[MinValueValidator(low, message), MaxValueValidator(high, message)],
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )


class _PatientDatesMixin:
    """Dates of measurements: not in the future and not before the patient's birth."""

    patient: Patient

    def _measured_date(self, value: date | None, what: str) -> date | None:
        if value is None:
            return None
        if value > timezone.localdate():
            raise forms.ValidationError(f"The {what} cannot be in the future.")
        if value < self.patient.birth_date:
            raise forms.ValidationError(f"The {what} is before the patient's date of birth.")
        return value


def scan_initial(scan: DexaScan) -> dict[str, Any]:
    """The scan form's values for a stored scan: its own fields and each site's measurement."""
    initial: dict[str, Any] = {
        "scan_date": scan.scan_date,
        "scanner": scan.scanner_id,
        "trabecular_bone_score": scan.trabecular_bone_score,
        "vertebral_fracture_assessment": scan.vertebral_fracture_assessment,
    }
    for m in scan.measurements.all():
        initial |= {
            f"{m.site}_bmd": m.bmd,
            f"{m.site}_t_score": m.t_score,
            f"{m.site}_z_score": m.z_score,
        }
    return initial


class DexaScanForm(_PatientDatesMixin, VersionedFormMixin, forms.Form):
    """All measured sites of one scan in one form."""

    scan_date = DateField()
    scanner = forms.ModelChoiceField(queryset=Scanner.objects.none(), empty_label="Choose…")
    trabecular_bone_score = _ranged_decimal("Trabecular bone score", *TBS_RANGE, 3)
    vertebral_fracture_assessment = forms.ChoiceField(
        label="Vertebral fracture assessment",
        choices=VertebralFractureAssessment.choices,
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        patient: Patient,
        scanners: QuerySet[Scanner],
        version: int | None = None,
        scan_id: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.patient = patient
        self.scan_id = scan_id
        self.fields["scanner"].queryset = scanners  # type: ignore[attr-defined]
        rows = []
        for site in MeasuredSite:
            self.fields[f"{site}_bmd"] = _ranged_decimal(
                "BMD (g/cm²)", BMD_MIN, BMD_MAX, 3, unit="g/cm²"
            )
            self.fields[f"{site}_t_score"] = _ranged_decimal("T-score", SCORE_MIN, SCORE_MAX, 1)
            self.fields[f"{site}_z_score"] = _ranged_decimal("Z-score", SCORE_MIN, SCORE_MAX, 1)
            rows.append(
                Fieldset(site.label, _row(f"{site}_bmd", f"{site}_t_score", f"{site}_z_score"))
            )
        if version is not None:
            self.add_version_field(version)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            _row("scan_date", "scanner"),
            HTML(
                '<p class="form-text">Enter BMD and T-score for each site measured; leave a site '
                "empty if it was not measured. Z-score is optional.</p>"
            ),
            *rows,
            _row("trabecular_bone_score", "vertebral_fracture_assessment"),
            *(["version"] if version is not None else []),
            Submit("save", "Save scan"),
        )
        # Offered only when the values need it (see _check_directions).
        self.fields["confirm_directions"] = forms.BooleanField(
            label="BMD and T-score are correct as entered", required=False
        )

    def initial_for(self, record: Any) -> dict[str, Any]:
        return scan_initial(record)

    def clean_scan_date(self) -> date | None:
        return self._measured_date(self.cleaned_data["scan_date"], "scan date")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        measured = 0
        for site in MeasuredSite:
            bmd, t = f"{site}_bmd", f"{site}_t_score"
            entered = [name for name in (bmd, t, f"{site}_z_score") if data.get(name) is not None]
            if not entered and not any(
                self.has_error(f"{site}_{n}") for n in ("bmd", "t_score", "z_score")
            ):
                continue
            measured += 1
            if data.get(bmd) is None and not self.has_error(bmd):
                self.add_error(bmd, f"Enter the BMD of the {site.label.lower()} with its T-score.")
            if data.get(t) is None and not self.has_error(t):
                self.add_error(t, f"Enter the T-score of the {site.label.lower()} with its BMD.")
        if not measured:
            raise forms.ValidationError("Enter the measurements of at least one site.")
        if not self.errors:
            self._check_directions(data)
        return data

    def _check_directions(self, data: dict[str, Any]) -> None:
        """Ask to confirm a site whose BMD and T-score moved in opposite directions.

        Against the previous scan of that site on the same scanner, BMD and T-score move together
        (the T-score is computed from the BMD): opposite moves mean a typo in one of them.
        """
        previous = selectors.previous_measurements(
            patient=self.patient,
            scanner=data["scanner"],
            before=data["scan_date"],
            exclude_scan_id=self.scan_id,
        )
        odd = False
        for site in MeasuredSite:
            bmd, t, before = (
                data.get(f"{site}_bmd"),
                data.get(f"{site}_t_score"),
                previous.get(site),
            )
            if bmd is None or t is None or before is None:
                continue
            day, old_bmd, old_t = before
            if (bmd - old_bmd) * (t - old_t) >= 0:
                continue
            odd = True
            if not data.get("confirm_directions"):
                self.add_error(
                    f"{site}_t_score",
                    f"Since the scan of {day:%Y-%m-%d} on this scanner, BMD went {old_bmd} → "
                    f"{bmd} but the T-score {old_t} → {t}: they should move together. Check both.",
                )
        if odd and not data.get("confirm_directions"):
            self.add_error(
                "confirm_directions",
                "Tick this to save the values as entered after checking them against the report.",
            )
        if odd or data.get("confirm_directions"):
            self.helper.layout.fields.insert(-1, "confirm_directions")

    def scan_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "scan_date": data["scan_date"],
            "scanner": data["scanner"],
            "trabecular_bone_score": data.get("trabecular_bone_score"),
            "vertebral_fracture_assessment": data.get("vertebral_fracture_assessment") or "",
        }

    def measurements(self) -> dict[str, Measurement]:
        data = self.cleaned_data
        return {
            site.value: Measurement(
                bmd=data[f"{site}_bmd"],
                t_score=data[f"{site}_t_score"],
                z_score=data.get(f"{site}_z_score"),
            )
            for site in MeasuredSite
            if data.get(f"{site}_bmd") is not None
        }


def _unit_choices(analyte: str) -> list[tuple[str, str]]:
    return [(unit, unit) for unit in domain.ACCEPTED_UNITS[domain.Analyte(analyte)]]


def _check_plausible(analyte: str, value: Decimal, unit: str) -> str | None:
    canonical = domain.to_canonical(analyte, value, unit)
    low, high = thresholds.LAB_PLAUSIBLE_RANGES[domain.Analyte(analyte)]
    if low <= canonical <= high:
        return None
    canonical_unit = domain.CANONICAL_UNIT[domain.Analyte(analyte)]
    return (
        f"{value} {unit} is outside the plausible range ({low} to {high} {canonical_unit}). "
        "Check the value and the unit."
    )


class LabResultsForm(_PatientDatesMixin, forms.Form):
    """Several analytes from one sample, each with its unit."""

    sample_date = DateField()
    fasting = forms.BooleanField(label="Fasting morning sample (for CTX)", required=False)

    def __init__(self, *args: Any, patient: Patient, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.patient = patient
        rows = []
        for analyte in Analyte:
            value_name, unit_name = f"{analyte}_value", f"{analyte}_unit"
            self.fields[value_name] = forms.DecimalField(
                label=analyte.label,
                required=False,
                max_digits=10,
                decimal_places=3,
                min_value=0,
                widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
            )
            self.fields[unit_name] = forms.ChoiceField(
                label="Unit", choices=_unit_choices(analyte), required=False
            )
            rows.append(
                Div(
                    Div(value_name, css_class="col-7 col-md-5"),
                    Div(unit_name, css_class="col-5 col-md-4"),
                    css_class="row",
                )
            )
        self.helper = FormHelper()
        self.helper.layout = Layout(
            _row("sample_date", "fasting"),
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
            unit = unit or domain.ACCEPTED_UNITS[domain.Analyte(analyte)][0]
            data[f"{analyte}_unit"] = unit
            problem = _check_plausible(analyte, value, unit)
            if problem:
                self.add_error(f"{analyte}_value", problem)
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


class LabResultForm(_PatientDatesMixin, VersionedFormMixin, forms.Form):
    """Correct one lab result."""

    sample_date = DateField()
    analyte = forms.ChoiceField(choices=Analyte.choices)
    value = forms.DecimalField(max_digits=10, decimal_places=3, min_value=0)
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
            _row("sample_date", "analyte"),
            _row("value", "unit"),
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
        return data

    def entry(self) -> LabEntry:
        data = self.cleaned_data
        return LabEntry(analyte=data["analyte"], value=data["value"], unit=data["unit"])


class FraxForm(_PatientDatesMixin, VersionedFormMixin, forms.ModelForm[FraxResult]):
    """A FRAX result as the official calculator gave it."""

    class Meta:
        model = FraxResult
        fields = ["assessed_on", "major_osteoporotic_pct", "hip_pct", "with_bmd"]
        formfield_callback = date_formfield
        help_texts = {"with_bmd": "Tick when femoral-neck BMD was entered into the calculator."}

    def __init__(self, *args: Any, patient: Patient, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.patient = patient
        low, high = thresholds.FRAX_PCT_RANGE
        for name in ("major_osteoporotic_pct", "hip_pct"):
            self.fields[name].validators += [
                MinValueValidator(low, "Enter a percentage from 0 to 100."),
                MaxValueValidator(high, "Enter a percentage from 0 to 100."),
            ]
        editing = self.instance.pk is not None
        if editing:
            self.add_version_field(self.instance.version)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            _row("assessed_on", "major_osteoporotic_pct", "hip_pct"),
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


class BoneTherapyCourseForm(
    _PatientDatesMixin, VersionedFormMixin, forms.ModelForm[BoneTherapyCourse]
):
    """Plan, start, change or stop a course of bone-protective therapy (physicians)."""

    class Meta:
        model = BoneTherapyCourse
        fields = ["drug", "dose", "start_date", "stop_date", "stop_reason", "dental_review_date"]
        formfield_callback = date_formfield
        help_texts = {
            "dental_review_date": "Date of the dental review before zoledronic acid or denosumab.",
        }

    def __init__(self, *args: Any, patient: Patient, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.patient = patient
        editing = self.instance.pk is not None
        if editing:
            self.add_version_field(self.instance.version)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            _row("drug", "dose"),
            _row("start_date", "dental_review_date"),
            _row("stop_date", "stop_reason"),
            *(["version"] if editing else []),
            Submit("save", "Save therapy"),
        )

    def clean_stop_date(self) -> date | None:
        return self._measured_date(self.cleaned_data["stop_date"], "stop date")

    def clean_dental_review_date(self) -> date | None:
        value: date | None = self.cleaned_data["dental_review_date"]
        if value is not None and value < self.patient.birth_date:
            raise forms.ValidationError("The date is before the patient's date of birth.")
        return value

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        check_course_dates(self, birth_date=self.patient.birth_date)
        start = data.get("start_date")
        drug = data.get("drug")
        changed_drug = self.instance.pk is not None and drug and drug != self.instance.drug
        if changed_drug and self.instance.doses.filter(entered_in_error=False).exists():
            self.add_error(
                "drug",
                "Doses of this drug are recorded on this course: stop it and start a new "
                "course of the other drug instead.",
            )
        if self.instance.pk is not None and start:
            first_dose = (
                self.instance.doses.filter(entered_in_error=False).order_by("given_on").first()
            )
            if first_dose and first_dose.given_on < start:
                self.add_error(
                    "start_date",
                    f"A dose was given on {first_dose.given_on:%Y-%m-%d}, before this.",
                )
        return data

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class DoseForm(_PatientDatesMixin, forms.Form):
    """An injection or infusion given."""

    given_on = DateField(label="Given on")

    def __init__(
        self, *args: Any, patient: Patient, course: BoneTherapyCourse, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.patient = patient
        self.course = course
        self.fields["given_on"].initial = timezone.localdate()
        self.helper = FormHelper()
        self.helper.layout = Layout("given_on", Submit("save", "Record dose"))

    def clean_given_on(self) -> date | None:
        value = self._measured_date(self.cleaned_data["given_on"], "dose date")
        if value and self.course.start_date and value < self.course.start_date:
            raise forms.ValidationError(
                f"The course starts on {self.course.start_date:%Y-%m-%d}; a dose cannot precede it."
            )
        if value and self.course.stop_date and value > self.course.stop_date:
            raise forms.ValidationError(
                f"The course stopped on {self.course.stop_date:%Y-%m-%d}; a dose cannot follow it."
            )
        if value and self.course.start_date is None:
            raise forms.ValidationError(
                "Set the course's start date first (a physician does this)."
            )
        return value


class SupplementsForm(VersionedFormMixin, forms.Form):
    calcium = forms.BooleanField(label="Calcium supplement", required=False)
    vitamin_d = forms.BooleanField(label="Vitamin D supplement", required=False)

    def __init__(self, *args: Any, version: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_version_field(version)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            _row("calcium", "vitamin_d"), "version", Submit("save", "Save supplements")
        )


class PlanForm(forms.Form):
    """A physician's next-DEXA date, or an empty date to follow the computed one."""

    next_dexa_due = DateField(
        label="Next DEXA due",
        required=False,
        help_text="Leave empty to follow the date the rules compute.",
    )
    reason = forms.CharField(max_length=300, min_length=3)
    # The plan in force when the form was opened (0: none), so a colleague's newer plan is noticed.
    in_force = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            _row("next_dexa_due", "reason"), "in_force", Submit("save", "Set plan")
        )

    def refused_by(self, newer: Any) -> None:
        """A colleague set a newer plan: show it, and accept it as the base of a second save."""
        self.data = {**dict(self.data.items()), "in_force": str(newer.pk)}

    def clean_next_dexa_due(self) -> date | None:
        value: date | None = self.cleaned_data["next_dexa_due"]
        if value is not None and value < timezone.localdate():
            raise forms.ValidationError("A planned date cannot be in the past.")
        return value


class ScannerForm(VersionedFormMixin, forms.ModelForm[Scanner]):
    """A scanner and its least significant change per site (from its precision study)."""

    class Meta:
        model = Scanner
        fields = list(SCANNER_FIELDS)
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
            _row("site", "name"),
            _row("manufacturer", "model"),
            HTML(
                '<p class="form-text">Least significant change (LSC = 2.77 x the precision error, '
                "ISCD). Empty sites use the defaults of the rules.</p>"
            ),
            _row(*LSC_FIELD_BY_SITE.values()),
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


class AcknowledgeForm(forms.Form):
    note = forms.CharField(
        max_length=1000,
        min_length=3,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What was done or decided.",
    )
