"""RAPID_BMD_LOSS words what to do by the therapy taken (physician7 F10): "therapy is indicated"
without an antiresorptive, a review of adherence and the treatment on one. The alert, its
severity and TX-RAPID are the same either way."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from monitoring.domain import AlertCode, BoneTherapyDrug, RuleId, Severity, assess

from .builders import d, therapy
from .test_rules import two_scans

AS_OF = d("2025-12-31")  # scans 2024-01-01 and 2024-12-31, spine -7.8 %/yr


def _rapid(*courses: object) -> tuple[str, Severity, tuple[RuleId, ...]]:
    history = dataclasses.replace(two_scans("0.900", "0.830"), bone_therapy=courses)
    result = assess(history, as_of=AS_OF)
    (alert,) = [a for a in result.alerts if a.code is AlertCode.RAPID_BMD_LOSS]
    return alert.message, alert.severity, result.therapy_triggers


def test_without_therapy_therapy_is_indicated() -> None:
    message, severity, triggers = _rapid()
    assert message.endswith("so bone-protective therapy is indicated.")
    assert severity is Severity.HIGH
    assert RuleId.TX_RAPID in triggers


@pytest.mark.parametrize(
    ("start", "words"),
    [
        (
            "2023-06-01",
            "on denosumab (since 2023-06-01): review adherence (doses on time) and the "
            "treatment, as this loss may mean it is failing.",
        ),
        (
            "2024-06-01",
            "partly or wholly before denosumab (started 2024-06-01): check the response on "
            "denosumab at the next scan, and its adherence.",
        ),
    ],
)
def test_on_an_antiresorptive_it_asks_for_a_review_not_for_therapy(start: str, words: str) -> None:
    doses = tuple(
        (d(start) + dt.timedelta(days=182 * n)).isoformat()
        for n in range(6)
        if d(start) + dt.timedelta(days=182 * n) <= AS_OF
    )
    message, severity, triggers = _rapid(therapy(BoneTherapyDrug.DENOSUMAB, start, doses=doses))
    assert message.endswith(words)
    assert "indicated" not in message
    assert severity is Severity.HIGH  # the rule itself is unchanged
    assert RuleId.TX_RAPID in triggers
