"""Section 6: when a site's T-score is expected to cross -2.0 and -2.5 (PROJ). An estimate only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import ROUND_HALF_UP
from typing import Final

from .. import construct
from ..rounding import TENTH
from ..thresholds import (
    ANNUALIZE_MIN_DAYS,
    ATAC_ANNUAL_LOSS_PCT,
    ATAC_SD_G_CM2,
    DAYS_PER_YEAR,
    PROJECTION_HORIZON_YEARS,
    PROJECTION_THRESHOLDS,
    T_OSTEOPOROSIS_MAX,
)
from ..types import CENTRAL_SITES, Projection, ProjectionBasis, Site
from .change import SiteChange
from .context import Context

_HORIZON_DAYS = int(PROJECTION_HORIZON_YEARS * DAYS_PER_YEAR)
# The ATAC rates as fractions per year (exact divisions, done once).
_ATAC_RATE: Final = {site: pct / 100 for site, pct in ATAC_ANNUAL_LOSS_PCT.items()}


def project(ctx: Context, compared: Mapping[Site, SiteChange]) -> tuple[Projection, ...]:
    """Project each central site whose current T-score is above -2.5."""
    atac_applies = ctx.ai_active and not ctx.antiresorptive_active
    projections: list[Projection] = []
    by_site = ctx.by_site
    for site in CENTRAL_SITES:
        observations = by_site.get(site)
        if not observations:
            continue
        current = observations[-1]
        t0 = current.measurement.t_score
        t0_rounded = t0.quantize(TENTH, ROUND_HALF_UP)
        if t0_rounded <= T_OSTEOPOROSIS_MAX:
            continue
        basis: ProjectionBasis | None = None
        change = compared.get(site)
        if change is not None:
            annualized = change.annualized_pct_exact
            delta_t = change.current.measurement.t_score - change.earlier.measurement.t_score
            if (
                change.significant_decrease
                and change.days >= ANNUALIZE_MIN_DAYS
                and annualized is not None
                and delta_t != 0
            ):
                basis = ProjectionBasis.OWN_TREND
                rate = -annualized / 100
                delta_bmd = change.current.measurement.bmd - change.earlier.measurement.bmd
                sd = abs(delta_bmd / delta_t)
        if basis is None:
            if not atac_applies:
                continue
            basis = ProjectionBasis.ATAC_MEDIAN
            rate = _ATAC_RATE[site]
            sd = ATAC_SD_G_CM2[site]
        slope = current.measurement.bmd * rate / sd  # T-score units lost per year
        # The two crossings (-2.0, then -2.5), inline: None if already there, rising or too far.
        crossings: list[dt.date | None] = []
        for threshold in PROJECTION_THRESHOLDS:
            if t0_rounded <= threshold or slope <= 0:
                crossings.append(None)
                continue
            days = int(((t0 - threshold) / slope * DAYS_PER_YEAR).to_integral_value())
            crossings.append(
                current.date + dt.timedelta(days=days) if days <= _HORIZON_DAYS else None
            )
        projections.append(
            construct.projection(
                site=site,
                basis=basis,
                crosses_minus_2_0_on=crossings[0],
                crosses_minus_2_5_on=crossings[1],
            )
        )
    return tuple(projections)
