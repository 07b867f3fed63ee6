"""NaN and Infinity are refused beside every decimal field of every form, nothing saved (sec14 #3:
a height or a BMD of "NaN" was a 500, because those fields compared the value before Django's own
check refused it; a weight or a T-score was refused properly).

The forms and their decimal fields are found on the pages themselves: every page a role may open
(`tests/test_access.py`, whose table fails on a URL it does not list), each form its template drew
and each of its fields that takes a decimal. A new form or field is tried without being named here;
a create page only needs its other values (`PAGE_VALUES`), so that the number tried alone stops the
save.
"""

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django import forms
from django.apps import apps
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone

from bonehealth.accounts.models import User
from bonehealth.audit.decimals import DecimalField, not_a_number
from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring.models import Scanner
from monitoring.records.forms.scans import BmdField
from patients.forms import HeightField
from patients.models import Patient
from tests.conftest import login
from tests.factories import LabResultFactory
from tests.html_forms import posted_data
from tests.patients.test_patient_forms import valid_data
from tests.test_access import _every_get_page

pytestmark = pytest.mark.django_db

NOT_FINITE = ["NaN", "Infinity", "-inf"]
TODAY = timezone.localdate()
DAY = (TODAY - timedelta(days=10)).isoformat()

# Every site of a scan whole, so that a number tried leaves no site's other values alone (a BMD
# without its T-score is refused too); those of the patient's scan on this scanner as it reads
# them (`records`), so that nothing is asked about.
SCANNED = {
    "lumbar_spine": "0.912",
    "total_hip": "0.801",
    "femoral_neck": "0.690",
    "radius_33": "0.700",
}
WHOLE_SCAN = {
    f"{site}_{part}": value
    for site, bmd in SCANNED.items()
    for part, value in (("bmd", bmd), ("t_score", "-1.2"), ("z_score", "-0.5"))
} | {"trabecular_bone_score": "1.31"}
# The values a page needs besides the number tried (by URL name), given the patient: a create
# page's, and the other values of a scan's sites.
PAGE_VALUES: dict[str, Callable[[Patient], dict[str, Any]]] = {
    "patients:create": lambda patient: valid_data(patient.site),
    "monitoring:scan_create": lambda patient: {
        "scan_date": DAY,
        "scanner": Scanner.objects.filter(site=patient.site).values_list("pk", flat=True)[0],
        **WHOLE_SCAN,
    },
    "monitoring:scan_update": lambda patient: WHOLE_SCAN,
    "monitoring:labs_create": lambda patient: {
        "sample_date": DAY,
        "vitamin_d_25oh_value": "62.5",
        "vitamin_d_25oh_unit": "nmol/L",
        # The total calcium and the albumin go together, each with its unit.
        "total_calcium": "2.10",
        "total_calcium_unit": "mmol/L",
        "albumin": "30",
        "albumin_unit": "g/L",
    },
    "monitoring:frax_create": lambda patient: {
        "assessed_on": DAY,
        "major_osteoporotic_pct": "8.5",
        "hip_pct": "1.2",
    },
    "monitoring:scanner_create": lambda patient: {
        "site": patient.site_id,
        "name": "Lunar iDXA",
        "lsc_lumbar_spine": "0.028",
        "is_active": "on",
    },
}


@pytest.mark.parametrize(
    "typed", [*NOT_FINITE, "nan", "-NaN", "sNaN", "inf", "+Infinity", "-Infinity"]
)
@pytest.mark.parametrize("field_class", [DecimalField, HeightField, BmdField])
def test_the_shared_field_refuses_them_when_read(
    field_class: type[DecimalField], typed: str
) -> None:
    """Before any field's own check compares the value (a height typed in metres, a BMD in
    mg/cm²), which raised on NaN."""
    field = field_class(max_digits=4, decimal_places=1, example="162.5")
    with pytest.raises(forms.ValidationError) as refused:
        field.clean(typed)
    assert refused.value.messages == ["Enter a number, e.g. 162.5 or 162,5."]


def _forms(response: Any) -> list[forms.BaseForm]:
    """The forms a page's templates were given."""
    contexts = response.context
    if contexts is None:
        return []
    if not isinstance(contexts, list):
        contexts = [contexts]
    found: list[forms.BaseForm] = []
    for context in contexts:
        for layer in context.dicts:
            for value in layer.values():
                if isinstance(value, forms.BaseForm) and not any(value is f for f in found):
                    found.append(value)
    return found


def _decimal_fields(form: forms.BaseForm) -> list[str]:
    return [
        name
        for name, field in form.fields.items()
        if isinstance(field, forms.DecimalField | forms.FloatField)
    ]


def _clinical_data() -> list[list[dict[str, Any]]]:
    """Every row of the clinical apps, and the audit rows but views (a refused form page is
    audited as a view of the patient's record)."""
    tables = [
        list(model._default_manager.order_by("pk").values())
        for app in ("patients", "monitoring")
        for model in apps.get_app_config(app).get_models()
    ]
    tables.append(list(AuditEvent.objects.exclude(action=AuditAction.VIEW).order_by("pk").values()))
    return tables


def _pages(users: dict[str, User], patient: Patient) -> Iterator[tuple[str, str]]:
    """(role, url) of every page once, and the edit page of a calcium result (whose form has the
    total calcium and albumin boxes)."""
    seen: set[str] = set()
    for role, url in _every_get_page(users, patient):
        if url not in seen:
            seen.add(url)
            yield role, url
    calcium = LabResultFactory(
        patient=patient, analyte="calcium", value=2.3, entered_value=2.3, entered_unit="mmol/L"
    )
    yield "nurse", reverse("monitoring:lab_update", args=[patient.pk, calcium.pk])


def _tried(client: Client, url: str, form: forms.BaseForm, patient: Patient) -> Iterator[str]:
    """Post each decimal field of `form` with each of NOT_FINITE, the others as the page shows
    them (with `PAGE_VALUES`); assert each is refused beside its field alone, nothing saved."""
    page = client.get(url).text
    fields = _decimal_fields(form)
    shown = posted_data(page, having=fields[0])
    name = resolve(url).view_name
    if name in PAGE_VALUES:
        shown |= {key: str(value) for key, value in PAGE_VALUES[name](patient).items()}
    before = _clinical_data()
    for field in fields:
        for typed in NOT_FINITE:
            response = client.post(url, shown | {field: typed})
            assert response.status_code == 200, (url, field, typed, response.status_code)
            refused = next(f for f in _forms(response) if field in f.fields)
            example = getattr(refused.fields[field], "example", None)
            assert refused.errors == {field: [not_a_number(example)]}, (url, field, typed)
            # Beside the field, with what was typed kept in its box.
            assert f'id="error_1_id_{field}"' in response.text, (url, field, typed)
            assert posted_data(response.text, having=field)[field] == typed
            assert _clinical_data() == before, (url, field, typed)
        yield field


def test_every_decimal_field_of_every_form_refuses_them_beside_the_field(
    client: Client, nurse: User, physician: User, admin_user: User, patient: Patient
) -> None:
    users = {"nurse": nurse, "physician": physician, "admin": admin_user}
    tried: dict[str, set[str]] = {}
    for role, url in list(_pages(users, patient)):
        client.logout()
        if role:
            login(users[role], client)
        response = client.get(url)
        assert response.status_code == 200, (role, url)
        for form in _forms(response):
            if _decimal_fields(form):
                fields = set(_tried(client, url, form, patient))
                tried.setdefault(type(form).__name__, set()).update(fields)
    # The pages hold every form of the apps whose class declares a decimal field.
    declared = {
        cls.__name__
        for cls in _subclasses(forms.BaseForm)
        if cls.__module__.split(".")[0] in {"patients", "monitoring", "bonehealth"}
        and _decimal_fields(_unbound(cls))
    }
    assert declared <= set(tried)
    # And the fields this report found a 500 in.
    assert {"height_cm", "weight_kg"} <= tried["PatientForm"]
    assert {"lumbar_spine_bmd", "total_hip_bmd", "lumbar_spine_t_score"} <= tried["DexaScanForm"]
    assert {"total_calcium", "albumin"} <= tried["LabResultForm"]


def _subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _unbound(cls: type[forms.BaseForm]) -> forms.BaseForm:
    """A stand-in holding the class's declared fields, without its constructor's arguments."""
    stand_in = forms.Form()
    stand_in.fields = dict(getattr(cls, "base_fields", {}))
    return stand_in
