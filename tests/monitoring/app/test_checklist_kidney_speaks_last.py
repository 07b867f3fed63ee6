"""phys14 #1: the pre-treatment checklist's kidney row reads the value that speaks last as RENAL
reads it (`KidneyReading.speaks_last`): a creatinine newer than the kidney function judged whose
Cockcroft-Gault estimate is below the drug's limit never leaves the check Passed, and the row shows
that estimate on the creatinine's date: Failed for a bisphosphonate, a Caution for denosumab (its
limit is a risk of severe hypocalcaemia, not a contraindication); a physician overrides either.
Pure: the checklist of a domain history, no database."""

import dataclasses
import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from monitoring import domain
from monitoring.domain import Analyte, BoneTherapyDrug, Sex
from monitoring.domain.rounding import round_1
from monitoring.domain.rules.kidney import cockcroft_gault
from monitoring.domain.rules.labs import KIDNEY_LIMITS
from monitoring.records.safety import Check, CheckStatus, checklist
from tests.monitoring.domain.builders import history, lab, patient, therapy

AS_OF = dt.date(2026, 12, 7)
MEASURED_ON = dt.date(2026, 6, 1)


def _renal_check(
    drug: BoneTherapyDrug, labs: tuple[domain.LabResult, ...], *, age: int, weight: Decimal
) -> Check:
    """The kidney row of the checklist of a dose of `drug` today, its course running since
    2026-06-10 with a dose then."""
    course = therapy(drug, "2026-06-10", doses=("2026-06-10",), dental="2026-05-20")
    who = patient(birth_date=dt.date(2026 - age, 1, 1), weight_kg=weight, sex=Sex.F)
    h = history(patient=who, labs=labs, bone_therapy=(course,))
    result = checklist(
        h, course=dataclasses.replace(course, doses=(*course.doses, AS_OF)), as_of=AS_OF
    )
    (renal,) = [check for check in result.checks if check.key == "renal"]
    return renal


@settings(max_examples=60, deadline=None)
@given(
    drug=st.sampled_from(sorted(KIDNEY_LIMITS)),
    measured=st.sampled_from([Analyte.EGFR, Analyte.CRCL]),
    kidney=st.integers(min_value=5, max_value=140),
    creatinine=st.decimals(min_value=Decimal(40), max_value=Decimal(900), places=0),
    weight=st.decimals(min_value=Decimal(35), max_value=Decimal(130), places=0),
    age=st.integers(min_value=40, max_value=95),
    days_newer=st.integers(min_value=1, max_value=180),
)
def test_a_newer_creatinine_below_the_limit_never_passes_the_kidney_check(
    drug: BoneTherapyDrug,
    measured: Analyte,
    kidney: int,
    creatinine: Decimal,
    weight: Decimal,
    age: int,
    days_newer: int,
) -> None:
    older = dataclasses.replace(lab("2026-06-01", measured, "1"), value=Decimal(kidney))
    newer = dataclasses.replace(
        lab("2026-06-01", Analyte.CREATININE, "1"),
        date=MEASURED_ON + dt.timedelta(days=days_newer),
        value=creatinine,
    )
    # Born on 1 January, she is `age` on every later day of 2026, the creatinine's date too.
    estimate = round_1(cockcroft_gault(creatinine=creatinine, age=age, sex=Sex.F, weight_kg=weight))
    limit = KIDNEY_LIMITS[drug]
    both = _renal_check(drug, (older, newer), age=age, weight=weight)
    alone = _renal_check(drug, (older,), age=age, weight=weight)
    if estimate < limit:
        assert both.status is not CheckStatus.PASSED
        assert both.failed  # stops the save until overridden
        assert both.physician_override
        # Denosumab below 30 mL/min is a caution (not contraindicated), as a measured value is.
        if drug is BoneTherapyDrug.DENOSUMAB:
            assert both.status is CheckStatus.PHYSICIAN_CAUTION
        else:
            assert both.status is CheckStatus.FAILED
        if kidney >= limit:  # the creatinine speaks last: its estimate, on its date
            assert (both.value, both.date) == (f"{estimate.normalize():f} mL/min", newer.date)
            assert any(str(estimate) in message for message in both.messages)
    else:
        assert (both.status, both.value, both.date) == (alone.status, alone.value, alone.date)


def test_phys14_t14_01_the_kidney_row_fails_zoledronic_acid_and_cautions_denosumab() -> None:
    """78, 48 kg, eGFR 80 on 2026-06-01, creatinine 160 µmol/L on 2026-11-20: 19.4 mL/min."""
    labs = (
        lab("2026-06-01", Analyte.EGFR, "80"),
        lab("2026-11-20", Analyte.CREATININE, "160"),
    )
    for drug, status in (
        (BoneTherapyDrug.ZOLEDRONIC_ACID, CheckStatus.FAILED),
        (BoneTherapyDrug.DENOSUMAB, CheckStatus.PHYSICIAN_CAUTION),
    ):
        renal = _renal_check(drug, labs, age=78, weight=Decimal(48))
        assert renal.status is status
        assert (renal.value, renal.date, renal.analyte) == (
            "19.4 mL/min",
            dt.date(2026, 11, 20),
            Analyte.CRCL,
        )
        assert renal.physician_override
        (message,) = renal.messages
        assert message.startswith("Creatinine 160.00 µmol/L on 2026-11-20 gives an estimated")
