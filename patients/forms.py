"""Patient forms: input validation only, no clinical rule. The course form is `course_forms`."""

import copy
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Fieldset, Layout, Submit
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import QuerySet
from django.utils import timezone

from bonehealth.accounts.models import Site, User
from bonehealth.audit.decimals import DecimalField, WholeNumberField, give_examples, plain
from bonehealth.audit.forms import (
    WHOLE_NUMBER_INPUT,
    DateField,
    VersionedFormMixin,
    entry_formfield,
)
from patients.form_parts import (
    not_in_future,
    planned_duration_validators,
    row,
)
from patients.identity import (
    MRN_VALIDATOR,
    NAME_REQUIRED,
    mrn_cleaned,
    name_problem,
)
from patients.menopause import (
    CONFIRM_LABEL,
    CONFIRMED_KEY,
    ask_premenopausal_confirmation,
)
from patients.models import (
    PATIENT_RECORD_FIELDS,
    AromataseInhibitor,
    MenopausalStatus,
    Patient,
    Sex,
)
from patients.registration import CONFIRM_FIELD, duplicates_warning, registered_already
from patients.selectors import patients_seen_among, possible_duplicates
from patients.wording import with_article

# The menopausal status of a man, as the form offers it: its own choice, stored blank. Not the
# empty choice: that is "Choose…", so a woman registered at the defaults is asked for her status
# rather than shown a man's (nurse10 F13: the empty choice read "Not applicable (men)" beside the
# default sex Female, and every first save of a woman was refused).
NOT_APPLICABLE = "Not applicable (men)"
NOT_APPLICABLE_VALUE = "not_applicable"
# The class of a field required in some cases only, whose label static/css/app.css marks with
# the asterisk of the required fields.
REQUIRED_FOR_WOMEN = "required-in-some-cases"

HEIGHT_RANGE_CM = (Decimal(100), Decimal(230))
WEIGHT_RANGE_KG = (Decimal(25), Decimal(250))

# Aromatase inhibitors are given to adults; a younger age is a typing error in the year.
ADULT_AGE = 18
# Above this age a date of birth is more likely a slip in the year (1900 for 1960) than true: it is
# saved only once the user ticks that it is right (nurse10 F7: age 126 was saved in silence, and
# age drives the "age over 65" risk factor). Only a changed date is asked about, so a patient
# stored with such a date is still saved unchanged.
PLAUSIBLE_AGE = 105
CONFIRM_BIRTH_DATE = "confirm_birth_date"


class HeightField(DecimalField):
    """A height in cm that says so when it was typed in metres (nurse12 F14: 1.625 read "Enter at
    most 1 decimal place (this value has 3)", which does not tell what is wrong)."""

    def validate(self, value: Any) -> None:
        low, high = (bound / 100 for bound in HEIGHT_RANGE_CM)
        if isinstance(value, Decimal) and low <= value <= high:
            raise forms.ValidationError(
                f"Height is in cm: {plain(value)} m is {plain(value * 100)} cm.",
                code="height_in_metres",
            )
        super().validate(value)


def _age(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


class PatientForm(VersionedFormMixin, forms.ModelForm[Patient]):
    """Create or edit a patient; on creation, optionally the first aromatase-inhibitor course."""

    site = forms.ModelChoiceField(queryset=Site.objects.none(), empty_label=None)

    class Meta:
        model = Patient
        fields = list(PATIENT_RECORD_FIELDS)
        formfield_callback = entry_formfield
        field_classes = {"height_cm": HeightField}
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
    ai_planned_duration_months = WholeNumberField(
        label="Planned duration (months)",
        required=False,
        widget=WHOLE_NUMBER_INPUT,
        validators=planned_duration_validators(),
    )
    # Shown on registration only when `possible_duplicates` finds someone (see clean()).
    confirm_not_duplicate = forms.BooleanField(
        label="This is a different patient: register anyway", required=False
    )

    # Shown only when the date of birth makes the patient older than PLAUSIBLE_AGE (see clean()).
    confirm_birth_date = forms.BooleanField(
        label=f"The date of birth is right: the patient is over {PLAUSIBLE_AGE}", required=False
    )
    # Shown only when a woman over PREMENOPAUSAL_CONFIRM_AGE is made premenopausal (`menopause`).
    confirm_premenopausal = forms.BooleanField(label=CONFIRM_LABEL, required=False)

    def __init__(
        self,
        *args: Any,
        sites: QuerySet[Site],
        first_entry: tuple[date, str] | None = None,
        user: User | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.first_entry = first_entry
        # Who fills the form in: the patients its messages name are linked for them if they may
        # see them (none without a user).
        self.user = user
        # The possible duplicates the user ticked are other patients (`_warn_of_duplicates`).
        self.not_duplicates: frozenset[int] = frozenset()
        # The words of the premenopausal status the user confirmed (`clean`), for the audit row.
        self.premenopausal_confirmed = ""
        site_field = self.fields["site"]
        assert isinstance(site_field, forms.ModelChoiceField)  # noqa: S101  (declared above)
        site_field.queryset = sites
        self.fields["mrn"].validators.append(MRN_VALIDATOR)
        give_examples(self.fields, {"height_cm": "162.5", "weight_kg": "61.5"})
        self._require_name()
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
        status.choices = [
            ("", "Choose…"),
            *MenopausalStatus.choices,
            (NOT_APPLICABLE_VALUE, NOT_APPLICABLE),
        ]
        status.help_text = f"Required for a woman; a man's is '{NOT_APPLICABLE}'."
        editing = self.instance.pk is not None
        if editing and not self.instance.menopausal_status_applies:
            # Not asked of a man, whatever is stored.
            self.initial["menopausal_status"] = NOT_APPLICABLE_VALUE
        if not editing:
            # Chosen, never assumed: a premenopausal woman registered as postmenopausal by the
            # default would be judged on T-scores (the rules' Population), and a man's form
            # posted the default status (nurse9 F3).
            self.initial.setdefault("menopausal_status", "")
        if editing:
            self.add_version_field(self.instance.version)
            for name in (
                "ai_drug",
                "ai_start_date",
                "ai_planned_duration_months",
                "confirm_not_duplicate",
            ):
                del self.fields[name]
        # Marked required as the required fields are (nurse11 F14: no * although a woman's form
        # is refused without it); not required of a man, so not `required` in HTML, which would
        # stop his form in the browser. Its tick, when asked, goes just below it.
        self.status_column = Div(
            Field("menopausal_status", wrapper_class=REQUIRED_FOR_WOMEN), css_class="col-md"
        )
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Fieldset(
                "Identity",
                row("site", "mrn"),
                row("name", "birth_date", "sex"),
                Div(
                    self.status_column,
                    Div("breast_cancer_diagnosis_date", css_class="col-md"),
                    css_class="row",
                ),
                row("height_cm", "weight_kg"),
            ),
            Fieldset(
                "Clinical risk factors",
                row("prior_fragility_fracture", "prior_fracture_date"),
                row("parent_hip_fracture", "rheumatoid_arthritis", "secondary_osteoporosis"),
                row("smoking", "alcohol_3_or_more_units_daily", "oral_glucocorticoid_months"),
            ),
            *(
                []
                if editing
                else [
                    Fieldset(
                        "Aromatase-inhibitor therapy (optional)",
                        row("ai_drug", "ai_start_date", "ai_planned_duration_months"),
                    )
                ]
            ),
            *(["version"] if editing else []),
            Submit("save", "Save patient"),
        )

    def _require_name(self) -> None:
        """A name, not blank once stripped (the field strips it): a nameless record is easy to
        take for another patient (sec11 #6). The model keeps it optional, as a history file
        may carry none (monitoring's import): such a patient shows her MRN where a name is
        wanted, and her record's form asks for the name at its first save."""
        name = self.fields["name"]
        name.required = True
        name.error_messages["required"] = (
            "Give the patient's name; the record has none yet."
            if self.instance.pk is not None and not self.instance.name
            else NAME_REQUIRED
        )

    def clean_mrn(self) -> str:
        return mrn_cleaned(self.cleaned_data["mrn"])

    def clean_name(self) -> str:
        name: str = self.cleaned_data.get("name") or ""
        problem = name_problem(name)  # a line break or tab pasted from elsewhere
        if problem:
            raise forms.ValidationError(problem)
        return name

    def clean_birth_date(self) -> date:
        value: date = self.cleaned_data["birth_date"]
        not_in_future(value, "date of birth")
        if self.first_entry and value > self.first_entry[0]:
            day, what = self.first_entry
            raise forms.ValidationError(
                f"The record holds {with_article(what)} on {day:%Y-%m-%d}, before this date "
                "of birth."
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
        not_in_future(value, "diagnosis date")
        return value

    def clean_prior_fracture_date(self) -> date | None:
        value: date | None = self.cleaned_data["prior_fracture_date"]
        not_in_future(value, "fracture date")
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
        self._check_implausible_age(birth)
        self._clean_menopausal_status()
        if not self.has_error("menopausal_status"):
            self.premenopausal_confirmed = ask_premenopausal_confirmation(
                self, instance=self.instance, column=self.status_column
            )
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
            holder = clash.first()
            if holder is not None:
                self.add_error(
                    "mrn",
                    registered_already(
                        f"MRN {mrn} is already registered at {site}.",
                        holder,
                        seen=self._seen([holder]),
                    ),
                )
        if self.instance.pk is None and site and mrn and birth and not self.has_error("mrn"):
            self._warn_of_duplicates(site, mrn, data.get("name") or "", birth)
        return data

    def _check_implausible_age(self, birth: date | None) -> None:
        """Ask for a tick before saving a new date of birth that makes the patient older than
        PLAUSIBLE_AGE; the message sits beside the date, the tick just below its row."""
        if birth is None or (self.instance.pk is not None and birth == self.instance.birth_date):
            return
        age = _age(birth, timezone.localdate())
        if age <= PLAUSIBLE_AGE:
            return
        identity = self.helper.layout.fields[0]
        if CONFIRM_BIRTH_DATE not in identity.fields:
            identity.fields.insert(2, CONFIRM_BIRTH_DATE)
        if not self.cleaned_data.get(CONFIRM_BIRTH_DATE):
            self.add_error(
                "birth_date",
                f"This date of birth makes the patient {age}: check the year. If it is right, "
                "tick the box below.",
            )

    def _clean_menopausal_status(self) -> None:
        """A woman's status is asked; a man's is not: a new man's is blank, and an edit keeps
        whatever is stored (nothing reads it), so an unchanged save of a man changes nothing. A
        status chosen for a man is refused next to the field."""
        data = self.cleaned_data
        not_applicable = data.get("menopausal_status") == NOT_APPLICABLE_VALUE
        if not_applicable:
            data["menopausal_status"] = ""  # stored blank; the model knows no such status
        if data.get("sex") == Sex.MALE and data.get("menopausal_status"):
            # Not dropped without a word (nurse9 F3): the sex or the status is a slip.
            self.add_error(
                "menopausal_status",
                f"A man has no menopausal status: choose '{NOT_APPLICABLE}', or check the sex.",
            )
        elif data.get("sex") == Sex.MALE:
            data["menopausal_status"] = self.instance.menopausal_status if self.instance.pk else ""
        elif data.get("sex") == Sex.FEMALE and not data.get("menopausal_status"):
            self.add_error(
                "menopausal_status",
                f"Give a woman's menopausal status ('{NOT_APPLICABLE}' is for men)."
                if not_applicable
                else "Give a woman's menopausal status.",
            )

    def _warn_of_duplicates(self, site: Site, mrn: str, name: str, birth: date) -> None:
        """Ask for a tick before registering someone who may be registered already (the same MRN
        but for its punctuation, or the same birth date and a name alike): nothing is saved until
        then. The tick covers the patients found now (`not_duplicates`); the service checks again
        at the save, under its locks, for one registered meanwhile."""
        found = possible_duplicates(site=site, mrn=mrn, name=name, birth_date=birth)
        if not found:
            return
        self._offer_confirmation()
        if self.cleaned_data.get(CONFIRM_FIELD):
            self.not_duplicates = frozenset(patient.pk for patient in found)
            return
        self.add_error(CONFIRM_FIELD, duplicates_warning(site, found, seen=self._seen(found)))

    def _seen(self, patients: Sequence[Patient]) -> frozenset[int]:
        """Which of `patients` the user may see, to link to their pages."""
        if self.user is None:
            return frozenset()
        return patients_seen_among(user=self.user, ids=[patient.pk for patient in patients])

    def _offer_confirmation(self) -> None:
        if CONFIRM_FIELD not in self.helper.layout.fields:
            self.helper.layout.fields.insert(-1, CONFIRM_FIELD)

    def duplicates_found_at_save(self) -> None:
        """The save found a possible duplicate registered meanwhile (PossibleDuplicateError, its
        warning put beside the tick by the view): show the tick again, not given, so that the
        user decides on the patients now listed."""
        self._offer_confirmation()
        data: Any = copy.copy(self.data)  # a QueryDict's copy is mutable
        data.pop(CONFIRM_FIELD, None)
        self.data = data
        self.not_duplicates = frozenset()

    def validate_unique(self) -> None:
        # MRN uniqueness is checked in clean() and reported by the MRN field; the model's
        # conditional
        # constraint would report it as a form-wide error instead. The constraint still guards the
        # table.
        return

    def patient_values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}

    def confirmations(self) -> dict[str, str]:
        """What the save's audit row keeps of the ticks given: the premenopausal status's words."""
        return {CONFIRMED_KEY: self.premenopausal_confirmed} if self.premenopausal_confirmed else {}

    def ai_course_values(self) -> dict[str, Any] | None:
        if "ai_drug" not in self.fields or not self.cleaned_data.get("ai_drug"):
            return None
        return {
            "drug": self.cleaned_data["ai_drug"],
            "start_date": self.cleaned_data.get("ai_start_date"),
            "planned_duration_months": self.cleaned_data.get("ai_planned_duration_months"),
        }


class PatientSearchForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=100)
