"""The summary at the top of a refused form ("Not saved: 2 problems below"), linked to the fields.

A refused form comes back as a new page scrolled to the top. Its errors sat beside their fields,
often screens below on a phone, so the top of the page looked like the form before saving and a
nurse could leave believing the patient registered (nurse10 F9). Every crispy form shows its
form-wide errors through the template pack's errors.html; templates/bootstrap5/errors.html
overrides it to draw this summary, the form-wide errors in it (once, not in a second box), and
static/js/form-errors.js moves the focus to it.

A label shown more than once on a form (a DEXA form's four "BMD (g/cm²)" boxes, one under each
site's legend) names its fieldset's legend in the summary, "Femoral neck BMD (g/cm²)": beside the
field the legend says which, in the summary alone it would not (nurse11 F8)."""

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from crispy_forms.layout import Fieldset
from django import forms, template
from django.contrib.auth.forms import AuthenticationForm

register = template.Library()


@dataclass(frozen=True)
class FieldProblem:
    anchor: str  # the id of the field's input (its first choice for radio buttons)
    label: str
    message: str


@dataclass(frozen=True)
class ErrorSummary:
    heading: str
    form_wide: list[str] = field(default_factory=list)
    fields: list[FieldProblem] = field(default_factory=list)


def _anchor(bound: forms.BoundField) -> str:
    # A radio list's label points at no input (id_for_label is empty): its first choice is.
    return bound.id_for_label or f"{bound.auto_id}_0"


def _heading(form: forms.BaseForm, method: str, problems: int) -> str:
    """What was not done: a form may say it (`error_summary_heading`); signing in saves nothing;
    a search form (GET) shows a list."""
    not_done = getattr(form, "error_summary_heading", None)
    if not_done is None:
        if isinstance(form, AuthenticationForm):
            not_done = "Not signed in"
        else:
            not_done = "Not shown" if method.lower() == "get" else "Not saved"
    if not problems:
        return not_done
    return f"{not_done}: {problems} problem{'' if problems == 1 else 's'} below"


def _laid_out(form: forms.BaseForm) -> dict[str, str]:
    """The fields of `form`'s crispy layout in the order it draws them, each with the legend of
    the fieldset it sits in (the innermost; empty outside any); empty without a layout."""
    layout = getattr(getattr(form, "helper", None), "layout", None)
    laid_out: dict[str, str] = {}

    def walk(item: Any, legend: str) -> None:
        if isinstance(item, str):
            laid_out.setdefault(item, legend)
            return
        if isinstance(item, Fieldset) and item.legend:
            legend = str(item.legend)
        for child in getattr(item, "fields", None) or []:
            walk(child, legend)

    if layout is not None:
        walk(layout, "")
    return laid_out


def _summary_labels(form: forms.BaseForm, laid_out: dict[str, str]) -> dict[str, str]:
    """Each visible field's label for the summary: a repeated one with its fieldset's legend."""
    labels = {bound.name: str(bound.label) for bound in form if not bound.is_hidden}
    repeated = {label for label, count in Counter(labels.values()).items() if count > 1}
    return {
        name: f"{laid_out[name]} {label}" if label in repeated and laid_out.get(name) else label
        for name, label in labels.items()
    }


def _in_page_order(form: forms.BaseForm, laid_out: dict[str, str]) -> list[forms.BoundField]:
    """The form's fields in the order the page shows them: its layout's (nurse14 #11: the scan
    form's summary named the trabecular bone score, declared first and drawn last, before the
    sites above it), then any the layout does not name, in the form's order."""
    place = {name: index for index, name in enumerate(laid_out)}
    return sorted(form, key=lambda bound: place.get(bound.name, len(place)))


@register.simple_tag(takes_context=True)
def error_summary(context: Any, form: forms.BaseForm | None) -> ErrorSummary | None:
    """What the summary of `form`'s errors says, or None when it has none. A hidden field's error
    (a stale version) has no field to point at: it is said with the form-wide ones."""
    if form is None or not getattr(form, "is_bound", False) or not form.errors:
        return None
    form_wide = [str(error) for error in form.non_field_errors()]
    problems = []
    laid_out = _laid_out(form)
    labels = _summary_labels(form, laid_out)
    for bound in _in_page_order(form, laid_out):
        if not bound.errors:
            continue
        if bound.is_hidden:
            form_wide += [str(error) for error in bound.errors]
            continue
        problems.append(FieldProblem(_anchor(bound), labels[bound.name], str(bound.errors[0])))
    if not form_wide and not problems:
        return None
    heading = _heading(form, str(context.get("form_method") or "post"), len(problems))
    return ErrorSummary(heading=heading, form_wide=form_wide, fields=problems)
