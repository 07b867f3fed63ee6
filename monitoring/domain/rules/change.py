"""Section 4: change between scans per site (CHG-LSC, CHG-SCANNER, CHG-ANNUAL, CHG-RAPID)."""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from ..rounding import round_1, round_3
from ..thresholds import ANNUALIZE_MIN_DAYS, DAYS_PER_YEAR, DEFAULT_LSC_G_CM2, RAPID_LOSS_PCT
from ..types import SITE_ORDER, AlertCode, BmdChange, RuleId, Severity, Site
from .context import Context, Observation


class SiteChange(NamedTuple):
    """A judged change with the unrounded numbers the projection needs."""

    change: BmdChange
    current: Observation
    earlier: Observation
    days: int
    annualized_pct_exact: Decimal | None
    significant_decrease: bool
    rapid: bool


def lsc_for(ctx: Context, scanner: str, site: Site) -> Decimal:
    """Return the scanner's LSC for `site` from its precision study, else the default."""
    study = ctx.history.scanners.get(scanner)
    if study is not None:
        value = study.lsc.get(site)
        if value is not None:
            return value
    return DEFAULT_LSC_G_CM2[site]


def compare_sites(ctx: Context) -> list[SiteChange | BmdChange]:
    """Compare each site's current measurement with its latest earlier one on the same scanner.

    Return, in site order, a SiteChange for a same-scanner pair and a bare BmdChange (change
    fields null) when the only earlier measurements are from other scanners. Raise the loss alerts
    and one SCANNER_CHANGED alert naming the sites.
    """
    results: list[SiteChange | BmdChange] = []
    changed_scanner: list[Site] = []
    for site in SITE_ORDER:
        observations = ctx.by_site.get(site)
        if not observations or len(observations) < 2:
            continue
        current = observations[-1]
        earlier = next(
            (o for o in reversed(observations[:-1]) if o.scanner == current.scanner), None
        )
        if earlier is None:
            changed_scanner.append(site)
            results.append(
                BmdChange(
                    site=site,
                    from_date=observations[-2].date,
                    to_date=current.date,
                    same_scanner=False,
                )
            )
            continue
        results.append(_judge(ctx, site, earlier, current))
    if changed_scanner:
        names = ", ".join(changed_scanner)
        ctx.alert(
            AlertCode.SCANNER_CHANGED,
            Severity.INFO,
            f"No earlier measurement on the same scanner for {names}: change not judged. "
            "Repeat follow-up scans on one scanner.",
            [RuleId.CHG_SCANNER],
        )
    return results


def _judge(ctx: Context, site: Site, earlier: Observation, current: Observation) -> SiteChange:
    before = earlier.measurement.bmd
    change_exact = current.measurement.bmd - before
    change = round_3(change_exact)
    lsc = lsc_for(ctx, current.scanner, site)
    significant = abs(change) >= lsc
    pct_exact = change_exact / before * 100
    days = (current.date - earlier.date).days
    annualized_exact = pct_exact / (days / DAYS_PER_YEAR) if days >= ANNUALIZE_MIN_DAYS else None
    annualized = round_1(annualized_exact) if annualized_exact is not None else None
    significant_decrease = significant and change < 0
    if annualized is not None:
        rapid = significant_decrease and -annualized >= RAPID_LOSS_PCT
    else:
        rapid = significant_decrease and -round_1(pct_exact) >= RAPID_LOSS_PCT
    since = earlier.date.isoformat()
    pct_text = f"{abs(round_1(pct_exact))} %"
    if significant_decrease:
        ctx.alert(
            AlertCode.SIGNIFICANT_BMD_LOSS,
            Severity.WARNING,
            f"{site}: BMD fell {abs(change)} g/cm² ({pct_text}) since {since}, reaching the "
            f"{lsc} g/cm² least significant change.",
            [RuleId.CHG_LSC],
            site=site,
        )
    if rapid:
        rate = f"{abs(annualized)} %/yr" if annualized is not None else f"{pct_text} in {days} days"
        ctx.alert(
            AlertCode.RAPID_BMD_LOSS,
            Severity.HIGH,
            f"{site}: rapid bone loss of {rate} since {since} (threshold 5 %/yr, or 5 % under "
            "300 days): bone-protective therapy is indicated.",
            [RuleId.CHG_RAPID],
            site=site,
        )
    return SiteChange(
        change=BmdChange(
            site=site,
            from_date=earlier.date,
            to_date=current.date,
            same_scanner=True,
            change_g_cm2=change,
            change_pct=round_1(pct_exact),
            annualized_pct=annualized,
            lsc_g_cm2=lsc,
            significant=significant,
        ),
        current=current,
        earlier=earlier,
        days=days,
        annualized_pct_exact=annualized_exact,
        significant_decrease=significant_decrease,
        rapid=rapid,
    )
