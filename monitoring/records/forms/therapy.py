"""Therapy forms: a course of bone-protective therapy (physicians) and a dose given (nurses)."""

from datetime import date
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout, Submit
from django import forms
from django.utils import timezone

from bonehealth.audit.forms import DateField, VersionedFormMixin, date_formfield
from monitoring.models import BoneTherapyCourse
from monitoring.records.forms.pieces import MeasuredDateMixin, row
from patients.forms import check_course_dates
from patients.models import Patient


class BoneTherapyCourseForm(
    MeasuredDateMixin, VersionedFormMixin, forms.ModelForm[BoneTherapyCourse]
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
            row("drug", "dose"),
            row("start_date", "dental_review_date"),
            row("stop_date", "stop_reason"),
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


class DoseForm(MeasuredDateMixin, forms.Form):
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
