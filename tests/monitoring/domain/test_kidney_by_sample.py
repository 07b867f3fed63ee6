"""The kidney function of each sample (nurse14 #2: the labs chart rings it) is the rules' one
decision: for the latest sample, exactly what RENAL judges (`kidney_function`), whatever the mix
of measured clearances, eGFRs and creatinines on each date."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from monitoring.domain import Analyte, LabResult
from monitoring.domain.rules.context import build_context
from monitoring.domain.rules.kidney import kidney_function, kidney_function_by_sample

from .builders import d, history, lab, patient

AS_OF = d("2026-12-07")
KINDS = (Analyte.CRCL, Analyte.EGFR, Analyte.CREATININE)

samples = st.lists(
    st.builds(
        LabResult,
        date=st.integers(0, 300).map(lambda days: AS_OF - dt.timedelta(days=days)),
        analyte=st.sampled_from(KINDS),
        value=st.integers(10, 400).map(Decimal),
    ),
    max_size=8,
)


@given(labs=samples, weight=st.sampled_from([None, Decimal(47), Decimal(54), Decimal(90)]))
def test_the_latest_sample_is_judged_as_renal_judges_it(
    labs: list[LabResult], weight: Decimal | None
) -> None:
    who = patient(birth_date=d("1961-01-01"), weight_kg=weight)
    by_sample = kidney_function_by_sample(labs, who)
    judged = kidney_function(build_context(history(patient=who, labs=labs), AS_OF))
    if judged is None:
        assert by_sample == {}
    else:
        latest = max(by_sample)
        assert (latest, by_sample[latest]) == (judged.date, judged)
    measured_dates = {lab.date for lab in labs if lab.analyte is not Analyte.CREATININE}
    assert set(by_sample) == measured_dates


def test_each_sample_is_judged_as_the_rules_judge_it_on_its_date() -> None:
    """A measured clearance wins over the eGFR of its date, then the lowest; an eGFR gives way to
    its sample's lower estimate (65 on the sample date, 54 kg: creatinine 150 µmol/L gives
    28.2 mL/min)."""
    who = patient(birth_date=d("1961-01-01"), weight_kg=Decimal(54))
    labs = (
        lab("2026-10-08", Analyte.EGFR, "70"),
        lab("2026-10-08", Analyte.CRCL, "66"),  # wins over the eGFR of its date
        lab("2026-11-07", Analyte.EGFR, "55"),
        lab("2026-11-07", Analyte.EGFR, "52"),  # the lower of two
        lab("2026-12-07", Analyte.EGFR, "40"),
        lab("2026-12-07", Analyte.CREATININE, "150"),  # lower: judged in the eGFR's place
    )
    judged = kidney_function_by_sample(labs, who)
    assert [(f.date, f.analyte, f.value, f.estimated) for f in judged.values()] == [
        (d("2026-10-08"), Analyte.CRCL, Decimal("66.00"), False),
        (d("2026-11-07"), Analyte.EGFR, Decimal("52.00"), False),
        (d("2026-12-07"), Analyte.CRCL, Decimal("28.2"), True),
    ]
