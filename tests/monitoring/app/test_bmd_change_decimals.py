"""A BMD difference is written to 0.001 g/cm², always with three decimals, as the alert texts
write it (phys12 F9: the change table showed "-0.05" and "+0.0")."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.templatetags.monitoring_display import g_cm2
from patients.models import Patient
from tests.factories import scans_showing_spine_loss

TODAY = timezone.localdate()


@pytest.mark.parametrize(
    ("value", "sign", "text"),
    [
        (-0.05, "signed", "-0.050"),
        (0.0, "signed", "0.000"),
        (-0.0, "signed", "0.000"),
        (0.011, "signed", "+0.011"),
        (-0.066, "signed", "-0.066"),
        (0.03, "", "0.030"),
        (None, "", "—"),
    ],
)
def test_three_decimals(value: float | None, sign: str, text: str) -> None:
    assert g_cm2(value, sign) == text


@pytest.mark.django_db
def test_the_change_table_and_the_gp_letter_write_three_decimals(
    nurse_client: Client, patient: Patient
) -> None:
    scans_showing_spine_loss(patient)
    patient_assessment_refresh(patient=patient)
    page = " ".join(nurse_client.get(reverse("monitoring:patient", args=[patient.pk])).text.split())
    assert "<td>-0.050</td>" in page
    assert "<td>0.000</td>" in page  # the hip, unchanged
    letter = nurse_client.get(reverse("monitoring:letter", args=[patient.pk, "doctor"])).text
    assert "(-0.050 g/cm" in letter
