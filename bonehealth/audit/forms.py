"""Form pieces shared by every app's edit forms: ISO date fields, versions and edit conflicts, and
the save-or-show-errors step of the views."""

import calendar
import copy
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.db import models
from django.forms.models import model_to_dict
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.safestring import mark_safe

from bonehealth.audit.concurrency import (
    ConcurrentEditError,
    FieldChange,
    RecordConflictError,
    marked_in_error_line,
)
from bonehealth.audit.decimals import DecimalField, WholeNumberField, plain

# No clinical date of a living patient's record comes before this; an earlier year is a typo.
EARLIEST_DATE = date(1900, 1, 1)
# Planned dates (a next DEXA, a planned start, a dental review) lie at most this far ahead; a date
# beyond is taken for a typo. Design choice: DEXA intervals are at most two years, and a plan made
# for further than five years ahead would be reviewed long before.
PLANNING_HORIZON_YEARS = 5


def latest_plausible_date() -> date:
    """The last date any form accepts: today plus the planning horizon."""
    today = timezone.localdate()
    year = today.year + PLANNING_HORIZON_YEARS
    return today.replace(year=year, day=min(today.day, calendar.monthrange(year, today.month)[1]))


# A number box: a text box, so that what was typed reaches the server as typed (Chromium drops a
# decimal comma from a `type="number"` box, 62,5 becoming 625: `decimals` says what is accepted);
# the field, not the browser, checks the range and the places, beside the field. It opens the
# numeric keyboard with a decimal separator on phones and tablets, for a value that is never
# negative (a BMD, a lab result, a height).
DECIMAL_INPUT = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
# A number that may be negative (a T-score, a Z-score: mostly negative). `inputmode="decimal"`
# opens the iPhone's decimal keypad, which has no minus key, and "numeric" opens one with neither
# minus nor separator (nurse11 F6): "-1.5" could not be typed at all. The text keyboard is the one
# every phone offers a minus on (iOS on its "123" layer, Android on its number row); spelling
# and capitals are off so that "-1.5" is never corrected into something else.
SIGNED_DECIMAL_INPUT = forms.TextInput(
    attrs={
        "inputmode": "text",
        "autocomplete": "off",
        "autocapitalize": "off",
        "autocorrect": "off",
        "spellcheck": "false",
    }
)


def decimal_input(*, may_be_negative: bool) -> forms.TextInput:
    """The box of a decimal field: one whose keyboard has a minus where the value may be
    negative (a form field copies the widget it is given)."""
    return SIGNED_DECIMAL_INPUT if may_be_negative else DECIMAL_INPUT


# A whole number (months): a text box for the same reason, 1,5 never read as 15.
WHOLE_NUMBER_INPUT = forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})


class DateInput(forms.DateInput):
    """A browser date picker. Browsers accept only yyyy-mm-dd in its value, whatever the locale.

    It shows the day and the month in the order of the browser's language, which may not be the
    user's: a day-first date typed into a month-first box is saved with the two swapped (nurse14
    #16). `data-date-words` has static/js/date-words.js read the date back in words under the box
    ("14 March 1958") as it is typed, and the saved date as an edit form opens.
    """

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None, format: str | None = None) -> None:
        super().__init__({"data-date-words": True, **(attrs or {})}, format=format or "%Y-%m-%d")


class DateField(forms.DateField):
    """A date in the plausible range, entered with the ISO date picker.

    `happened`: the date of something done (a dose given), which its form refuses after today
    in its own words ("The dose date cannot be in the future.", `patients.entry_dates`); a year
    typed far ahead is refused by those words too, not as a date past the planning horizon
    (nurse12 F14: 2206 read "more than 5 years ahead", tomorrow "cannot be in the future").
    """

    widget = DateInput

    def __init__(self, *args: Any, happened: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.happened = happened

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value in self.empty_values:
            return
        if value < EARLIEST_DATE:
            raise forms.ValidationError(
                f"Check the year: the date is before {EARLIEST_DATE:%Y}.", code="implausible_date"
            )
        latest = latest_plausible_date()
        if value > latest and not self.happened:
            raise forms.ValidationError(
                f"Check the year: the date is more than {PLANNING_HORIZON_YEARS} years ahead "
                f"(after {latest:%Y-%m-%d}).",
                code="implausible_date",
            )


def entry_formfield(db_field: models.Field[Any, Any], **kwargs: Any) -> forms.Field | None:
    """`Meta.formfield_callback` of model forms: every date becomes a plausible ISO `DateField`,
    every decimal the shared `DecimalField` (decimal comma and trailing zeros accepted, stored
    values shown plain), every whole number the shared `WholeNumberField` (ASCII digits only),
    every number a text box (`DECIMAL_INPUT`, `WHOLE_NUMBER_INPUT`)."""
    if isinstance(db_field, models.DateField) and not isinstance(db_field, models.DateTimeField):
        kwargs.setdefault("form_class", DateField)
        kwargs.pop("widget", None)
    if isinstance(db_field, models.DecimalField):
        kwargs.setdefault("form_class", DecimalField)
        kwargs.setdefault("widget", DECIMAL_INPUT)
    elif isinstance(db_field, models.IntegerField) and not db_field.choices:
        kwargs.setdefault("form_class", WholeNumberField)
        kwargs.setdefault("widget", WHOLE_NUMBER_INPUT)
    return db_field.formfield(**kwargs)


class VersionedFormMixin(forms.BaseForm):
    """Carry the version and the values the form was opened on; merge a refused save field by field.

    Every field also sends back, hidden, the value it was opened with (Django's
    `show_hidden_initial`), so that after a conflict the form knows which fields this user changed.
    """

    def add_version_field(self, version: int) -> None:
        for field in self.fields.values():
            field.show_hidden_initial = True
        self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, initial=version)

    def opened_choices(self) -> str:
        """The hidden values a multiple choice was opened with, which crispy's lists of
        checkboxes leave out: a layout shows them with `HTML("{{ form.opened_choices }}")`.

        Nothing chosen sends nothing, so a form posted back without them was opened with none.
        """
        hidden = []
        for name, field in self.fields.items():
            if not (field.show_hidden_initial and _multiple(field)):
                continue
            bound = self[name]
            widget = field.hidden_widget()
            opened = (
                widget.value_from_datadict(self.data, self.files, bound.html_initial_name)
                if self.is_bound
                else bound.initial
            )
            hidden.append(
                widget.render(
                    bound.html_initial_name,
                    field.prepare_value(opened),
                    attrs={"id": bound.html_initial_id},
                )
            )
        return mark_safe("".join(hidden))  # noqa: S308  (widgets escape their values)

    def apply_conflict(self, error: ConcurrentEditError, *, viewer_id: int | None = None) -> None:
        """Take the other user's values where this user changed nothing; flag fields both changed.

        The other user's values come from the record as the refused save found it under its lock
        (`error.current`, through `initial_for`). A change by `viewer_id`, the user saving, was
        made in another tab or window of theirs: it is said so, never "someone else" (nurse11
        F14 read "changed by someone else ... Nora Nurse changed this" as Nora Nurse).
        """
        self._viewer_id = viewer_id
        if error.current is not None:
            # The values the other writer committed; the form's own initial values were read when
            # this request began, possibly before their commit.
            self.initial = {**self.initial, **self.initial_for(error.current)}
        # A copy keeping every value of a multiple choice (a QueryDict's copy is mutable).
        data: Any = copy.copy(self.data)
        data["version"] = str(error.current_version)
        latest = _latest_change_by_field(error.changes)
        mine_changed = set(self.changed_data)
        clashes = 0
        for name, field in self.fields.items():
            if name == "version":
                continue
            bound = self[name]
            opened = (
                # A multiple choice opened with nothing chosen sends no opened value at all.
                field.hidden_widget().value_from_datadict(data, self.files, bound.html_initial_name)
                if _multiple(field)
                else data.get(bound.html_initial_name)
            )
            current = self.get_initial_for_field(field, name)
            if opened is None:
                # Posted without the opened values (not from this form): keep what was posted and
                # flag every field the audit trail says someone else changed.
                if name in latest and field.has_changed(current, bound.data):
                    clashes += 1
                    self._flag(name, current, latest[name])
                continue
            if not field.has_changed(current, opened):
                continue  # nobody else changed this field
            _put(data, bound.html_initial_name, field.hidden_widget(), field, current)
            change = latest.get(name) or _anyone(error.changes)
            if name not in mine_changed:
                _put(data, bound.html_name, field.widget, field, current)  # theirs: untouched here
                self._note_taken(name, current, change)
            elif field.has_changed(current, bound.data):
                clashes += 1
                self._flag(name, current, change)
        self.data = data
        mine = bool(error.changes) and all(self._mine(change) for change in error.changes)
        self.add_error(
            None,
            (
                "Not saved: you changed this record in another tab or window after you opened "
                "this form. "
                if mine
                else "Not saved: this record was changed by someone else after you opened the "
                "form. "
            )
            + (
                f"{'Those' if mine else 'Their'} changes are now shown. Where you changed the "
                "same field, your value is kept and marked below: save again to replace "
                f"{'that one' if mine else 'theirs'}, or change it."
                if clashes
                else f"{'Those' if mine else 'Their'} changes are now shown beside yours; check "
                "them, then save again."
            ),
        )

    def initial_for(self, record: models.Model) -> dict[str, Any]:
        """The form's initial values for `record` (model forms: its fields; others override)."""
        meta = getattr(self, "_meta", None)
        if meta is None or not isinstance(record, meta.model):
            return {}
        return model_to_dict(record, meta.fields, meta.exclude)

    def _mine(self, change: FieldChange) -> bool:
        viewer = getattr(self, "_viewer_id", None)
        return viewer is not None and change.by_id == viewer

    def _who(self, change: FieldChange) -> str:
        """Who made `change`: their name, or "you (in another tab or window)"."""
        return "you (in another tab or window)" if self._mine(change) else change.by

    def _note_taken(self, name: str, current: Any, change: FieldChange | None) -> None:
        shown = _shown(self.fields[name], current)
        by = f"{self._who(change)} at {_when(change)}" if change else "someone else"
        self.add_error(
            name, f"Now shows “{shown}”, changed by {by}; you had not changed this field."
        )

    def _flag(self, name: str, current: Any, change: FieldChange | None) -> None:
        field = self.fields[name]
        shown = _shown(field, current)
        if change is None:
            self.add_error(name, f"Changed to “{shown}” by someone else. Save again to replace it.")
            return
        who = "You (in another tab or window)" if self._mine(change) else change.by
        self.add_error(
            name,
            f"{who} changed this to “{shown}” at {_when(change)}, after you "
            "opened this form. Your value is kept here; save again to replace "
            f"{'that one' if self._mine(change) else 'theirs'}.",
        )


UNCHANGED = "Nothing was changed: the record is as it was."


def save_or_none[T](
    request: HttpRequest,
    form: forms.BaseForm,
    save: Callable[[], T],
    *,
    success: str | Callable[[T], str],
    to: str | Callable[[T], str],
    field_for: Callable[[str | None], str | None] = lambda name: name,
    conflict_words: Callable[[RecordConflictError], str] = str,
) -> HttpResponse | None:
    """On a valid POST run `save` and redirect; otherwise (or on a conflict) return None to render.

    `success` (the message) and `to` (a URL or URL name) may be functions of what `save` returned.
    Conflicts keep the form's values and show `conflict_words(conflict)` (its message, with a
    page's link to the record it names) next to the field concerned.
    """
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        saved = save()
    except ConcurrentEditError as conflict:
        form.apply_conflict(conflict, viewer_id=request.user.pk)  # type: ignore[attr-defined]
        return None
    except RecordConflictError as conflict:
        field = field_for(conflict.field)
        form.add_error(field if field in form.fields else None, conflict_words(conflict))
        return None
    messages.success(request, success(saved) if callable(success) else success)
    return redirect(to(saved) if callable(to) else to)


def already_marked_in_error(
    request: HttpRequest,
    record: Any,
    *,
    to: str,
    outcome: str = "Nothing more to do.",
    level: int = messages.INFO,
) -> HttpResponse | None:
    """For a page of a record a colleague has marked entered in error already (a page or link
    drawn before: its edit page, its own mark-in-error page): back to `to` saying who marked it,
    when and why, then `outcome`; None for a record not marked."""
    if not getattr(record, "entered_in_error", False):
        return None
    messages.add_message(request, level, f"{marked_in_error_line(record)} {outcome}")
    return redirect(to)


def _when(change: FieldChange) -> str:
    # The app's date format (yyyy-mm-dd) with the time, never a locale's "6 Dec 2026, 2:57 p.m.".
    return f"{timezone.localtime(change.at):%Y-%m-%d %H:%M}"


def _latest_change_by_field(changes: list[FieldChange]) -> dict[str, FieldChange]:
    latest: dict[str, FieldChange] = {}
    for change in changes:  # oldest first: later changes overwrite
        latest[change.field] = change
    return latest


def _anyone(changes: list[FieldChange]) -> FieldChange | None:
    return changes[-1] if changes else None


def _put(data: Any, key: str, widget: forms.Widget, field: forms.Field, value: Any) -> None:
    """Write `value` into `data` under `key` as the browser would post it from `widget`."""
    if _multiple(field):
        chosen = [str(item) for item in field.prepare_value(value) or []]
        if hasattr(data, "setlist"):
            data.setlist(key, chosen)
        else:
            data[key] = chosen
        return
    if isinstance(widget, forms.CheckboxInput):
        if value:
            data[key] = "on"
        else:
            data.pop(key, None)
        return
    formatted = widget.format_value(field.prepare_value(value))
    if isinstance(formatted, list):
        formatted = formatted[0] if formatted else ""
    data[key] = "" if formatted is None else str(formatted)


def _multiple(field: forms.Field) -> bool:
    """Whether the field takes several values (checkboxes of roles, say)."""
    return isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField)


def _shown(field: forms.Field, value: Any) -> str:
    if value in (None, ""):
        return "(empty)"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
        labels = {str(key): label for key, label in field.choices}  # type: ignore[misc,union-attr]
        return str(labels.get(str(value), value))
    if isinstance(field, forms.ModelMultipleChoiceField) and field.queryset is not None:
        keys = [getattr(item, "pk", item) for item in value]
        names = [field.label_from_instance(row) for row in field.queryset.filter(pk__in=keys)]
        return ", ".join(names) or "(none)"
    if isinstance(field, forms.ModelChoiceField) and field.queryset is not None:
        chosen = field.queryset.filter(pk=getattr(value, "pk", value)).first()
        return str(chosen) if chosen is not None else str(value)
    # As the pages write them (nurse13 #4: "3 Dec 2026" beside "at 2026-12-07 19:55"): dates
    # yyyy-mm-dd, times to the minute in the app's time zone, numbers with the field's places.
    if isinstance(value, datetime):
        return f"{timezone.localtime(value) if timezone.is_aware(value) else value:%Y-%m-%d %H:%M}"
    if isinstance(value, date):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, Decimal) and value.is_finite():
        return field.shown(value) if isinstance(field, DecimalField) else plain(value)
    return str(value)


class AuditFilterForm(forms.Form):
    """Filters of the audit trail viewer and its CSV export."""

    user = forms.CharField(required=False, max_length=150, label="Username")
    mrn = forms.CharField(required=False, max_length=40, label="Patient MRN")
    action = forms.ChoiceField(required=False, choices=[("", "Any action")])
    # The plausible range of every date field (sec9 F6: 9999-12-31 overflowed the day after it).
    date_from = DateField(required=False, label="From")
    date_to = DateField(required=False, label="To")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from crispy_forms.helper import FormHelper
        from crispy_forms.layout import Div, Layout, Submit

        from bonehealth.audit.models import AuditAction

        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "Any action"), *AuditAction.choices]  # type: ignore[attr-defined]
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.layout = Layout(
            Div(
                *[
                    Div(name, css_class="col-sm-6 col-lg")
                    for name in ("user", "mrn", "action", "date_from", "date_to")
                ],
                Div(Submit("filter", "Filter", css_class="mt-lg-4"), css_class="col-auto"),
                css_class="row g-2 align-items-start",
            )
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return cleaned

    def filters(self) -> dict[str, Any]:
        """The valid filters, as keyword arguments of selectors.audit_events_search."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "username": data["user"],
            "mrn": data["mrn"],
            "action": data["action"],
            "date_from": data["date_from"],
            "date_to": data["date_to"],
        }
