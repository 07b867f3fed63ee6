"""Therapy forms: a course of bone-protective therapy (physicians) and a dose given (nurses)."""

from datetime import date
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout, Submit
from django import forms
from django.utils import timezone

from bonehealth.audit.forms import DateField, VersionedFormMixin, entry_formfield
from monitoring.models import BoneTherapyCourse
from monitoring.records.forms.pieces import MeasuredDateMixin, row
from monitoring.records.forms.safety import SafetyOverrideMixin, override_label
from monitoring.records.safety import course_checklist, dose_checklist
from monitoring.records.services.safety_gate import course_starts_a_drug
from monitoring.records.services.therapy import (
    CourseStop,
    dose_outside_course,
    overlapping_courses,
)
from patients.forms import check_course_dates
from patients.models import Patient


class BoneTherapyCourseForm(
    SafetyOverrideMixin, MeasuredDateMixin, VersionedFormMixin, forms.ModelForm[BoneTherapyCourse]
):
    """Plan, start, change or stop a course of bone-protective therapy (physicians).

    Starting or planning a course shows the pre-treatment checklist (`records/safety.py`); a new
    course while another runs offers to stop that one in the same save (a switch).
    """

    class Meta:
        model = BoneTherapyCourse
        fields = ["drug", "dose", "start_date", "stop_date", "stop_reason", "dental_review_date"]
        formfield_callback = entry_formfield
        help_texts = {
            "dental_review_date": "Date of the dental review before zoledronic acid or denosumab.",
        }

    def __init__(self, *args: Any, patient: Patient, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.patient = patient
        editing = self.instance.pk is not None
        if editing:
            self.add_version_field(self.instance.version)
        self.add_override_fields()
        self.stopping: tuple[BoneTherapyCourse, date] | None = None
        # The course running today that a new one would replace: offered to stop (a switch).
        self.current = (
            None
            if editing
            else overlapping_courses(patient_id=patient.pk, start=None, stop=None)
            .order_by("-start_date", "-pk")
            .first()
        )
        if self.current is not None:
            self.fields["stop_current"] = forms.BooleanField(
                required=False, label=f"Stop {self.current} (a switch) on"
            )
            self.fields["stop_current_on"] = DateField(
                label=f"Stop date of {self.current.get_drug_display()}", required=False
            )
            self.fields["stop_current_on"].initial = timezone.localdate()
        self.helper = FormHelper()
        self._layout()

    def _layout(self) -> None:
        editing = self.instance.pk is not None
        switch = [row("stop_current", "stop_current_on")] if self.current is not None else []
        self.helper.layout = Layout(
            row("drug", "dose"),
            row("start_date", "dental_review_date"),
            row("stop_date", "stop_reason"),
            *switch,
            *(["version"] if editing else []),
            *self.checklist_layout(),
            Submit("save", "Save therapy"),
        )

    def clean_stop_date(self) -> date | None:
        return self._measured_date(self.cleaned_data["stop_date"], "stop date")

    def clean_dental_review_date(self) -> date | None:
        # The review that took place: a date still to come is an appointment, not a review done
        # (the rules would otherwise treat the drug's dental check as met).
        return self._measured_date(self.cleaned_data["dental_review_date"], "dental review date")

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
        # A start after the first dose or a stop before the last is refused by the service,
        # under the patient's lock (a dose recorded meanwhile counts), next to the date.
        self._clean_switch(start)
        editing = self.instance if self.instance.pk else None
        if not self.errors and course_starts_a_drug(data, editing):
            # Shown with the form; the service judges it again when saving (the gate is there).
            # The bound field was made (with its label) when the fields were cleaned.
            self["safety_override"].label = override_label(str(drug), start, timezone.localdate())
            self.show_checklist(
                course_checklist(patient=self.patient, values=data, editing=editing)
            )
        return data

    def _clean_switch(self, start: date | None) -> None:
        current = self.current
        if current is None or not self.cleaned_data.get("stop_current"):
            return
        on: date | None = self.cleaned_data.get("stop_current_on")
        if on is None:
            self.add_error("stop_current_on", f"Give the day {current} stops.")
        elif on > timezone.localdate():
            self.add_error("stop_current_on", "The stop date cannot be in the future.")
        elif current.start_date and on < current.start_date:
            self.add_error(
                "stop_current_on", f"{current} starts on {current.start_date:%Y-%m-%d}, after this."
            )
        elif start and on > start:
            self.add_error("stop_current_on", "Stop the current course on or before the new start.")
        else:
            self.stopping = (current, on)

    def course_stop(self) -> CourseStop | None:
        """The switch for the service: the course to stop, on which day, at the version seen."""
        if self.stopping is None:
            return None
        course, on = self.stopping
        return CourseStop(course_pk=course.pk, stop_date=on, expected_version=course.version)

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class DoseForm(SafetyOverrideMixin, MeasuredDateMixin, forms.Form):
    """An injection or infusion given, with the pre-treatment checklist of that dose."""

    given_on = DateField(label="Given on")

    def __init__(
        self, *args: Any, patient: Patient, course: BoneTherapyCourse, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.patient = patient
        self.course = course
        self.fields["given_on"].initial = timezone.localdate()
        self.add_override_fields()
        if not self.is_bound and course.start_date is not None:
            self.checklist = dose_checklist(
                patient=patient, course=course, given_on=timezone.localdate()
            )
        self.helper = FormHelper()
        self._layout()

    def _layout(self) -> None:
        self.helper.layout = Layout(
            "given_on", *self.checklist_layout(), Submit("save", "Record dose")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        given_on = data.get("given_on")
        if given_on is not None and not self.errors:
            # Shown with the form; the service judges it again when saving (the gate is there).
            self.show_checklist(
                dose_checklist(patient=self.patient, course=self.course, given_on=given_on)
            )
        return data

    def clean_given_on(self) -> date | None:
        value = self._measured_date(self.cleaned_data["given_on"], "dose date")
        outside = dose_outside_course(self.course, value) if value else None
        if outside is not None:
            raise forms.ValidationError(outside)
        return value


class DentalReviewForm(MeasuredDateMixin, VersionedFormMixin, forms.ModelForm[BoneTherapyCourse]):
    """The date of the dental review before a course, alone: what a nurse records once the
    patient's dentist has seen them (the course itself is the physician's form)."""

    class Meta:
        model = BoneTherapyCourse
        fields = ["dental_review_date"]
        formfield_callback = entry_formfield
        help_texts = {
            "dental_review_date": "The day the dentist saw the patient (not an appointment to "
            "come).",
        }

    def __init__(self, *args: Any, patient: Patient, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.patient = patient
        field = self.fields["dental_review_date"]
        field.required = True
        field.error_messages["required"] = "Enter the date of the dental review."
        self.add_version_field(self.instance.version)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            "dental_review_date", "version", Submit("save", "Save dental review")
        )

    def clean_dental_review_date(self) -> date | None:
        # As on the course's form: a date still to come is an appointment, not a review done.
        return self._measured_date(self.cleaned_data["dental_review_date"], "dental review date")
