"""Therapy forms: a course of bone-protective therapy (physicians) and a dose given (nurses)."""

import copy
from datetime import date
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Layout, Submit
from django import forms
from django.utils import timezone

from bonehealth.accounts.models import User
from bonehealth.audit.forms import DateField, VersionedFormMixin, entry_formfield
from bonehealth.audit.text import validate_one_line
from monitoring import domain
from monitoring.domain.dental_review import (
    ReviewStanding,
    earliest_counting_review,
    judged,
    review_standing,
    too_old_words,
)
from monitoring.domain.thresholds import (
    DENOSUMAB_INTERVAL_MONTHS,
    DENTAL_REVIEW_VALID_MONTHS,
    FIRST_DOSE_MAX_DAYS_AFTER_START,
)
from monitoring.domain.types import PARENTERAL_DRUGS
from monitoring.models import BoneTherapyCourse
from monitoring.models.choices import BoneTherapyDrug
from monitoring.records.dose_safety import dose_checklist
from monitoring.records.forms.pieces import MeasuredDateMixin, row
from monitoring.records.forms.safety import SafetyOverrideMixin, override_label
from monitoring.records.regimens import dose_help, unsupported_regimen
from monitoring.records.safety import course_checklist, patient_history
from monitoring.records.services.safety_gate import course_starts_a_drug
from monitoring.records.services.stop_gate import (
    CONFIRM_FIELD,
    stop_warning,
    switch_stop_warning,
)
from monitoring.records.services.therapy import dose_outside_course
from monitoring.records.services.therapy_overlap import course_offered_to_stop, switch_refusal
from patients.form_parts import check_course_dates
from patients.models import Patient
from patients.switching import CourseSwitch, switch_day_error
from patients.wording import in_sentence


def dental_review_warning(*, drug: str | None, start: date | None, review: date | None) -> str:
    """What the forms and their success messages say of a dental review too old to count as the
    one before zoledronic acid or denosumab (`domain.dental_review`, nurse9 F11), judged today;
    "" otherwise. Such a date is taken (it may be true): the DENTAL alert stays open."""
    if review is None or drug not in PARENTERAL_DRUGS:
        return ""
    today = timezone.localdate()
    if not judged(start, today):  # a course started long ago: the rule no longer asks
        return ""
    if review_standing(review, start=start, as_of=today) is not ReviewStanding.TOO_OLD:
        return ""
    words = too_old_words(review, drug=drug.replace("_", " "), start=start)
    return f"{words[0].upper()}{words[1:]}. The alert “Dental review missing” stays open."


def saved_review_warning(course: BoneTherapyCourse) -> str:
    """The warning of `course` as saved, for its success message (" " first); "" for a stopped
    course, whose review no longer matters."""
    if course.stop_date is not None:
        return ""
    warning = dental_review_warning(
        drug=course.drug, start=course.start_date, review=course.dental_review_date
    )
    return f" {warning}" if warning else ""


def pending_checks_words(course: BoneTherapyCourse) -> str:
    """What the success message says of a course planned without a start (" " first): its
    pre-treatment checks are pending, made when its start is recorded (`course_starts_a_drug`),
    and those that would fail today, for the bloods to order (phys11 F12); "" otherwise."""
    if course.start_date is not None or course.stop_date is not None:
        return ""
    values = {name: getattr(course, name) for name in BoneTherapyCourseForm.Meta.fields}
    result = course_checklist(patient=course.patient, values=values, editing=course)
    failing = ", ".join(in_sentence(check.label) for check in result.failed) or "none"
    return (
        " Planned without a start date: the pre-treatment checks are pending; they are made "
        f"when the start is recorded (failing today: {failing})."
    )


# What the schedule takes a start for (DMAB-SCHEDULE: the next dose is due from "the last dose, or
# the start, with no dose recorded"; the schedule's zoledronic_acid_dose likewise), so that a
# physician does not enter the day of the decision and leave the first injection unasked for
# (phys13 #2). The one exception is the rules' (DMAB-STOP, `drugs.zoledronic_schedule`): zoledronic
# acid started as denosumab's follow-on counts only once its infusion is recorded, so the help
# says so (phys14 #7: a physician following "the day of the first infusion" met a critical alert
# that the infusion was not recorded).
START_HELP = (
    "Empty (or in the future) while the course is planned. Denosumab or zoledronic acid: the "
    "day of the first injection or infusion, which the schedule counts as the first dose; the "
    f"next is due {DENOSUMAB_INTERVAL_MONTHS} months after it. A first dose given within "
    f"{FIRST_DOSE_MAX_DAYS_AFTER_START} days after the start is recorded on its own day, and the "
    "next counts from it. Except zoledronic acid as the follow-on after denosumab: its start "
    "counts as no infusion, so record the infusion as a dose once given."
)
FOLLOW_ON_INFUSION_WORDS = (
    " Zoledronic acid as the follow-on after denosumab: its start counts as no infusion; record "
    "the infusion as a dose (Record dose) once given."
)


def follow_on_infusion_words(course: BoneTherapyCourse) -> str:
    """What the success message adds for a zoledronic acid course the rules hold as denosumab's
    follow-on awaiting its infusion (`domain.follow_on_infusion_awaited`, on today's records):
    to record the infusion as a dose (" " first); "" otherwise or when the rules refuse the
    record."""
    if course.drug != BoneTherapyDrug.ZOLEDRONIC_ACID or course.start_date is None:
        return ""
    try:
        history = patient_history(course.patient)
    except domain.HistoryError:
        return ""
    awaited = domain.follow_on_infusion_awaited(history, timezone.localdate())
    return FOLLOW_ON_INFUSION_WORDS if awaited is not None else ""


REVIEW_WINDOW_HELP = (
    f"A review more than {DENTAL_REVIEW_VALID_MONTHS} months before the course starts does not "
    "count as the review before the drug."
)


def _warn_beside(form: forms.BaseForm, warning: str) -> None:
    """Put `warning` beside the dental review date (its help text), the date kept as typed."""
    if warning:
        # The bound field, made (with its help text) when the fields were cleaned, is shown.
        form["dental_review_date"].help_text = f"Warning: {warning}"


class BoneTherapyCourseForm(
    SafetyOverrideMixin, MeasuredDateMixin, VersionedFormMixin, forms.ModelForm[BoneTherapyCourse]
):
    """Plan, start, change or stop a course of bone-protective therapy (physicians).

    Starting or planning a course shows the pre-treatment checklist (`records/safety.py`); a new
    course while another runs offers to stop that one in the same save (a switch). Stopping
    denosumab with no follow-on shows the rule's warning and asks for a tick (`stop_gate`).
    """

    class Meta:
        model = BoneTherapyCourse
        fields = ["drug", "dose", "start_date", "stop_date", "stop_reason", "dental_review_date"]
        formfield_callback = entry_formfield
        help_texts = {
            "start_date": START_HELP,
            "dental_review_date": "Date of the dental review before zoledronic acid or "
            f"denosumab. {REVIEW_WINDOW_HELP}",
        }

    def __init__(
        self, *args: Any, patient: Patient, user: User | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.patient = patient
        self.overrider = user
        self.fields["dose"].help_text = dose_help()  # its rule id a link: made per request
        for name in ("dose", "stop_reason"):  # the history import's rule too (history_text)
            self.fields[name].validators.append(validate_one_line)
        editing = self.instance.pk is not None
        if editing:
            self.add_version_field(self.instance.version)
        self.add_override_fields()
        # Always there (what was ticked is kept), shown with the warning only (`_stop_layout`).
        self.fields[CONFIRM_FIELD] = forms.BooleanField(
            required=False,
            label="I have arranged the bisphosphonate follow-on (or its continuation elsewhere): "
            "stop denosumab anyway",
        )
        self.stop_warning = ""
        self.stopping: tuple[BoneTherapyCourse, date] | None = None
        # The course running today that a new one would replace: offered to stop (a switch).
        self.current = None if editing else course_offered_to_stop(patient.pk)
        # The course the page offered to stop, as it showed it: the tick box stops that one only.
        self.shown = _posted_switch(self.data) if self.is_bound and not editing else None
        if self.current is not None or self.shown is not None:
            self._add_switch_fields()
        self.helper = FormHelper()
        self._layout()

    def _add_switch_fields(self) -> None:
        current = self.current
        label = f"Stop {current} (a switch) on" if current else "Stop the current course on"
        self.fields["stop_current"] = forms.BooleanField(required=False, label=label)
        drug = current.get_drug_display() if current else "the current course"
        self.fields["stop_current_on"] = DateField(label=f"Stop date of {drug}", required=False)
        self.fields["stop_current_on"].initial = timezone.localdate()
        for name in ("stop_course", "stop_course_version"):
            self.fields[name] = forms.IntegerField(widget=forms.HiddenInput, required=False)
        # Always the course this page shows now: after a refusal, ticking again stops that one.
        shown_now = {
            "stop_course": current.pk if current else None,
            "stop_course_version": current.version if current else None,
        }
        if self.is_bound:
            data: Any = copy.copy(self.data)  # a QueryDict's copy is mutable
            for name, value in shown_now.items():
                data[name] = "" if value is None else str(value)
            self.data = data
        else:
            self.initial = {**self.initial, **shown_now}

    def _layout(self) -> None:
        editing = self.instance.pk is not None
        switch = (
            [row("stop_current", "stop_current_on"), "stop_course", "stop_course_version"]
            if "stop_current" in self.fields
            else []
        )
        self.helper.layout = Layout(
            row("drug", "dose"),
            row("start_date", "dental_review_date"),
            row("stop_date", "stop_reason"),
            *self._stop_layout(),
            *switch,
            *(["version"] if editing else []),
            *self.checklist_layout(),
            Submit("save", "Save therapy"),
        )

    def _stop_layout(self) -> list[Any]:
        """The rule's warning of a denosumab stop with no follow-on, and its tick, when shown."""
        if not self.stop_warning:
            return []
        return [
            Div(
                HTML('{% include "monitoring/_denosumab_stop_warning.html" %}'),
                CONFIRM_FIELD,
                css_class="border border-danger rounded p-2 mb-3",
            )
        ]

    def show_stop_warning(self, warning: str) -> None:
        """Show DMAB-STOP's `warning` (from `stop_gate`) and the tick that confirms the stop."""
        self.stop_warning = warning
        self._layout()

    def stop_confirmed(self) -> bool:
        return bool(self.cleaned_data.get(CONFIRM_FIELD))

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
        if not data.get("stop_date"):
            review = data.get("dental_review_date")
            _warn_beside(self, dental_review_warning(drug=drug, start=start, review=review))
        # A regimen the schedule does not follow (phys11 F3); a course saved before this check,
        # its dose and drug unchanged, can still be changed or stopped.
        new_regimen = self.instance.pk is None or {"dose", "drug"} & set(self.changed_data)
        if new_regimen and (refusal := unsupported_regimen(drug, data.get("dose"))):
            self.add_error("dose", refusal)
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
        if not self.errors and start is not None and course_starts_a_drug(data, editing):
            # Shown with the form; the service judges it again when saving (the gate is there).
            # The bound field was made (with its label) when the fields were cleaned.
            self["safety_override"].label = override_label(str(drug), start, timezone.localdate())
            self.show_checklist(
                course_checklist(patient=self.patient, values=data, editing=editing)
            )
        if not self.errors and (
            warning := stop_warning(patient=self.patient, values=data, stored=editing)
        ):
            # Shown with the form; the service refuses the stop without the tick (the gate is
            # there, after the stop date's own checks), as it judges the checklist.
            self.show_stop_warning(warning)
        elif not self.errors and (warning := self._switch_stop_warning()):
            self.show_stop_warning(warning)
        return data

    def _switch_stop_warning(self) -> str:
        """DMAB-STOP's words when the switch ticked stops denosumab and the new course is no
        follow-on yet (`stop_gate.switch_stop_warning`)."""
        on = self.cleaned_data.get("stop_current_on")
        if not self.cleaned_data.get("stop_current") or self.current is None or on is None:
            return ""
        return switch_stop_warning(
            patient=self.patient, values=self.cleaned_data, stopped=self.current, stop_date=on
        )

    def _clean_switch(self, start: date | None) -> None:
        if not self.cleaned_data.get("stop_current"):
            return
        course_pk, version = self.shown or (None, None)
        refusal = switch_refusal(patient_id=self.patient.pk, course_pk=course_pk, version=version)
        current = self.current
        if refusal is not None or current is None:
            self.add_error("stop_current", refusal or "Reload the page.")
            # Unticked: the box named another course; stopping the one current now is a new
            # decision, made by ticking it again.
            data: Any = copy.copy(self.data)
            data.pop("stop_current", None)
            self.data = data
            return
        on: date | None = self.cleaned_data.get("stop_current_on")
        if on is None:
            self.add_error("stop_current_on", f"Give the day {current} stops.")
        elif on > timezone.localdate():
            self.add_error("stop_current_on", "The stop date cannot be in the future.")
        elif refusal := switch_day_error(
            start=current.start_date, stop_day=on, course_words=str(current)
        ):
            self.add_error("stop_current_on", refusal)
        elif start and on > start:
            self.add_error("stop_current_on", "Stop the current course on or before the new start.")
        else:
            self.stopping = (current, on)

    def course_stop(self) -> CourseSwitch | None:
        """The switch for the service: the course to stop, on which day, as the page showed it
        (the service stops it only if it is still the current course, at that version)."""
        if self.stopping is None or self.shown is None:
            return None
        course_pk, version = self.shown
        return CourseSwitch(
            course_pk=course_pk, stop_date=self.stopping[1], expected_version=version
        )

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


def _posted_switch(data: Any) -> tuple[int, int] | None:
    """The course and version the page offered to stop, from its hidden fields (None when the
    page offered none)."""
    try:
        return int(data["stop_course"]), int(data["stop_course_version"])
    except (KeyError, TypeError, ValueError):
        return None


class DoseForm(SafetyOverrideMixin, MeasuredDateMixin, forms.Form):
    """An injection or infusion given, with the pre-treatment checklist of that dose."""

    given_on = DateField(label="Given on", happened=True)  # clean_given_on: not in the future

    def __init__(
        self,
        *args: Any,
        patient: Patient,
        course: BoneTherapyCourse,
        user: User | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.patient = patient
        self.course = course
        self.overrider = user
        self.fields["given_on"].initial = timezone.localdate()
        self.add_override_fields()
        if not self.is_bound and course.start_date is not None:
            self.checklist = dose_checklist(
                patient=patient, course=course, given_on=timezone.localdate()
            )
            if self.checklist.same_injection:
                # Asked beside the date before any submit, as the refusal then is (not in the
                # checklist's row: nurse13 #14).
                self.fields["given_on"].help_text = f"Warning: {self.checklist.same_injection}"
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
        course = self.instance
        if course.drug in PARENTERAL_DRUGS:
            earliest = earliest_counting_review(course.start_date, timezone.localdate())
            before = (
                f"its start on {course.start_date.isoformat()}"
                if course.start_date
                else "today: the course has no start date yet"
            )
            field.help_text += (
                f" A review before {earliest.isoformat()} (more than "
                f"{DENTAL_REVIEW_VALID_MONTHS} months before {before}) does not count as the "
                f"review before {course.get_drug_display().lower()}: it is recorded, and the "
                "alert stays open."
            )
        self.helper = FormHelper()
        self.helper.layout = Layout(
            "dental_review_date", "version", Submit("save", "Save dental review")
        )

    def clean_dental_review_date(self) -> date | None:
        # As on the course's form: a date still to come is an appointment, not a review done.
        review = self._measured_date(self.cleaned_data["dental_review_date"], "dental review date")
        course = self.instance
        _warn_beside(
            self,
            dental_review_warning(drug=course.drug, start=course.start_date, review=review),
        )
        return review
