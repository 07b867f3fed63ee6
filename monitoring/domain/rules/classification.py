"""Section 1: lowest T-score, WHO category, population (Z-scores) and RF-LIST risk factors."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from .. import construct
from ..catalogue import Z_SCORE_SOURCES
from ..rounding import TENTH, round_1
from ..thresholds import (
    MALE_T_SCORE_MIN_AGE,
    RF_AGE_OVER,
    RF_BMI_UNDER,
    RF_GLUCOCORTICOID_MONTHS_OVER,
    RF_T_BELOW,
    T_NORMAL_MIN,
    T_OSTEOPOROSIS_MAX,
    TX_AI_T_BELOW,
    TX_T_OSTEOPOROSIS,
    Z_BELOW_EXPECTED_MAX,
)
from ..types import (
    CENTRAL_SITES,
    SITE_NAMES,
    SITE_ORDER,
    AlertCode,
    LowestTScore,
    MenopausalStatus,
    RiskFactor,
    RuleId,
    Severity,
    Sex,
    Site,
    Smoking,
    VertebralFractureAssessment,
    WhoCategory,
)
from .context import Context, Observation


def current(ctx: Context, site: Site) -> Observation | None:
    """Return the most recent measurement of `site` on or before `as_of`."""
    observations = ctx.by_site.get(site)
    return observations[-1] if observations else None


def lowest_t_score(ctx: Context) -> LowestTScore | None:
    """Return the lowest current T-score (rounded to 0.1), ties to spine, then hip, then neck.

    The radius counts only when none of the three central sites was ever measured.
    """
    by_site = ctx.by_site
    sites = [site for site in CENTRAL_SITES if site in by_site] or [Site.RADIUS_33]
    found: tuple[Site, Decimal, Observation] | None = None
    for site in sites:
        observations = by_site.get(site)
        if not observations:
            continue
        observation = observations[-1]
        value = observation.measurement.t_score.quantize(TENTH, ROUND_HALF_UP)
        if found is None or value < found[1]:  # strict: earlier site wins a tie
            found = (site, value, observation)
    if found is None:
        return None
    site, value, observation = found
    return construct.lowest_t_score(site=site, value=value, date=observation.date)


def t_scores_apply(ctx: Context) -> bool:
    """Tell whether WHO T-score categories apply: postmenopausal women and men aged 50 or more."""
    patient = ctx.history.patient
    return t_scores_apply_to(patient.sex, patient.menopausal_status, ctx.age)


def t_scores_apply_to(sex: Sex, menopausal_status: MenopausalStatus | None, age: int) -> bool:
    """The Population test of WHO-CAT on its own: also what the scan form asks the Z-score by
    (a Z-score is the one read where this is False)."""
    if sex is Sex.M:
        return age >= MALE_T_SCORE_MIN_AGE
    return menopausal_status is not MenopausalStatus.PREMENOPAUSAL


def who_category(ctx: Context, lowest: LowestTScore | None) -> WhoCategory:
    """Apply WHO-CAT; raise Z_SCORE_APPLIES for a population T-scores are not made for."""
    if not t_scores_apply(ctx):
        ctx.alert(
            AlertCode.Z_SCORE_APPLIES,
            Severity.INFO,
            z_score_words(ctx),
            [RuleId.WHO_CAT],
            sources=Z_SCORE_SOURCES,
        )
        return WhoCategory.NOT_APPLICABLE
    if lowest is None:
        return WhoCategory.UNKNOWN
    if lowest.value >= T_NORMAL_MIN:
        return WhoCategory.NORMAL
    if lowest.value <= T_OSTEOPOROSIS_MAX:
        return WhoCategory.OSTEOPOROSIS
    return WhoCategory.OSTEOPENIA


def lowest_z_score(ctx: Context) -> tuple[Site, Decimal, dt.date] | None:
    """The lowest Z-score (rounded to 0.1) of the latest scan date with one, ties in site order;
    None when no scan has a Z-score. The same one the patient page quotes ("Lowest Z-score")."""
    dated = [scan for scan in ctx.scans if any(m.z_score is not None for m in scan.sites.values())]
    if not dated:
        return None
    day = dated[-1].date  # scans sorted by date
    found: tuple[Site, Decimal, dt.date] | None = None
    for site in SITE_ORDER:
        for scan in dated:
            measured = scan.sites.get(site) if scan.date == day else None
            if measured is None or measured.z_score is None:
                continue
            value = measured.z_score.quantize(TENTH, ROUND_HALF_UP)
            if found is None or value < found[1]:
                found = (site, value, day)
    return found


def z_score_words(ctx: Context) -> str:
    """Z_SCORE_APPLIES's text: the category is read on Z-scores, and the T-score still counts.

    The Population paragraph keeps every other rule, T-score risk factors and triggers included
    (Hadji 2017 and ESMO 2020 apply the T-score algorithm to premenopausal women on ovarian
    suppression with an aromatase inhibitor). The alert said only "read the Z-scores instead",
    beside a therapy alert raised on the T-score (phys13 #4): it now says both, and, when the
    lowest Z-score is at or below -2.0 (ISCD), says so with its value. Severity and code unchanged.
    """
    patient = ctx.history.patient
    who = f"a man under {MALE_T_SCORE_MIN_AGE}" if patient.sex is Sex.M else "a premenopausal woman"
    lowest_z = lowest_z_score(ctx)
    below = ""
    if lowest_z is not None and lowest_z[1] <= Z_BELOW_EXPECTED_MAX:
        site, value, day = lowest_z
        below = (
            f"Lowest Z-score {value} at the {SITE_NAMES[site].lower()} (scan of "
            f"{day.isoformat()}): below the expected range for age: consider secondary causes. "
        )
    return (
        f"{below}WHO T-score categories do not apply to {who}: read the Z-scores for the "
        f"category (Z <= {Z_BELOW_EXPECTED_MAX} is below the expected range for age). The "
        f"T-score still counts as a risk factor (below {RF_T_BELOW}) and for the therapy "
        f"triggers (T <= {TX_T_OSTEOPOROSIS}; T < {TX_AI_T_BELOW} on an aromatase inhibitor), "
        "as the aromatase-inhibitor guidelines apply them."
    )


def bmi(ctx: Context) -> Decimal | None:
    """Return the BMI in kg/m², rounded to 0.1, or None without height and weight."""
    patient = ctx.history.patient
    if patient.height_cm is None or patient.weight_kg is None:
        return None
    height_m = patient.height_cm / 100
    return round_1(patient.weight_kg / (height_m * height_m))


def risk_factors(ctx: Context, lowest: LowestTScore | None) -> tuple[RiskFactor, ...]:
    """Return the RF-LIST codes present on `as_of`, sorted."""
    factors = ctx.history.patient.risk_factors
    found: list[RiskFactor] = []
    if lowest is not None and lowest.value < RF_T_BELOW:
        found.append(RiskFactor.T_BELOW_MINUS_1_5)
    if ctx.age > RF_AGE_OVER:
        found.append(RiskFactor.AGE_OVER_65)
    body_mass = bmi(ctx)
    if body_mass is not None and body_mass < RF_BMI_UNDER:
        found.append(RiskFactor.BMI_UNDER_20)
    if factors.parent_hip_fracture:
        found.append(RiskFactor.PARENT_HIP_FRACTURE)
    if fragility_fracture(ctx):
        found.append(RiskFactor.FRAGILITY_FRACTURE)
    if factors.oral_glucocorticoid_months > RF_GLUCOCORTICOID_MONTHS_OVER:
        found.append(RiskFactor.GLUCOCORTICOIDS_OVER_6_MONTHS)
    if factors.smoking is not Smoking.NEVER:
        found.append(RiskFactor.SMOKING)
    if factors.alcohol_3_or_more_units_daily:
        found.append(RiskFactor.ALCOHOL_3_UNITS)
    return tuple(sorted(found))


def fragility_fracture(ctx: Context) -> bool:
    """Tell whether a prior fragility fracture is on file; one dated after `as_of` is absent.

    Either the patient record says so, or a scan on or before `as_of` saw a vertebral fracture
    on its vertebral fracture assessment (`vfa_fracture_scan`).
    """
    return recorded_fracture(ctx) or vfa_fracture_scan(ctx) is not None


def recorded_fracture(ctx: Context) -> bool:
    """Tell whether the patient record has a prior fragility fracture dated on or before `as_of`."""
    factors = ctx.history.patient.risk_factors
    if not factors.prior_fragility_fracture:
        return False
    date = factors.prior_fracture_date
    return date is None or date <= ctx.as_of


def vfa_fracture_scan(ctx: Context) -> dt.date | None:
    """Return the date of the earliest scan whose VFA saw a vertebral fracture, or None.

    The spec is silent on VFA. The conservative reading: a morphometric vertebral fracture is a
    fragility fracture (ASCO 2019, ESMO 2020, Hadji 2017), dated the scan's date. A later scan
    reading "no fracture" does not undo it: a fracture seen stays a fracture that happened.
    The patient record is not changed; the rules read the scan. Scans after `as_of` were
    dropped by build_context.
    """
    for scan in ctx.scans:  # sorted by date
        if scan.vertebral_fracture_assessment is VertebralFractureAssessment.FRACTURE:
            return scan.date
    return None
