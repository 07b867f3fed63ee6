"""A decimal comma as nurses type it (nurse9 F14): every number box is a text box, so that Chromium
cannot drop the comma (62,5 became 625); the server reads a lone comma as the decimal point and
refuses, beside the field and keeping what was typed, a comma that could be a thousands one."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django import forms
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import Site
from bonehealth.audit.decimals import DecimalField
from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring.models import DexaScan, FraxResult, LabResult, Scanner
from patients.models import Patient
from tests.factories import ScannerFactory
from tests.html_forms import posted_data
from tests.patients.test_patient_forms import valid_data

TODAY = timezone.localdate()


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("62,5", Decimal("62.5")),
        ("-1,5", Decimal("-1.5")),
        ("0,912", Decimal("0.912")),
        ("0,8", Decimal("0.8")),
        (" 8,5 ", Decimal("8.5")),
        (",5", Decimal("0.5")),
        ("62,50", Decimal("62.5")),  # trailing zeros, as with a point
        ("62.5", Decimal("62.5")),
    ],
)
def test_a_lone_decimal_comma_is_the_decimal_point(typed: str, value: Decimal) -> None:
    assert DecimalField(max_digits=6, decimal_places=3).clean(typed) == value


SEPARATORS = "Use one decimal separator (a dot or a comma) and no thousands separator"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (
            "1,000",
            "Is this 1.000 or 1000? Type the one you mean: a comma before three digits could be "
            "a thousands separator.",
        ),
        ("12,345", "Is this 12.345 or 12345?"),
        ("-2,500", "Is this -2.500 or -2500?"),
        ("1,000.5", f"{SEPARATORS}, e.g. 0.912 or 0,912."),
        ("1.000,5", f"{SEPARATORS}, e.g. 0.912 or 0,912."),
        ("1,2,3", f"{SEPARATORS}, e.g. 0.912 or 0,912."),
        ("62,", "Enter a number, e.g. 0.912 or 0,912."),
        ("abc", "Enter a number, e.g. 0.912 or 0,912."),
        ("NaN", "Enter a number, e.g. 0.912 or 0,912."),
    ],
)
def test_a_comma_that_could_be_a_thousands_separator_is_refused(typed: str, message: str) -> None:
    """nurse11 F9: no message says "with a dot" (a comma is accepted) and the example is the
    field's own, in both separators."""
    with pytest.raises(forms.ValidationError) as refused:
        DecimalField(max_digits=6, decimal_places=3, example="0.912").clean(typed)
    assert message in refused.value.messages[0]
    assert "dot for decimals" not in refused.value.messages[0]


def test_a_field_without_an_example_says_enter_a_number() -> None:
    with pytest.raises(forms.ValidationError) as refused:
        DecimalField(max_digits=6, decimal_places=3).clean("abc")
    assert refused.value.messages == ["Enter a number."]


@pytest.mark.django_db
class TestForms:
    def test_labs_typed_with_a_comma_are_stored_as_typed(
        self, nurse_client: Client, patient: Patient
    ) -> None:
        data = {
            "sample_date": TODAY.isoformat(),
            "vitamin_d_25oh_value": "62,5",
            "vitamin_d_25oh_unit": "nmol/L",
            "creatinine_value": "0,8",
            "creatinine_unit": "mg/dL",
        }
        response = nurse_client.post(reverse("monitoring:labs_create", args=[patient.pk]), data)
        assert response.status_code == 302
        labs = {lab.analyte: lab for lab in LabResult.objects.all()}
        assert labs["vitamin_d_25oh"].entered_value == Decimal("62.5")
        assert labs["creatinine"].entered_value == Decimal("0.8")
        assert labs["creatinine"].value == Decimal("70.736")  # µmol/L

    def test_an_ambiguous_comma_is_refused_beside_the_field_as_typed(
        self, nurse_client: Client, patient: Patient
    ) -> None:
        data = {
            "sample_date": TODAY.isoformat(),
            "vitamin_d_25oh_value": "1,000",
            "vitamin_d_25oh_unit": "ng/mL",
            "calcium_value": "2,3",
            "calcium_unit": "mmol/L",
        }
        response = nurse_client.post(reverse("monitoring:labs_create", args=[patient.pk]), data)
        assert response.status_code == 200
        errors = response.context["form"].errors
        assert list(errors) == ["vitamin_d_25oh_value"]
        assert errors["vitamin_d_25oh_value"][0].startswith("Is this 1.000 or 1000?")
        assert 'value="1,000"' in response.text
        assert 'value="2,3"' in response.text
        assert not LabResult.objects.exists()  # not the calcium either: nothing half-way

    def test_frax_scan_patient_and_scanner_take_a_comma(
        self, nurse_client: Client, admin_client_: Client, patient: Patient, site: Site
    ) -> None:
        frax = {"assessed_on": TODAY.isoformat(), "major_osteoporotic_pct": "8,5", "hip_pct": "1,2"}
        url = reverse("monitoring:frax_create", args=[patient.pk])
        assert nurse_client.post(url, frax).status_code == 302
        saved = FraxResult.objects.get()
        assert (saved.major_osteoporotic_pct, saved.hip_pct) == (Decimal("8.5"), Decimal("1.2"))

        scanner: Scanner = ScannerFactory(site=patient.site)
        scan = {
            "scan_date": (TODAY - timedelta(days=10)).isoformat(),
            "scanner": scanner.pk,
            "lumbar_spine_bmd": "0,912",
            "lumbar_spine_t_score": "-2,4",
        }
        url = reverse("monitoring:scan_create", args=[patient.pk])
        assert nurse_client.post(url, scan).status_code == 302
        measurement = DexaScan.objects.get().measurements.get()
        assert (measurement.bmd, measurement.t_score) == (Decimal("0.912"), Decimal("-2.4"))

        data = valid_data(site, height_cm="162,5", weight_kg="61,5")
        assert nurse_client.post(reverse("patients:create"), data).status_code == 302
        registered = Patient.objects.get(mrn__iexact="b2002")
        assert (registered.height_cm, registered.weight_kg) == (Decimal("162.5"), Decimal("61.5"))

        lsc = {"site": site.pk, "name": "Lunar", "lsc_lumbar_spine": "0,028", "is_active": "on"}
        assert admin_client_.post(reverse("monitoring:scanner_create"), lsc).status_code == 302
        assert Scanner.objects.get(name="Lunar").lsc_lumbar_spine == Decimal("0.028")

    def test_a_whole_number_with_a_comma_is_refused_as_typed(
        self, nurse_client: Client, site: Site
    ) -> None:
        data = valid_data(site, ai_planned_duration_months="1,5")
        response = nurse_client.post(reverse("patients:create"), data)
        assert response.context["form"].errors["ai_planned_duration_months"]
        assert 'value="1,5"' in response.text
        assert not Patient.objects.exists()

    def test_a_resave_typed_with_a_comma_changes_nothing(
        self, nurse_client: Client, patient: Patient
    ) -> None:
        typed = {
            "sample_date": TODAY.isoformat(),
            "vitamin_d_25oh_value": "62.5",
            "vitamin_d_25oh_unit": "nmol/L",
        }
        nurse_client.post(reverse("monitoring:labs_create", args=[patient.pk]), typed)
        lab = LabResult.objects.get()
        url = reverse("monitoring:lab_update", args=[patient.pk, lab.pk])
        data = posted_data(nurse_client.get(url).text, having="value")
        assert data["value"] == "62.5"
        before = LabResult.objects.values().get(pk=lab.pk)
        changes = AuditEvent.objects.filter(action=AuditAction.CHANGE).count()
        response = nurse_client.post(url, {**data, "value": "62,5"}, follow=True)
        assert "Nothing was changed" in response.text
        assert LabResult.objects.values().get(pk=lab.pk) == before
        assert AuditEvent.objects.filter(action=AuditAction.CHANGE).count() == changes


@pytest.mark.django_db
def test_no_entry_form_has_a_number_box(
    nurse_client: Client, physician_client: Client, admin_client_: Client, patient: Patient
) -> None:
    """A `type="number"` box would drop the comma in Chromium before the server could read it."""
    pages = [
        (nurse_client, reverse("patients:create")),
        (nurse_client, reverse("patients:update", args=[patient.pk])),
        (nurse_client, reverse("patients:ai_course_create", args=[patient.pk])),
        (nurse_client, reverse("monitoring:labs_create", args=[patient.pk])),
        (nurse_client, reverse("monitoring:scan_create", args=[patient.pk])),
        (nurse_client, reverse("monitoring:frax_create", args=[patient.pk])),
        (physician_client, reverse("monitoring:therapy_create", args=[patient.pk])),
        (admin_client_, reverse("monitoring:scanner_create")),
    ]
    for client, url in pages:
        page = client.get(url)
        assert page.status_code == 200, url
        assert 'type="number"' not in page.text, url
    assert 'inputmode="decimal"' in nurse_client.get(pages[3][1]).text
    assert 'inputmode="numeric"' in nurse_client.get(pages[0][1]).text
