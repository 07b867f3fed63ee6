"""phys13 #4: Z_SCORE_APPLIES said "read the Z-scores instead" beside a therapy alert raised on
the T-score. The Population paragraph keeps the T-score risk factor and triggers; the alert now
says so, and gives a Z-score at or below -2.0 as below the expected range for age (info still)."""

from __future__ import annotations

from decimal import Decimal

from monitoring.domain import (
    AlertCode,
    Assessment,
    DexaScan,
    MenopausalStatus,
    Patient,
    RuleId,
    Severity,
    Sex,
    Site,
    SiteMeasurement,
    assess,
)

from .builders import AS_OF, ai, d, history, patient

PREMENOPAUSAL = patient(menopausal_status=MenopausalStatus.PREMENOPAUSAL)
STILL_COUNTS = (
    "The T-score still counts as a risk factor (below -1.5) and for the therapy triggers "
    "(T <= -2.5; T < -2.0 on an aromatase inhibitor)"
)


def _scan(date: str, **sites: tuple[str, str, str | None]) -> DexaScan:
    return DexaScan(
        date=d(date),
        scanner="S1",
        sites={
            Site(name): SiteMeasurement(
                bmd=Decimal(bmd), t_score=Decimal(t), z_score=Decimal(z) if z else None
            )
            for name, (bmd, t, z) in sites.items()
        },
    )


def _z_alert(*scans: DexaScan, who: Patient = PREMENOPAUSAL) -> tuple[str, Severity, Assessment]:
    result = assess(
        history(patient=who, dexa_scans=scans, aromatase_inhibitors=(ai(),)), as_of=AS_OF
    )
    (alert,) = [a for a in result.alerts if a.code is AlertCode.Z_SCORE_APPLIES]
    return alert.message, alert.severity, result


def test_the_therapy_trigger_on_the_t_score_and_the_z_alert_agree() -> None:
    message, severity, result = _z_alert(
        _scan(
            "2025-05-01", lumbar_spine=("0.850", "-2.2", "-1.9"), total_hip=("0.78", "-1.4", "-1.1")
        )
    )
    assert RuleId.TX_AI_T in result.therapy_triggers
    assert severity is Severity.INFO
    assert message.startswith(
        "WHO T-score categories do not apply to a premenopausal woman: read the Z-scores for the "
        "category (Z <= -2.0 is below the expected range for age)."
    )
    assert STILL_COUNTS in message
    assert "instead" not in message
    assert "below the expected range for age: consider" not in message  # Z -1.9


def test_a_low_z_score_of_the_latest_scan_is_named_with_its_value() -> None:
    message, severity, result = _z_alert(
        _scan("2024-11-20", lumbar_spine=("0.850", "-2.2", "-2.5")),
        _scan(
            "2025-05-01",
            lumbar_spine=("0.880", "-1.9", "-2.2"),
            total_hip=("0.780", "-1.4", "-2.2"),  # a tie: the spine comes first
        ),
    )
    assert severity is Severity.INFO
    assert RuleId.TX_AI_T not in result.therapy_triggers
    assert message.startswith(
        "Lowest Z-score -2.2 at the lumbar spine (scan of 2025-05-01): below the expected range "
        "for age: consider secondary causes. WHO T-score categories do not apply"
    )


def test_z_at_the_limit_counts_and_a_scan_without_z_scores_is_passed_over() -> None:
    message, _severity, _result = _z_alert(
        _scan("2025-01-10", femoral_neck=("0.690", "-1.5", "-2.0")),
        _scan("2025-05-01", lumbar_spine=("0.880", "-1.9", None)),
    )
    assert message.startswith("Lowest Z-score -2.0 at the femoral neck (scan of 2025-01-10)")


def test_a_young_man_is_named_as_one() -> None:
    young_man = patient(sex=Sex.M, birth_date=d("1985-01-01"))
    message, _severity, _result = _z_alert(
        _scan("2025-05-01", lumbar_spine=("0.880", "-1.9", "-1.0")), who=young_man
    )
    assert message.startswith("WHO T-score categories do not apply to a man under 50:")
