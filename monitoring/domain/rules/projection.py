"""Section 6: when a site's T-score is expected to cross -2.0 and -2.5 (PROJ). An estimate only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

from ..rounding import round_1
from ..thresholds import (
    ANNUALIZE_MIN_DAYS,
    ATAC_ANNUAL_LOSS_PCT,
    ATAC_SD_G_CM2,
    DAYS_PER_YEAR,
    PROJECTION_HORIZON_YEARS,
    T_OSTEOPOROSIS_MAX,
    TX_AI_T_BELOW,
)
from ..types import CENTRAL_SITES, Projection, ProjectionBasis, Site
from .change import SiteChange
from .context import Context

_HORIZON_DAYS = int(PROJECTION_HORIZON_YEARS * DAYS_PER_YEAR)


def project(ctx: Context, compared: Mapping[Site, SiteChange]) -> tuple[Projection, ...]:
    """Project each central site whose current T-score is above -2.5."""
    atac_applies = ctx.ai_active and not ctx.antiresorptive_active
    projections: list[Projection] = []
    for site in CENTRAL_SITES:
        observations = ctx.by_site.get(site)
        if not observations:
            continue
        current = observations[-1]
        t0 = current.measurement.t_score
        if round_1(t0) <= T_OSTEOPOROSIS_MAX:
            continue
        bmd0 = current.measurement.bmd
        change = compared.get(site)
        delta_t = (
            change.current.measurement.t_score - change.earlier.measurement.t_score
            if change is not None
            else Decimal(0)
        )
        if (
            change is not None
            and change.significant_decrease
            and change.days >= ANNUALIZE_MIN_DAYS
            and change.annualized_pct_exact is not None
            and delta_t != 0
        ):
            basis = ProjectionBasis.OWN_TREND
            rate = -change.annualized_pct_exact / 100
            delta_bmd = change.current.measurement.bmd - change.earlier.measurement.bmd
            sd = abs(delta_bmd / delta_t)
        elif atac_applies:
            basis = ProjectionBasis.ATAC_MEDIAN
            rate = ATAC_ANNUAL_LOSS_PCT[site] / 100
            sd = ATAC_SD_G_CM2[site]
        else:
            continue
        slope = bmd0 * rate / sd  # T-score units lost per year
        projections.append(
            Projection(
                site=site,
                basis=basis,
                crosses_minus_2_0_on=_crossing(current.date, t0, slope, TX_AI_T_BELOW),
                crosses_minus_2_5_on=_crossing(current.date, t0, slope, T_OSTEOPOROSIS_MAX),
            )
        )
    return tuple(projections)


def _crossing(start: dt.date, t0: Decimal, slope: Decimal, threshold: Decimal) -> dt.date | None:
    """Return the day T0 - slope x t reaches `threshold`, or None if already there or too far."""
    if round_1(t0) <= threshold or slope <= 0:
        return None
    days = int(((t0 - threshold) / slope * DAYS_PER_YEAR).to_integral_value())
    if days > _HORIZON_DAYS:
        return None
    return start + dt.timedelta(days=days)
