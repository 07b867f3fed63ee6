"""physician8 D8: advice that names a bisphosphonate says when the latest kidney function (RENAL,
within 12 months) rules them out. After denosumab at eGFR 25 the advice read "Start a
bisphosphonate (e.g. zoledronic acid)", which the RENAL check then refused. Text only: no new
alert code."""

from __future__ import annotations

import pytest

from monitoring.domain import Analyte, Assessment, BoneTherapyDrug, RecommendationCode, assess

from .builders import ai, d, history, lab, scan, therapy

DMAB_STOPPED = therapy(
    BoneTherapyDrug.DENOSUMAB, "2026-01-10", stop="2026-07-10", doses=("2026-01-10", "2026-07-10")
)
AS_OF = d("2026-12-07")
# physician9 F6: with every bisphosphonate ruled out, the advice names the antiresorptive kidney
# function does not rule out, with its RENAL caveat below 30 mL/min.
DENOSUMAB_BELOW_30 = (
    "denosumab is not ruled out by kidney function, but below 30 mL/min it risks severe "
    "hypocalcaemia: monitor calcium and vitamin D closely"
)


def _text(result: Assessment, code: RecommendationCode) -> str:
    (rec,) = [r for r in result.recommendations if r.code is code]
    return rec.message


def _follow_on(*labs: object) -> str:
    result = assess(history(bone_therapy=(DMAB_STOPPED,), labs=labs), as_of=AS_OF)
    return _text(result, RecommendationCode.START_FOLLOW_ON_THERAPY)


def test_at_egfr_25_the_follow_on_advice_names_no_bisphosphonate() -> None:
    text = _follow_on(lab("2026-12-07", Analyte.EGFR, "25"))
    assert text == (
        "A bisphosphonate follow-on is due by 2027-01-10 after denosumab. Kidney function eGFR "
        "25.00 mL/min/1.73 m² on 2026-12-07: every bisphosphonate is contraindicated (below "
        f"30-35 mL/min by drug); {DENOSUMAB_BELOW_30}; seek specialist advice."
    )
    assert "zoledronic acid" not in text


def test_between_30_and_35_the_advice_names_what_is_left() -> None:
    text = _follow_on(lab("2026-12-01", Analyte.CRCL, "32"))
    assert "creatinine clearance 32.00 mL/min on 2026-12-01" in text
    assert "zoledronic acid and alendronate contraindicated (below 35 mL/min)" in text
    assert "risedronate and ibandronate only down to 30 mL/min" in text
    assert "Start a bisphosphonate (e.g. zoledronic acid)" not in text


@pytest.mark.parametrize(
    "labs",
    [
        (),  # none on file
        (lab("2026-12-01", Analyte.EGFR, "35"),),  # at the limit: not below it
        (lab("2025-11-01", Analyte.EGFR, "20"),),  # older than 12 months: not counted
    ],
)
def test_otherwise_the_advice_is_unchanged(labs: tuple[object, ...]) -> None:
    assert _follow_on(*labs) == (
        "Start a bisphosphonate (e.g. zoledronic acid) by 2027-01-10 after denosumab."
    )


def test_the_advice_to_start_therapy_says_it_too() -> None:
    h = history(
        aromatase_inhibitors=(ai("2026-06-01"),),
        dexa_scans=(scan("2026-09-05", lumbar_spine=("0.700", "-2.8")),),
        labs=(lab("2026-12-07", Analyte.EGFR, "25"),),
    )
    text = _text(assess(h, as_of=AS_OF), RecommendationCode.START_BONE_THERAPY)
    assert text.startswith("Start an antiresorptive (bisphosphonate or denosumab): ")
    assert text.endswith(
        "Kidney function eGFR 25.00 mL/min/1.73 m² on 2026-12-07: every bisphosphonate is "
        f"contraindicated (below 30-35 mL/min by drug); {DENOSUMAB_BELOW_30}; seek specialist "
        "advice."
    )


@pytest.mark.parametrize("egfr", ["29.99", "15", "0"])
def test_below_30_the_advice_always_names_denosumab_with_its_caveat(egfr: str) -> None:
    text = _follow_on(lab("2026-12-07", Analyte.EGFR, egfr))
    assert DENOSUMAB_BELOW_30 in text
    assert text.index("Kidney function ") < text.index(DENOSUMAB_BELOW_30)


def test_between_30_and_35_denosumab_is_not_given_the_caveat_below_30() -> None:
    assert "hypocalcaemia" not in _follow_on(lab("2026-12-01", Analyte.CRCL, "32"))
