"""phys13 F3 and F7: the Cockcroft-Gault clearance of a creatinine of the eGFR's sample is that
date's creatinine clearance when lower than the eGFR (rules/kidney.py: the drug labels' limits are
creatinine clearances), so RENAL, the kidney words and the therapy alert judge it; and the
therapy alert names only the antiresorptives kidney function leaves."""

from __future__ import annotations

from decimal import Decimal

from monitoring.domain import (
    AlertCode,
    Analyte,
    Assessment,
    BoneTherapyDrug,
    RecommendationCode,
    Severity,
    assess,
)

from .builders import ai, d, history, lab, patient, scan, therapy

AS_OF = d("2026-12-07")
# phys13's patient: a woman of 76 (born 1950-03-01), 47 kg.
SMALL = {"birth_date": d("1950-03-01"), "weight_kg": Decimal(47)}
# By hand: (140 - 76) x 47 / (72 x 110 / 88.42) x 0.85 = 28.545... -> 28.5 mL/min.
SAMPLE = (lab("2026-12-02", Analyte.EGFR, "40"), lab("2026-12-02", Analyte.CREATININE, "110"))
BASIS = (
    "The estimate is from the creatinine 110.00 µmol/L on 2026-12-02 and the weight on record, "
    "47 kg; it is lower than the eGFR 40.00 mL/min/1.73 m² of the same sample, and the drug "
    "labels set their limits in creatinine clearance."
)


def _alerts(*labs: object, drug: BoneTherapyDrug, **who: object) -> dict[AlertCode, object]:
    h = history(patient=patient(**(SMALL | who)), labs=labs, bone_therapy=(therapy(drug, None),))
    return {a.code: a for a in assess(h, as_of=AS_OF).alerts}


def test_the_lower_same_sample_estimate_contraindicates_zoledronic_acid() -> None:
    alerts = _alerts(*SAMPLE, drug=BoneTherapyDrug.ZOLEDRONIC_ACID)
    assert AlertCode.RENAL_DOSE_CHECK not in alerts
    alert = alerts[AlertCode.RENAL_CONTRAINDICATION]
    assert alert.severity is Severity.CRITICAL  # type: ignore[attr-defined]
    assert alert.message == (  # type: ignore[attr-defined]
        "creatinine clearance 28.5 mL/min on 2026-12-02, estimated by Cockcroft-Gault (< 35): "
        f"zoledronic acid is contraindicated. {BASIS}"
    )


def test_below_30_it_is_denosumab_s_hypocalcaemia_risk() -> None:
    alerts = _alerts(*SAMPLE, drug=BoneTherapyDrug.DENOSUMAB)
    alert = alerts[AlertCode.HYPOCALCEMIA_RISK_RENAL]
    assert alert.severity is Severity.HIGH  # type: ignore[attr-defined]
    assert BASIS in alert.message  # type: ignore[attr-defined]


def test_a_higher_estimate_leaves_the_egfr_judged() -> None:
    # 90 kg: (140 - 76) x 90 / (72 x 60 / 88.42) x 0.85 = 100.2 mL/min, above the eGFR 40.
    alerts = _alerts(
        lab("2026-12-02", Analyte.EGFR, "40"),
        lab("2026-12-02", Analyte.CREATININE, "60"),
        drug=BoneTherapyDrug.ZOLEDRONIC_ACID,
        weight_kg=Decimal(90),
    )
    assert set(alerts) & {AlertCode.RENAL_CONTRAINDICATION, AlertCode.RENAL_DOSE_CHECK} == {
        AlertCode.RENAL_DOSE_CHECK
    }
    message = alerts[AlertCode.RENAL_DOSE_CHECK].message  # type: ignore[attr-defined]
    assert message == (
        "eGFR 40.00 mL/min/1.73 m² on 2026-12-02 (35 to 60): check the zoledronic acid dose."
    )


def test_without_a_weight_the_egfr_is_judged_and_the_weight_asked_for() -> None:
    alerts = _alerts(*SAMPLE, drug=BoneTherapyDrug.ZOLEDRONIC_ACID, weight_kg=None)
    message = alerts[AlertCode.RENAL_DOSE_CHECK].message  # type: ignore[attr-defined]
    assert AlertCode.RENAL_CONTRAINDICATION not in alerts
    assert message == (
        "eGFR 40.00 mL/min/1.73 m² on 2026-12-02 (35 to 60): check the zoledronic acid dose. "
        "Creatinine 110.00 µmol/L on 2026-12-02, of the same sample, gives no estimated "
        "clearance (Cockcroft-Gault) without the patient's weight: record it, as the drug labels "
        "set their limits in creatinine clearance and a lower estimate would be judged."
    )


def test_a_measured_clearance_of_the_sample_wins_over_the_estimate() -> None:
    alerts = _alerts(
        *SAMPLE, lab("2026-12-02", Analyte.CRCL, "45"), drug=BoneTherapyDrug.ZOLEDRONIC_ACID
    )
    message = alerts[AlertCode.RENAL_DOSE_CHECK].message  # type: ignore[attr-defined]
    assert message.startswith("creatinine clearance 45.00 mL/min on 2026-12-02 (35 to 60)")
    assert AlertCode.RENAL_CONTRAINDICATION not in alerts


def test_a_creatinine_of_another_date_is_no_estimate_of_the_egfr_s_sample() -> None:
    alerts = _alerts(
        lab("2026-12-02", Analyte.EGFR, "40"),
        lab("2026-11-20", Analyte.CREATININE, "110"),
        drug=BoneTherapyDrug.ZOLEDRONIC_ACID,
    )
    assert AlertCode.RENAL_CONTRAINDICATION not in alerts
    assert "estimated" not in alerts[AlertCode.RENAL_DOSE_CHECK].message  # type: ignore[attr-defined]


# --- F7: the therapy alert says what kidney function leaves ------------------------------------


def _indicated(*labs: object, **who: object) -> Assessment:
    h = history(
        patient=patient(**who),
        aromatase_inhibitors=(ai("2026-06-01"),),
        dexa_scans=(scan("2026-02-15", total_hip=("0.600", "-2.7")),),
        labs=labs,
    )
    return assess(h, as_of=AS_OF)


def _alert_text(result: Assessment) -> str:
    (alert,) = [a for a in result.alerts if a.code is AlertCode.BONE_THERAPY_INDICATED]
    return alert.message


def test_at_egfr_28_the_alert_names_denosumab_with_specialist_advice() -> None:
    result = _indicated(lab("2026-11-30", Analyte.EGFR, "28"))
    text = _alert_text(result)
    assert "start a bisphosphonate or denosumab" not in text
    assert text.endswith(
        "No antiresorptive is active or planned: kidney function (eGFR 28.00 mL/min/1.73 m² on "
        "2026-11-30) contraindicates every bisphosphonate; consider denosumab with specialist "
        "advice (a risk of severe hypocalcaemia below 30 mL/min)."
    )
    (start,) = [
        r for r in result.recommendations if r.code is RecommendationCode.START_BONE_THERAPY
    ]
    assert "every bisphosphonate is contraindicated" in start.message
    assert "seek specialist advice" in start.message


def test_between_30_and_35_the_alert_names_the_drugs_left() -> None:
    text = _alert_text(_indicated(lab("2026-11-30", Analyte.CRCL, "32")))
    assert text.endswith(
        "No antiresorptive is active or planned: start risedronate, ibandronate or denosumab "
        "(kidney function, creatinine clearance 32.00 mL/min on 2026-11-30, contraindicates "
        "zoledronic acid and alendronate)."
    )


def test_from_35_or_with_none_on_file_the_alert_is_unchanged() -> None:
    for labs in ((lab("2026-11-30", Analyte.EGFR, "35"),), ()):
        assert _alert_text(_indicated(*labs)).endswith(
            "No antiresorptive is active or planned: start a bisphosphonate or denosumab."
        )


def test_the_alert_reads_the_same_sample_estimate() -> None:
    text = _alert_text(_indicated(*SAMPLE, **SMALL))
    assert (
        "kidney function (creatinine clearance 28.5 mL/min on 2026-12-02, estimated by "
        "Cockcroft-Gault) contraindicates every bisphosphonate; consider denosumab with "
        "specialist advice (a risk of severe hypocalcaemia below 30 mL/min)." in text
    )
