"""The labs chart of results all from one day has a date axis of a few months around it, though
bone turnover markers (drawn on their own chart) were taken on other days (phys12 F16: the axis
read "23:59:59.999 Nov 6, 2026 … 00:00:00.001")."""

import datetime as dt
from decimal import Decimal

from monitoring import domain
from monitoring.overview.charts.labs import labs_figure
from monitoring.overview.charts.style import SHORTEST_DATE_AXIS_DAYS

A = domain.Analyte
DAY = dt.date(2026, 11, 7)


def test_one_days_results_beside_earlier_ctx_get_a_date_range() -> None:
    labs = (
        domain.LabResult(date=DAY, analyte=A.VITAMIN_D_25OH, value=Decimal(35)),
        domain.LabResult(date=DAY, analyte=A.CALCIUM, value=Decimal("2.3")),
        domain.LabResult(date=DAY, analyte=A.EGFR, value=Decimal(80)),
        domain.LabResult(date=DAY - dt.timedelta(days=115), analyte=A.CTX, value=Decimal("0.5")),
        domain.LabResult(date=DAY + dt.timedelta(days=10), analyte=A.CTX, value=Decimal("0.15")),
    )
    patient = domain.Patient(mrn="", sex=domain.Sex.F, birth_date=dt.date(1950, 1, 1))
    history = domain.History(patient=patient, labs=labs)
    figure = labs_figure(history, domain.UnitSystem.CONVENTIONAL, as_of=DAY + dt.timedelta(days=30))
    assert figure is not None
    start, end = (dt.date.fromisoformat(day) for day in figure["layout"]["xaxis"]["range"])
    assert start < DAY < end
    assert (end - start).days == SHORTEST_DATE_AXIS_DAYS
