"""Every value the rules know is one the database offers, and no other: each model choice and its
domain enum hold the same values.

The monitoring choices take their values from the domain enums (monitoring/models/choices.py), so
a new domain member without a choice (and a label) fails here. The patients app's choices state
their values themselves (it never imports monitoring), so this test is what keeps them equal.
"""

from enum import StrEnum

import pytest
from django.db import models

from monitoring import domain
from monitoring.models import choices
from patients import models as patients

PAIRS: list[tuple[type[models.TextChoices], type[StrEnum]]] = [
    (choices.MeasuredSite, domain.Site),
    (choices.Analyte, domain.Analyte),
    (choices.BoneTherapyDrug, domain.BoneTherapyDrug),
    (choices.Severity, domain.Severity),
    (choices.RiskCategory, domain.RiskCategory),
    (choices.WhoCategory, domain.WhoCategory),
    (choices.ScheduleItem, domain.ScheduleItem),
    (patients.Sex, domain.Sex),
    (patients.MenopausalStatus, domain.MenopausalStatus),
    (patients.Smoking, domain.Smoking),
    (patients.AromataseInhibitor, domain.AromataseInhibitor),
]


@pytest.mark.parametrize(("model_choices", "enum"), PAIRS, ids=lambda c: c.__module__ + c.__name__)
def test_model_choices_hold_the_domain_values(
    model_choices: type[models.TextChoices], enum: type[StrEnum]
) -> None:
    assert [str(choice) for choice in model_choices] == [member.value for member in enum]
    assert all(label for label in model_choices.labels)


def test_vfa_choices_are_the_domain_values_plus_not_done() -> None:
    """The choice "Not done" ("") is the model's own: the history leaves the key out for it."""
    values = [str(choice) for choice in choices.VertebralFractureAssessment]
    assert values == ["", *(member.value for member in domain.VertebralFractureAssessment)]
