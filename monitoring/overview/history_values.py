"""A record's audited values in words, as the patient page shows them: labels instead of field
names, choice labels instead of codes, dates yyyy-mm-dd, numbers without trailing zeros and with
their units, lab results in the site's units (nurse12 F5).

Audit rows store a field's value as `bonehealth.audit.services.stored_value` makes it (a date
as its ISO text, a number as text, a record it points to by id); `Shown` turns one back.
"""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.text import capfirst

from bonehealth.audit.decimals import plain, with_places
from monitoring import domain
from monitoring.models import DexaMeasurement, LabResult
from monitoring.models.choices import MeasuredSite, SafetyCheck
from monitoring.overview.labs import lab_rows
from patients.menopause import CONFIRMED_KEY

EMPTY = "—"
MEASURED_PREFIX = "site:"
# The pseudo-field of a lab result: its value and unit together, as the labs table shows them.
RESULT = "result"
RESULT_PARTS = ("analyte", "value", "entered_value", "entered_unit")

# The patient page's words for a field, where the model's own name differs.
LABELS = {
    "trabecular_bone_score": "TBS",
    "vertebral_fracture_assessment": "VFA",
    "reviewed_at": "Signed off at",
    "reviewed_by": "Signed off by",
    "major_osteoporotic_pct": "Major osteoporotic fracture",
    "hip_pct": "Hip fracture",
    "with_bmd": "With BMD",
    "dose": "Dose",
    "dental_review_date": "Dental review",
    "next_dexa_due": "Next DEXA due",
    "calcium": "Calcium supplement",
    "vitamin_d": "Vitamin D supplement",
    "height_cm": "Height",
    "weight_kg": "Weight",
    "alcohol_3_or_more_units_daily": "Alcohol ≥ 3 units a day",
    "oral_glucocorticoid_months": "Oral glucocorticoids",
    "breast_cancer_diagnosis_date": "Breast cancer diagnosed",
    # "Follow-up", as the patient page heads it (nurse14 #11: the history read "Follow up").
    "follow_up_status": "Follow-up",
    "follow_up_ended_on": "Follow-up ended on",
    "follow_up_end_reason": "Follow-up end reason",
    RESULT: "Result",
    "reason": "Reason",
    "safety_override": "Checks overridden",
    "denosumab_stop_confirmed": "Stop without follow-on confirmed",
    CONFIRMED_KEY: "Premenopausal status confirmed",
    "source": "Source",
    "host": "Host",
    "sites": "Sites measured",
    "error_reason": "Reason it was marked",
    "error_marked_by": "Marked by",
}
UNITS = {
    "height_cm": " cm",
    "weight_kg": " kg",
    "major_osteoporotic_pct": " %",
    "hip_pct": " %",
    "planned_duration_months": " months",
    "oral_glucocorticoid_months": " months",
}


@dataclass(frozen=True)
class Change:
    """One line of a history row: a field's label and its value, or its values before and
    after (`before` is None for a value simply stated)."""

    label: str
    after: str
    before: str | None = None


@dataclass
class Shown:
    """Turns a record's stored values into words: `model` is the record's; `names` holds the
    names of the records the values point to, by (model, id); `lab_units` the site's choice."""

    model: type[models.Model]
    lab_units: str = domain.UnitSystem.SI.value
    names: Mapping[tuple[type[models.Model], str], str] = field(default_factory=dict)

    def label(self, name: str) -> str:
        if name.startswith(MEASURED_PREFIX):
            return _site_label(name.removeprefix(MEASURED_PREFIX))
        if name in LABELS:
            return LABELS[name]
        model_field = _field(self.model, name)
        if model_field is not None:
            return capfirst(str(model_field.verbose_name))
        return capfirst(name.replace("_", " "))

    def value(self, name: str, value: Any, state: Mapping[str, Any] | None = None) -> str:
        """`value` of field `name` in words; `state`, the record's other values at that point
        (a lab result's analyte and units)."""
        if name == RESULT:
            return self._result(state or {})
        if name.startswith(MEASURED_PREFIX):
            return _measurement(value)
        if value is None or value == "" or value == []:
            return EMPTY
        if name == "safety_override" and isinstance(value, Mapping):
            return _override(value)
        if name == "sites" and isinstance(value, list):
            return ", ".join(_site_label(str(site)) for site in value)
        model_field = _field(self.model, name)
        if model_field is None:
            return _text(value)
        return self._field_value(model_field, value)

    def _field_value(self, model_field: models.Field[Any, Any], value: Any) -> str:
        if model_field.is_relation and model_field.related_model is not None:
            return self.names.get((model_field.related_model, str(value)), f"#{value}")
        if model_field.choices:
            return str(dict(model_field.flatchoices).get(value, value))
        if isinstance(model_field, models.BooleanField):
            return "Yes" if value else "No"
        if isinstance(model_field, models.DateTimeField):
            return _when(value)
        if isinstance(model_field, models.DateField):
            return str(value)[:10]
        if isinstance(model_field, models.DecimalField):
            return _number(value, model_field.decimal_places) + UNITS.get(model_field.name, "")
        if isinstance(model_field, models.IntegerField):
            return _number(value) + UNITS.get(model_field.name, "")
        return _text(value)

    def _result(self, state: Mapping[str, Any]) -> str:
        """A lab result as the labs table shows it: in the site's unit, as entered below it."""
        try:
            lab = LabResult(
                analyte=state["analyte"],
                value=Decimal(str(state["value"])),
                entered_value=Decimal(str(state["entered_value"])),
                entered_unit=state["entered_unit"],
                sample_date=dt.date.min,
            )
            row = lab_rows([lab], domain.UnitSystem(self.lab_units))[0]
        except (KeyError, TypeError, ValueError, InvalidOperation):
            return EMPTY
        shown = f"{plain(row.value)} {row.unit}"
        return f"{shown} (entered as {row.entered})" if row.converted else shown


def _field(model: type[models.Model], name: str) -> Any:
    try:
        return model._meta.get_field(name)
    except Exception:  # FieldDoesNotExist: a key of the audit row that is not a field
        return None


def _site_label(site: str) -> str:
    try:
        return str(MeasuredSite(site).label)
    except ValueError:
        return site


def _number(value: Any, places: int | None = None) -> str:
    """A stored number with `places` decimals (a field's, as the page shows it), else plain."""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if places is None or not number.is_finite():
        return plain(number)
    return with_places(number, places)


def _places(name: str) -> int:
    """The decimals of a measurement's field (its BMD's 3, its T-score's 1), as the scans table
    shows them."""
    model_field = DexaMeasurement._meta.get_field(name)
    assert isinstance(model_field, models.DecimalField)  # noqa: S101  (the model's own fields)
    return model_field.decimal_places


def _measurement(value: Any) -> str:
    """A measured site as the scan audit keeps it, [BMD, T-score, Z-score or ""]."""
    if not isinstance(value, list) or len(value) != 3:
        return "not measured"
    bmd, t_score, z_score = value
    z = f", Z {_number(z_score, _places('z_score'))}" if z_score not in (None, "") else ""
    return f"{_number(bmd, _places('bmd'))} g/cm² (T {_number(t_score, _places('t_score'))}{z})"


def _when(value: Any) -> str:
    try:
        moment = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return f"{moment:%Y-%m-%d %H:%M}"


def _override(value: Mapping[str, Any]) -> str:
    checks = []
    for check in value.get("failed_checks") or []:
        key = check.get("check", "") if isinstance(check, Mapping) else str(check)
        try:
            checks.append(str(SafetyCheck(key).label))
        except ValueError:
            checks.append(str(key))
    failed = ", ".join(checks) or "checks"
    return f"{failed} failed; reason: {value.get('reason', '')}"


def _text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_text(item) for item in value) or EMPTY
    if isinstance(value, Mapping):
        return "; ".join(
            f"{capfirst(str(k).replace('_', ' '))}: {_text(v)}" for k, v in value.items()
        )
    return str(value)
