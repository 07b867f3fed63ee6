"""The aromatase-inhibitor course form: input validation only, no clinical rule. A new course
may replace the current one in the same save (a switch of drug, `patients.switching`)."""

import copy
from datetime import date
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout, Submit
from django import forms
from django.utils import timezone

from bonehealth.audit.forms import VersionedFormMixin, entry_formfield
from bonehealth.audit.text import validate_one_line
from patients.ai_switch import (
    SWITCH_LABEL_END,
    SWITCH_LABEL_START,
    current_ai_course,
    stale_switch_message,
)
from patients.form_parts import (
    check_course_dates,
    not_in_future,
    planned_duration_validators,
    row,
)
from patients.models import AromataseInhibitorCourse, Patient
from patients.overlaps import course_span
from patients.switching import CourseSwitch, switch_day_error

# The hidden fields naming the course a new course's form offers to stop, and its version.
SWITCH_COURSE = "switch_course"
SWITCH_VERSION = "switch_course_version"


class AromataseInhibitorCourseForm(VersionedFormMixin, forms.ModelForm[AromataseInhibitorCourse]):
    """Add or edit one aromatase-inhibitor course."""

    class Meta:
        model = AromataseInhibitorCourse
        fields = ["drug", "start_date", "planned_duration_months", "stop_date", "stop_reason"]
        formfield_callback = entry_formfield
        help_texts = {
            "stop_date": "Leave empty while the course continues.",
            "stop_reason": "Asked with a stop date: completed, side effects, recurrence...",
        }
        labels = {"planned_duration_months": "Planned duration (months)"}  # as on registration

    def __init__(self, *args: Any, patient: Patient, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.patient = patient
        self.fields["stop_reason"].validators.append(validate_one_line)
        self.fields["planned_duration_months"].validators += planned_duration_validators()
        if self.instance.pk is not None:
            self.add_version_field(self.instance.version)
        # On a new course, the course running now (or planned), which the new one may replace
        # in the same save: a switch of drug, as the bone-therapy form offers. The form carries,
        # hidden, which course it offered and at which version (security8 N1): a post names the
        # course its user saw, not whichever is current when it arrives.
        self.current: AromataseInhibitorCourse | None = (
            None if self.instance.pk is not None else current_ai_course(patient_id=patient.pk)
        )
        self.offers_switch = self.instance.pk is None and (
            self.current is not None or (self.is_bound and SWITCH_COURSE in self.data)
        )
        if self.offers_switch:
            self.fields["stop_current"] = forms.BooleanField(
                required=False,
                label=self._switch_label(),
                help_text=(
                    "Tick when the patient changes to this drug: the current course then ends "
                    "the day this one starts, so the record shows no day without an aromatase "
                    "inhibitor and none with two."
                ),
            )
            for name in (SWITCH_COURSE, SWITCH_VERSION):
                self.fields[name] = forms.IntegerField(widget=forms.HiddenInput, required=False)
            self._offer(self.current, bound=False)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            row("drug", "start_date", "planned_duration_months"),
            row("stop_date", "stop_reason"),
            *(["stop_current", SWITCH_COURSE, SWITCH_VERSION] if self.offers_switch else []),
            *(["version"] if self.instance.pk is not None else []),
            Submit("save", "Save course"),
        )

    def clean_stop_date(self) -> date | None:
        value: date | None = self.cleaned_data["stop_date"]
        not_in_future(value, "stop date")
        return value

    def clean(self) -> dict[str, Any]:
        super().clean()
        check_course_dates(self, birth_date=self.patient.birth_date)
        self._ask_stop_reason()
        self._clean_switch()
        return self.cleaned_data

    def _ask_stop_reason(self) -> None:
        """Ask why a course stopped beside its reason when a stop date is given or changed
        (nurse11 F13: a stop saved without a question, and the patient page then read "no reason
        given"). A course stopped before this was asked keeps its empty reason through an edit
        of its other fields, and an unchanged save changes nothing."""
        data = self.cleaned_data
        if not data.get("stop_date") or data.get("stop_reason") or self.has_error("stop_date"):
            return
        if self.instance.pk is not None and not {"stop_date", "stop_reason"} & set(
            self.changed_data
        ):
            return
        self.add_error(
            "stop_reason",
            "Give the reason the course stopped (e.g. completed, side effects, recurrence).",
        )

    def _switch_label(self) -> str:
        current = self.current
        if current is None:
            return f"{SWITCH_LABEL_START} {SWITCH_LABEL_END} (there is none now)"
        return (
            f"{SWITCH_LABEL_START} ({current.get_drug_display().lower()}, "
            f"{course_span(current)}) {SWITCH_LABEL_END}"
        )

    def _offer(self, course: AromataseInhibitorCourse | None, *, bound: bool) -> None:
        """Name `course` (and its version) as the one the tick box stops. `bound`: in the posted
        values too, unticked, so the form shown again after a refusal offers the course that is
        current now, to be ticked knowingly."""
        shown = {SWITCH_COURSE: course.pk if course else None}
        shown[SWITCH_VERSION] = course.version if course else None
        for name, value in shown.items():
            self.fields[name].initial = value
        if bound:
            data: Any = copy.copy(self.data)  # a QueryDict's copy is mutable
            for name, value in shown.items():
                data[name] = "" if value is None else str(value)
            data.pop("stop_current", None)
            self.data = data

    def offer_current_again(self) -> None:
        """After a switch the service refused (a colleague's save came first), show the course
        that is current now; the other values stay as typed."""
        if not self.offers_switch or "stop_current" not in self.errors:
            return
        self.current = current_ai_course(patient_id=self.patient.pk)
        self.fields["stop_current"].label = self._switch_label()
        self._offer(self.current, bound=True)

    def _clean_switch(self) -> None:
        current, start = self.current, self.cleaned_data.get("start_date")
        if not self.offers_switch or not self.cleaned_data.get("stop_current"):
            return
        shown = (self.cleaned_data.get(SWITCH_COURSE), self.cleaned_data.get(SWITCH_VERSION))
        if current is None or shown != (current.pk, current.version):
            self.add_error("stop_current", stale_switch_message(current))
            self._offer(current, bound=True)
            return
        if start is None:
            self.add_error("start_date", "Give the start date: the current course stops on it.")
        elif start > timezone.localdate():
            # A stop date is never in the future (clean_stop_date): record the switch on its day.
            self.add_error(
                "stop_current", "A switch is recorded on or after the day it happens, not before."
            )
        else:
            words = f"The current course ({current.get_drug_display().lower()})"
            refusal = switch_day_error(start=current.start_date, stop_day=start, course_words=words)
            if refusal is not None:
                self.add_error("stop_current", refusal)

    def course_switch(self) -> CourseSwitch | None:
        """The course to stop in this save, as the form showed it (id and version); None
        without a switch. The service stops it only if it is still the current one, unchanged."""
        if not self.offers_switch or not self.cleaned_data.get("stop_current"):
            return None
        return CourseSwitch(
            course_pk=self.cleaned_data[SWITCH_COURSE],
            expected_version=self.cleaned_data[SWITCH_VERSION],
        )

    def course_values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}
