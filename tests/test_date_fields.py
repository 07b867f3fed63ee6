"""Every date field of every form: ISO in the browser and bounded to plausible dates.

Forms are found by walking the form classes of the project's apps, so a new form is checked
without being listed here.
"""

import contextlib
import datetime as dt
from importlib import import_module

import pytest
from django import forms
from django.apps import apps
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.audit.forms import EARLIEST_DATE, DateField, DateInput, latest_plausible_date
from bonehealth.audit.models import AuditEvent
from patients.models import Patient

PROJECT_APPS = ("bonehealth", "patients", "monitoring")


def _project_forms() -> list[type[forms.BaseForm]]:
    for config in apps.get_app_configs():
        if config.name.startswith(PROJECT_APPS):
            with contextlib.suppress(ModuleNotFoundError):
                import_module(f"{config.name}.forms")
    found: list[type[forms.BaseForm]] = []
    pending = list(forms.BaseForm.__subclasses__())
    while pending:
        cls = pending.pop()
        pending += cls.__subclasses__()
        if (
            cls.__module__.startswith(PROJECT_APPS)
            and hasattr(cls, "base_fields")
            and cls not in found
        ):
            found.append(cls)
    return found


def test_forms_are_found() -> None:
    names = {cls.__name__ for cls in _project_forms()}
    assert {"PatientForm", "DexaScanForm", "BoneTherapyCourseForm", "PlanForm"} <= names


@pytest.mark.parametrize("form_class", _project_forms(), ids=lambda cls: cls.__name__)
def test_every_date_input_renders_iso(form_class: type[forms.BaseForm]) -> None:
    for name, field in form_class.base_fields.items():
        if isinstance(field, forms.DateField):
            assert isinstance(field.widget, DateInput), name
            assert field.widget.format == "%Y-%m-%d", name
            rendered = field.widget.render(name, dt.date(1962, 5, 14))
            assert 'value="1962-05-14"' in rendered
            # read back in words under the box (static/js/date-words.js, nurse14 #16)
            assert "data-date-words" in rendered


@pytest.mark.parametrize("form_class", _project_forms(), ids=lambda cls: cls.__name__)
def test_every_clinical_date_field_is_bounded(form_class: type[forms.BaseForm]) -> None:
    if form_class.__module__.startswith("bonehealth.audit"):
        return  # the audit trail's search filters hold no clinical date
    for name, field in form_class.base_fields.items():
        if isinstance(field, forms.DateField):
            assert isinstance(field, DateField), f"{form_class.__name__}.{name}"


@pytest.mark.parametrize("value", ["1899-12-31", "2200-01-01", "9999-12-31"])
def test_the_date_field_refuses_implausible_years(value: str) -> None:
    with pytest.raises(forms.ValidationError, match="Check the year"):
        DateField().clean(value)


def test_the_date_field_accepts_the_planning_horizon() -> None:
    assert DateField().clean(latest_plausible_date().isoformat()) == latest_plausible_date()
    too_far = latest_plausible_date() + dt.timedelta(days=1)
    with pytest.raises(forms.ValidationError):
        DateField().clean(too_far.isoformat())


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url_name", "data", "field"),
    [
        (
            "patients:ai_course_create",
            {"drug": "letrozole", "start_date": "2300-01-01"},
            "start_date",
        ),
        (
            "monitoring:therapy_create",
            {"drug": "denosumab", "start_date": "2250-06-01"},
            "start_date",
        ),
        (
            "monitoring:therapy_create",
            {"drug": "zoledronic_acid", "dental_review_date": "2250-06-01"},
            "dental_review_date",
        ),
        ("monitoring:plan", {"next_dexa_due": "2299-01-01", "reason": "typo"}, "next_dexa_due"),
    ],
)
def test_a_typo_year_is_refused_by_its_field_and_nothing_is_saved(
    physician_client: Client, patient: Patient, url_name: str, data: dict[str, str], field: str
) -> None:
    events = AuditEvent.objects.count()
    response = physician_client.post(reverse(url_name, args=[patient.pk]), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert "Check the year" in " ".join(form.errors[field])
    assert form[field].value() == data[field]  # what the user typed is kept
    assert AuditEvent.objects.count() == events
    assert not patient.ai_courses.exists()
    assert not patient.bone_therapy.exists()
    assert not patient.plans.exists()
    assert timezone.localdate() < dt.date(2299, 1, 1)


def test_the_forms_bounds_lie_inside_what_the_rules_read() -> None:
    from monitoring.domain import DATE_MAX, DATE_MIN

    assert EARLIEST_DATE == DATE_MIN
    assert latest_plausible_date() <= DATE_MAX
