"""Patient and aromatase-inhibitor course forms: input validation only, no clinical rule."""

import copy
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Fieldset, Layout, Submit
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db.models import QuerySet
from django.utils import timezone

from bonehealth.accounts.models import Site
from bonehealth.audit.forms import DateField, VersionedFormMixin, entry_formfield
from patients.ai_switch import current_ai_course, stale_switch_message
from patients.entry_dates import future_date_error
from patients.models import (
    PATIENT_RECORD_FIELDS,
    AromataseInhibitor,
    AromataseInhibitorCourse,
    MenopausalStatus,
    Patient,
    Sex,
)
from patients.overlaps import course_span
from patients.selectors import possible_duplicates
from patients.switching import CourseSwitch

# The menopausal status of a man, as the form offers it (stored blank).
NOT_APPLICABLE = "Not applicable (men)"

HEIGHT_RANGE_CM = (Decimal(100), Decimal(230))
WEIGHT_RANGE_KG = (Decimal(25), Decimal(250))

MRN_VALIDATOR = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9./_-]*$",
    "Use letters, digits and . / _ - only, starting with a letter or digit.",
)


def _not_in_future(value: date | None, what: str) -> None:
    error = future_date_error(value, what)
    if error is not None:
        raise forms.ValidationError(error)


# Aromatase inhibitors are given to adults; a younger age is a typing error in the year.
ADULT_AGE = 18


def _age(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def check_course_dates(form: forms.BaseForm, *, birth_date: date) -> None:
    """Check a drug course's start, stop and stop reason together (AI and bone therapy alike)."""
    data = form.cleaned_data
    start, stop = data.get("start_date"), data.get("stop_date")
    if start and start < birth_date:
        form.add_error("start_date", "The start date is before the patient's date of birth.")
    if stop and not start:
        form.add_error("start_date", "Enter the start date of a course that has stopped.")
    if start and stop and stop < start:
        form.add_error("stop_date", "The stop date is before the start date.")
    if data.get("stop_reason") and not stop:
        form.add_error("stop_date", "Enter the stop date, or clear the stop reason.")


def _row(*names: str) -> Div:
    return Div(*[Div(name, css_class="col-md") for name in names], css_class="row")


class PatientForm(VersionedFormMixin, forms.ModelForm[Patient]):
    """Create or edit a patient; on creation, optionally the first aromatase-inhibitor course."""

    site = forms.ModelChoiceField(queryset=Site.objects.none(), empty_label=None)

    class Meta:
        model = Patient
        fields = list(PATIENT_RECORD_FIELDS)
        formfield_callback = entry_formfield
        help_texts = {
            "prior_fragility_fracture": "A fracture from a fall from standing height or less.",
            "oral_glucocorticoid_months": "Total months of oral glucocorticoids (0 if none).",
        }

    ai_drug = forms.ChoiceField(
        label="Aromatase inhibitor",
        required=False,
        choices=[("", "None yet"), *AromataseInhibitor.choices],
    )
    ai_start_date = DateField(
        label="Start date",
        required=False,
        help_text="May be in the future for a planned start; leave empty if not yet known.",
    )
    ai_planned_duration_months = forms.IntegerField(
        label="Planned duration (months)",
        required=False,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
    )
    # Shown on registration only when `possible_duplicates` finds someone (see clean()).
    confirm_not_duplicate = forms.BooleanField(
        label="This is a different patient: register anyway", required=False
    )

    def __init__(
        self,
        *args: Any,
        sites: QuerySet[Site],
        first_entry: tuple[date, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.first_entry = first_entry
        site_field = self.fields["site"]
        assert isinstance(site_field, forms.ModelChoiceField)  # noqa: S101  (declared above)
        site_field.queryset = sites
        self.fields["mrn"].validators.append(MRN_VALIDATOR)
        self.fields["height_cm"].validators += [
            MinValueValidator(HEIGHT_RANGE_CM[0], "Height must be between 100 and 230 cm."),
            MaxValueValidator(HEIGHT_RANGE_CM[1], "Height must be between 100 and 230 cm."),
        ]
        self.fields["weight_kg"].validators += [
            MinValueValidator(WEIGHT_RANGE_KG[0], "Weight must be between 25 and 250 kg."),
            MaxValueValidator(WEIGHT_RANGE_KG[1], "Weight must be between 25 and 250 kg."),
        ]
        self.fields["oral_glucocorticoid_months"].validators.append(
            MaxValueValidator(600, "Enter months of use (at most 600).")
        )
        status = self.fields["menopausal_status"]
        assert isinstance(status, forms.TypedChoiceField)  # noqa: S101  (a model field's choices)
        status.choices = [("", NOT_APPLICABLE), *MenopausalStatus.choices]
        status.help_text = f"Women only: a man's is '{NOT_APPLICABLE}'."
        editing = self.instance.pk is not None
        if editing and not self.instance.menopausal_status_applies:
            self.initial["menopausal_status"] = ""  # not asked of a man, whatever is stored
        if editing:
            self.add_version_field(self.instance.version)
            for name in (
                "ai_drug",
                "ai_start_date",
                "ai_planned_duration_months",
                "confirm_not_duplicate",
            ):
                del self.fields[name]
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Fieldset(
                "Identity",
                _row("site", "mrn"),
                _row("name", "birth_date", "sex"),
                _row("menopausal_status", "breast_cancer_diagnosis_date"),
                _row("height_cm", "weight_kg"),
            ),
            Fieldset(
                "Clinical risk factors",
                _row("prior_fragility_fracture", "prior_fracture_date"),
                _row("parent_hip_fracture", "rheumatoid_arthritis", "secondary_osteoporosis"),
                _row("smoking", "alcohol_3_or_more_units_daily", "oral_glucocorticoid_months"),
            ),
            *(
                []
                if editing
                else [
                    Fieldset(
                        "Aromatase-inhibitor therapy (optional)",
                        _row("ai_drug", "ai_start_date", "ai_planned_duration_months"),
                    )
                ]
            ),
            *(["version"] if editing else []),
            Submit("save", "Save patient"),
        )

    def clean_mrn(self) -> str:
        mrn: str = self.cleaned_data["mrn"]
        return mrn.strip().upper()

    def clean_name(self) -> str:
        name: str = self.cleaned_data.get("name") or ""
        if not name.isprintable():  # a line break or tab pasted from elsewhere
            raise forms.ValidationError("Write the name on one line, without tabs.")
        return name

    def clean_birth_date(self) -> date:
        value: date = self.cleaned_data["birth_date"]
        _not_in_future(value, "date of birth")
        if self.first_entry and value > self.first_entry[0]:
            day, what = self.first_entry
            raise forms.ValidationError(
                f"The record holds a {what} on {day:%Y-%m-%d}, before this date of birth."
            )
        age = _age(value, timezone.localdate())
        if age < ADULT_AGE:
            raise forms.ValidationError(
                f"This date of birth makes the patient {age}: patients on an aromatase inhibitor "
                "are adults. Check the year."
            )
        return value

    def clean_breast_cancer_diagnosis_date(self) -> date | None:
        value: date | None = self.cleaned_data["breast_cancer_diagnosis_date"]
        _not_in_future(value, "diagnosis date")
        return value

    def clean_prior_fracture_date(self) -> date | None:
        value: date | None = self.cleaned_data["prior_fracture_date"]
        _not_in_future(value, "fracture date")
        return value

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        birth = data.get("birth_date")
        if birth:
            for name, what in (
                ("breast_cancer_diagnosis_date", "diagnosis"),
                ("prior_fracture_date", "fracture"),
                ("ai_start_date", "aromatase-inhibitor start"),
            ):
                value = data.get(name)
                if value and value < birth:
                    self.add_error(name, f"The {what} date is before the date of birth.")
        self._clean_menopausal_status()
        if data.get("prior_fracture_date") and not data.get("prior_fragility_fracture"):
            self.add_error(
                "prior_fragility_fracture",
                "Tick this when a fracture date is given, or clear the date.",
            )
        if self.instance.pk is None and not data.get("ai_drug"):
            for name in ("ai_start_date", "ai_planned_duration_months"):
                if data.get(name):
                    self.add_error("ai_drug", "Choose the drug for this course.")
                    break
        site, mrn = data.get("site"), data.get("mrn")
        if site and mrn:
            clash = Patient.objects.filter(site=site, mrn=mrn, entered_in_error=False)
            if self.instance.pk is not None:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error("mrn", f"MRN {mrn} is already registered at {site}.")
        if self.instance.pk is None and site and mrn and birth and not self.has_error("mrn"):
            self._warn_of_duplicates(site, mrn, data.get("name") or "", birth)
        return data

    def _clean_menopausal_status(self) -> None:
        """A woman's status is asked; a man's is not: a new man's is blank, and an edit keeps
        whatever is stored (nothing reads it), so an unchanged save of a man changes nothing."""
        data = self.cleaned_data
        if data.get("sex") == Sex.MALE:
            data["menopausal_status"] = self.instance.menopausal_status if self.instance.pk else ""
        elif data.get("sex") == Sex.FEMALE and not data.get("menopausal_status"):
            self.add_error(
                "menopausal_status",
                f"Give a woman's menopausal status ('{NOT_APPLICABLE}' is for men).",
            )

    def _warn_of_duplicates(self, site: Site, mrn: str, name: str, birth: date) -> None:
        """Ask for a tick before registering someone who may be registered already (the same MRN
        but for its punctuation, or the same birth date and a name alike): nothing is saved until
        then."""
        found = possible_duplicates(site=site, mrn=mrn, name=name, birth_date=birth)[:3]
        if not found:
            return
        self.helper.layout.fields.insert(-1, "confirm_not_duplicate")
        if self.cleaned_data.get("confirm_not_duplicate"):
            return
        described = "; ".join(
            f"MRN {patient.mrn}, {patient.name or 'no name'}, born {patient.birth_date:%Y-%m-%d}"
            for patient in found
        )
        self.add_error(
            "confirm_not_duplicate",
            f"Possibly registered already at {site}: {described}. Check that this is a different "
            "patient (open the patient list in another tab), then tick this to register anyway.",
        )

    def validate_unique(self) -> None:
        # MRN uniqueness is checked in clean() and reported by the MRN field; the model's
        # conditional
        # constraint would report it as a form-wide error instead. The constraint still guards the
        # table.
        return

    def patient_values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}

    def ai_course_values(self) -> dict[str, Any] | None:
        if "ai_drug" not in self.fields or not self.cleaned_data.get("ai_drug"):
            return None
        return {
            "drug": self.cleaned_data["ai_drug"],
            "start_date": self.cleaned_data.get("ai_start_date"),
            "planned_duration_months": self.cleaned_data.get("ai_planned_duration_months"),
        }


# The hidden fields naming the course a new course's form offers to stop, and its version.
SWITCH_COURSE = "switch_course"
SWITCH_VERSION = "switch_course_version"


class AromataseInhibitorCourseForm(VersionedFormMixin, forms.ModelForm[AromataseInhibitorCourse]):
    """Add or edit one aromatase-inhibitor course."""

    class Meta:
        model = AromataseInhibitorCourse
        fields = ["drug", "start_date", "planned_duration_months", "stop_date", "stop_reason"]
        formfield_callback = entry_formfield
        help_texts = {"stop_date": "Leave empty while the course continues."}
        labels = {"planned_duration_months": "Planned duration (months)"}  # as on registration

    def __init__(self, *args: Any, patient: Patient, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.patient = patient
        self.fields["planned_duration_months"].validators += [
            MinValueValidator(1, "Enter between 1 and 240 months."),
            MaxValueValidator(240, "Enter between 1 and 240 months."),
        ]
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
                help_text="A switch of drug in one save: the alerts see no day without one.",
            )
            for name in (SWITCH_COURSE, SWITCH_VERSION):
                self.fields[name] = forms.IntegerField(widget=forms.HiddenInput, required=False)
            self._offer(self.current, bound=False)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            _row("drug", "start_date", "planned_duration_months"),
            _row("stop_date", "stop_reason"),
            *(["stop_current", SWITCH_COURSE, SWITCH_VERSION] if self.offers_switch else []),
            *(["version"] if self.instance.pk is not None else []),
            Submit("save", "Save course"),
        )

    def clean_stop_date(self) -> date | None:
        value: date | None = self.cleaned_data["stop_date"]
        _not_in_future(value, "stop date")
        return value

    def clean(self) -> dict[str, Any]:
        super().clean()
        check_course_dates(self, birth_date=self.patient.birth_date)
        self._clean_switch()
        return self.cleaned_data

    def _switch_label(self) -> str:
        current = self.current
        if current is None:
            return "Stop the current course on the day this one starts (there is none now)"
        return (
            f"Stop the current course ({current.get_drug_display().lower()}, "
            f"{course_span(current)}) on the day this one starts"
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
        elif current.start_date is not None and start < current.start_date:
            self.add_error(
                "stop_current",
                f"The current course starts on {current.start_date:%Y-%m-%d}, after this start: "
                "it cannot stop before it began.",
            )

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


class MarkInErrorForm(forms.Form):
    """Why a record is being marked entered in error."""

    reason = forms.CharField(
        max_length=500,
        min_length=5,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Say why, e.g. 'registered twice, duplicate of MRN 12345'.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            "reason", Submit("save", "Mark entered in error", css_class="btn-danger")
        )


class EndFollowUpForm(forms.Form):
    """A physician ends a patient's follow-up; the record is kept."""

    ended_on = DateField(label="Follow-up ended on")
    reason = forms.CharField(max_length=300, min_length=3)

    def __init__(
        self,
        *args: Any,
        latest_entry: tuple[date, str] | None,
        active_treatments: Sequence[tuple[str, bool]] = (),
        **kwargs: Any,
    ) -> None:
        """`active_treatments`: (warning, needs a confirmation) of each treatment running now
        (`selectors.patient_active_treatments`), shown above the form; one that needs it (active
        denosumab) adds a tick the physician must give to end follow-up."""
        super().__init__(*args, **kwargs)
        self.latest_entry = latest_entry
        self.warnings = [warning for warning, _ in active_treatments]
        self.fields["ended_on"].initial = timezone.localdate()
        confirm = any(needs for _, needs in active_treatments)
        if confirm:
            self.fields["confirm_active_treatment"] = forms.BooleanField(
                label=(
                    "I have arranged the follow-on to the active treatment above (or its "
                    "continuation elsewhere): end follow-up anyway"
                ),
                error_messages={
                    "required": "Tick this to end follow-up while the treatment above is active."
                },
            )
        self.helper = FormHelper()
        self.helper.layout = Layout(
            _row("ended_on", "reason"),
            *(["confirm_active_treatment"] if confirm else []),
            Submit("save", "End follow-up"),
        )

    def clean_ended_on(self) -> date:
        value: date = self.cleaned_data["ended_on"]
        _not_in_future(value, "end date")
        if self.latest_entry and value < self.latest_entry[0]:
            day, what = self.latest_entry
            raise forms.ValidationError(
                f"The record holds a {what} on {day:%Y-%m-%d}, after this date: follow-up cannot "
                "end before it."
            )
        return value


class PatientSearchForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=100)
