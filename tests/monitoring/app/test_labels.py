"""Every code the rules can give has a label a clinician reads (never a code with underscores)."""

import pytest

from monitoring.domain import AlertCode, RecommendationCode
from monitoring.labels import ALERT_LABELS, RECOMMENDATION_LABELS, code_label


def test_every_alert_and_recommendation_code_has_a_label() -> None:
    assert set(ALERT_LABELS) == set(AlertCode)
    assert set(RECOMMENDATION_LABELS) == set(RecommendationCode)


@pytest.mark.parametrize("code", [*AlertCode, *RecommendationCode])
def test_labels_read_as_words(code: str) -> None:
    label = code_label(code)
    assert "_" not in label
    assert label[0].isupper()
    assert label != code
