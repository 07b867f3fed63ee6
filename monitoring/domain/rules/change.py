"""Section 4: change between scans per site (CHG-LSC, CHG-SCANNER, CHG-ANNUAL, CHG-RAPID)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Final, NamedTuple

from .. import construct
from ..rounding import TENTH, THOUSANDTH
from ..thresholds import ANNUALIZE_MIN_DAYS, DAYS_PER_YEAR, DEFAULT_LSC_G_CM2, RAPID_LOSS_PCT
from ..types import SITE_NAMES, SITE_ORDER, AlertCode, BmdChange, RuleId, Severity, Site
from .context import Context, CourseStatus, Observation

_HUNDRED: Final = Decimal(100)


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
    standing_losses: list[SiteChange] = []
    by_site = ctx.by_site
    for site in SITE_ORDER:
        observations = by_site.get(site)
        if observations is None or len(observations) < 2:
            continue
        current = observations[-1]
        earlier = earlier_on_same_scanner(observations, len(observations) - 1)
        if earlier is None:
            changed_scanner.append(site)
            pair = last_same_scanner_pair(observations)
            if pair is not None:
                last = _judge(ctx, site, *pair, alerts=False)
                if last.significant_decrease:
                    standing_losses.append(last)
            results.append(
                construct.bmd_change(
                    site=site,
                    from_date=observations[-2].date,
                    to_date=current.date,
                    same_scanner=False,
                )
            )
            continue
        results.append(_judge(ctx, site, earlier, current))
    if changed_scanner:
        names = ", ".join(SITE_NAMES[site].lower() for site in changed_scanner)
        ctx.alert(
            AlertCode.SCANNER_CHANGED,
            Severity.INFO,
            f"No earlier measurement on the same scanner for {names}: change not judged. "
            f"Repeat follow-up scans on one scanner.{_standing_loss_words(standing_losses)}",
            [RuleId.CHG_SCANNER],
        )
    return results


def earlier_on_same_scanner(observations: Sequence[Observation], index: int) -> Observation | None:
    """The latest measurement before `observations[index]` (date order) on its scanner, or None."""
    scanner = observations[index].scanner
    for earlier in reversed(observations[:index]):
        if earlier.scanner == scanner:
            return earlier
    return None


def last_same_scanner_pair(
    observations: Sequence[Observation],
) -> tuple[Observation, Observation] | None:
    """The last comparison on one scanner before the current (last) measurement of a site: the
    latest earlier measurement that had an earlier one on its own scanner, with that one (as
    `earlier_on_same_scanner` paired them then); None when there was none.

    CHG-SCANNER judges no change across scanners, so a significant loss measured on the old
    scanner would vanish with the first scan on a new one (physician11 F8); the SCANNER_CHANGED
    alert says it instead (the specification is silent; the conservative reading).
    """
    for index in range(len(observations) - 2, 0, -1):
        earlier = earlier_on_same_scanner(observations, index)
        if earlier is not None:
            return earlier, observations[index]
    return None


def _standing_loss_words(losses: Sequence[SiteChange]) -> str:
    """The sentence SCANNER_CHANGED adds for the significant losses of the last same-scanner
    comparisons: site, fall, dates and scanner; empty without any."""
    if not losses:
        return ""
    parts = [
        f"{SITE_NAMES[loss.change.site].lower()} fell {abs(loss.change.change_g_cm2 or 0)} "
        f"g/cm² ({abs(loss.change.change_pct or 0)} %) from {loss.earlier.date.isoformat()} "
        f"to {loss.current.date.isoformat()} on {loss.current.scanner}"
        for loss in losses
    ]
    return (
        " The last comparison on one scanner showed a significant loss, not undone by a scan "
        f"on another: {'; '.join(parts)}."
    )


def _judge(
    ctx: Context, site: Site, earlier: Observation, current: Observation, *, alerts: bool = True
) -> SiteChange:
    """The change from `earlier` to `current` on one scanner, with its loss alerts unless
    `alerts` is False (a past comparison, quoted rather than raised again)."""
    before = earlier.measurement.bmd
    change_exact = current.measurement.bmd - before
    change = change_exact.quantize(THOUSANDTH, ROUND_HALF_UP)
    lsc = lsc_for(ctx, current.scanner, site) if ctx.history.scanners else DEFAULT_LSC_G_CM2[site]
    significant = abs(change) >= lsc
    pct_exact = change_exact / before * _HUNDRED
    pct = pct_exact.quantize(TENTH, ROUND_HALF_UP)
    days = (current.date - earlier.date).days
    annualized_exact: Decimal | None
    annualized: Decimal | None
    if days >= ANNUALIZE_MIN_DAYS:
        annualized_exact = pct_exact / (days / DAYS_PER_YEAR)
        annualized = annualized_exact.quantize(TENTH, ROUND_HALF_UP)
    else:
        annualized_exact = annualized = None
    significant_decrease = significant and change < 0
    if not significant_decrease:
        rapid = False
    elif annualized is not None:
        rapid = -annualized >= RAPID_LOSS_PCT
    else:
        rapid = -pct >= RAPID_LOSS_PCT
    if significant_decrease and alerts:
        _loss_alerts(ctx, site, earlier, change, lsc, pct, annualized, days, rapid=rapid)
    return SiteChange(
        change=construct.bmd_change(
            site=site,
            from_date=earlier.date,
            to_date=current.date,
            same_scanner=True,
            change_g_cm2=change,
            change_pct=pct,
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


def _loss_alerts(
    ctx: Context,
    site: Site,
    earlier: Observation,
    change: Decimal,
    lsc: Decimal,
    pct: Decimal,
    annualized: Decimal | None,
    days: int,
    *,
    rapid: bool,
) -> None:
    """Raise SIGNIFICANT_BMD_LOSS, and RAPID_BMD_LOSS when `rapid`, for a significant decrease."""
    since = earlier.date.isoformat()
    pct_text = f"{abs(pct)} %"
    ctx.alert(
        AlertCode.SIGNIFICANT_BMD_LOSS,
        Severity.WARNING,
        f"{SITE_NAMES[site]} BMD fell {abs(change)} g/cm² ({pct_text}) since {since}, reaching "
        f"the {lsc} g/cm² least significant change.",
        [RuleId.CHG_LSC],
        site=site,
    )
    if rapid:
        rate = f"{abs(annualized)} %/yr" if annualized is not None else f"{pct_text} in {days} days"
        ctx.alert(
            AlertCode.RAPID_BMD_LOSS,
            Severity.HIGH,
            f"{SITE_NAMES[site]} BMD is falling fast: {rate} since {since} (threshold 5 %/yr, or "
            f"5 % under 300 days), {_what_to_do(ctx, earlier.date)}.",
            [RuleId.CHG_RAPID],
            site=site,
        )


def _what_to_do(ctx: Context, since: dt.date) -> str:
    """What a rapid loss asks for, in words: therapy where none is taken; on an antiresorptive
    already (physician7 F10: "so therapy is indicated" read as if none were given), a review of
    adherence and of the treatment. The alert and its triggers are the same either way."""
    active = [t for t in ctx.therapies if t.status is CourseStatus.ACTIVE]
    if not active:
        return "so bone-protective therapy is indicated"
    therapy = max(active, key=lambda t: t.start or dt.date.min)
    drug = therapy.drug.replace("_", " ")
    start = therapy.start.isoformat() if therapy.start else "an unknown date"
    if therapy.start is not None and therapy.start > since:
        return (
            f"partly or wholly before {drug} (started {start}): check the response on {drug} at "
            "the next scan, and its adherence"
        )
    return (
        f"on {drug} (since {start}): review adherence (doses on time) and the treatment, as this "
        "loss may mean it is failing"
    )
