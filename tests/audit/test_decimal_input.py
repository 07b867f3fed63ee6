"""Decimal input everywhere: trailing zeros are the same number, real extra precision is refused
beside the field, and stored values are shown (and re-saved) without meaningless zeros."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import Site
from bonehealth.audit.decimals import DecimalField, plain
from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring.models import DexaScan, FraxResult, LabResult, Scanner
from patients.models import Patient
from tests.factories import ScannerFactory
from tests.html_forms import posted_data
from tests.patients.test_patient_forms import valid_data

TODAY = timezone.localdate()


@pytest.mark.parametrize(
    ("typed", "places", "value"),
    [
        ("62.30", 1, Decimal("62.3")),
        ("-2.40", 1, Decimal("-2.4")),
        ("0.9120", 3, Decimal("0.912")),
        ("165.50", 1, Decimal("165.5")),
        ("12.5000", 1, Decimal("12.5")),
        ("18", 3, Decimal("18")),
        ("0.0", 1, Decimal("0.0")),
    ],
)
def test_trailing_zeros_are_the_same_number(typed: str, places: int, value: Decimal) -> None:
    cleaned = DecimalField(max_digits=6, decimal_places=places).clean(typed)
    assert cleaned == value
    assert -int(cleaned.as_tuple().exponent) <= places


@pytest.mark.parametrize(("typed", "places"), [("62.35", 1), ("0.9125", 3), ("165.501", 1)])
def test_real_extra_precision_is_refused_saying_how_many_places(typed: str, places: int) -> None:
    field = DecimalField(max_digits=4, decimal_places=places)
    with pytest.raises(Exception, match=f"Enter at most {places} decimal place") as refused:
        field.clean(typed)
    assert "digits in total" not in str(refused.value)


@pytest.mark.parametrize(
    ("stored", "shown"),
    [("18.000", "18"), ("0.9120", "0.912"), ("100", "100"), ("62.30", "62.3"), ("-0.50", "-0.5")],
)
def test_stored_values_are_shown_without_meaningless_zeros(stored: str, shown: str) -> None:
    assert plain(Decimal(stored)) == shown
    assert DecimalField(decimal_places=3).prepare_value(Decimal(stored)) == shown
    assert DecimalField(decimal_places=3).prepare_value(" 62.30 ") == " 62.30 "  # as typed


@pytest.mark.django_db
class TestForms:
    def test_register_with_trailing_zeros(self, nurse_client: Client, site: Site) -> None:
        data = valid_data(site, height_cm="165.50", weight_kg="62.30")
        assert nurse_client.post(reverse("patients:create"), data).status_code == 302
        patient = Patient.objects.get()
        assert (patient.height_cm, patient.weight_kg) == (Decimal("165.5"), Decimal("62.3"))

    def test_register_refuses_real_extra_precision_beside_the_field(
        self, nurse_client: Client, site: Site
    ) -> None:
        data = valid_data(site, height_cm="165.55")
        response = nurse_client.post(reverse("patients:create"), data)
        assert response.status_code == 200
        errors = response.context["form"].errors
        assert errors["height_cm"] == ["Enter at most 1 decimal place (this value has 2)."]
        assert 'value="165.55"' in response.text
        assert Patient.objects.count() == 0

    def test_a_range_message_replaces_a_count_of_digits(
        self, nurse_client: Client, site: Site
    ) -> None:
        response = nurse_client.post(reverse("patients:create"), valid_data(site, height_cm="1655"))
        assert response.context["form"].errors["height_cm"] == [
            "Height must be between 100 and 230 cm."
        ]

    def test_scan_with_trailing_zeros(self, nurse_client: Client, patient: Patient) -> None:
        scanner = ScannerFactory(site=patient.site)
        data = {
            "scan_date": (TODAY - timedelta(days=10)).isoformat(),
            "scanner": scanner.pk,
            "lumbar_spine_bmd": "0.9120",
            "lumbar_spine_t_score": "-2.40",
        }
        url = reverse("monitoring:scan_create", args=[patient.pk])
        refused = nurse_client.post(url, {**data, "lumbar_spine_bmd": "0.9125"})
        assert refused.context["form"].errors["lumbar_spine_bmd"] == [
            "Enter at most 3 decimal places (this value has 4)."
        ]
        assert DexaScan.objects.count() == 0
        assert nurse_client.post(url, data).status_code == 302
        measurement = DexaScan.objects.get().measurements.get()
        assert (measurement.bmd, measurement.t_score) == (Decimal("0.912"), Decimal("-2.4"))

    def test_frax_with_trailing_zeros(self, nurse_client: Client, patient: Patient) -> None:
        data = {
            "assessed_on": TODAY.isoformat(),
            "major_osteoporotic_pct": "12.50",
            "hip_pct": "3.20",
        }
        url = reverse("monitoring:frax_create", args=[patient.pk])
        assert nurse_client.post(url, data).status_code == 302
        frax = FraxResult.objects.get()
        assert (frax.major_osteoporotic_pct, frax.hip_pct) == (Decimal("12.5"), Decimal("3.2"))

    def test_scanner_lsc_with_trailing_zeros(self, admin_client_: Client, site: Site) -> None:
        data = {"site": site.pk, "name": "Hologic Horizon W", "lsc_lumbar_spine": "0.0280"}
        url = reverse("monitoring:scanner_create")
        assert admin_client_.post(url, {**data, "is_active": "on"}).status_code == 302
        assert Scanner.objects.get().lsc_lumbar_spine == Decimal("0.028")

    def test_lab_edit_shows_the_value_as_typed_and_an_unchanged_save_changes_nothing(
        self, nurse_client: Client, patient: Patient
    ) -> None:
        typed = {
            "sample_date": TODAY.isoformat(),
            "vitamin_d_25oh_value": "18",
            "vitamin_d_25oh_unit": "ng/mL",
        }
        nurse_client.post(reverse("monitoring:labs_create", args=[patient.pk]), typed)
        lab = LabResult.objects.get()
        assert lab.entered_value == Decimal("18.000")
        url = reverse("monitoring:lab_update", args=[patient.pk, lab.pk])
        page = nurse_client.get(url)
        data = posted_data(page.text, having="value")
        assert data["value"] == "18"
        assert "18.000" not in page.text
        before = LabResult.objects.values().get(pk=lab.pk)
        changes = AuditEvent.objects.filter(action=AuditAction.CHANGE).count()
        response = nurse_client.post(url, data, follow=True)
        assert "Nothing was changed" in response.text
        assert LabResult.objects.values().get(pk=lab.pk) == before
        assert AuditEvent.objects.filter(action=AuditAction.CHANGE).count() == changes
