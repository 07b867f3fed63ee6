"""Reads for the overview pages (the physician's dashboard and the worklist), scoped to the user.

Every read here covers only patients the user may see (their active sites, not entered in error)
on active follow-up, and runs a fixed number of queries whatever the number of patients. Which
patients those are comes from the stored assessments (`followed_assessments`), which every
reassessment keeps in step with the patient's site, follow-up and error mark; the dashboard's
counts are conditional aggregates over those same assessments and their open alerts.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Max, Prefetch, Q, QuerySet, Sum

from bonehealth.accounts.models import Site, User
from monitoring.models import (
    Alert,
    DexaMeasurement,
    DexaScan,
    PatientAssessment,
    ScheduledItem,
)
from monitoring.models.choices import SEVERITY_RANK, RiskCategory, Severity
from patients.models import Patient


def followed_assessments(*, user: User, site: Site | None = None) -> QuerySet[PatientAssessment]:
    """Stored assessments of the user's patients on active follow-up, optionally at one site.

    Each assessment carries its patient's site and whether the patient is followed (active
    follow-up, not entered in error), written with every reassessment, so these reads use this
    table's indexes without scanning the patients.
    """
    return PatientAssessment.objects.filter(followed=True, site__in=_site_ids(user, site))


def _site_ids(user: User, site: Site | None) -> Iterable[int]:
    return [site.pk] if site is not None else user_sites(user=user).values_list("pk", flat=True)


def _followed_ids(user: User, site: Site | None) -> QuerySet[PatientAssessment, int]:
    return followed_assessments(user=user, site=site).values_list("patient_id", flat=True)


def user_sites(*, user: User) -> QuerySet[Site]:
    """The active sites the user works at (the choices of the site filters)."""
    return Site.objects.filter(users=user, is_active=True).order_by("name")


def _open_alerts(min_rank: int) -> QuerySet[Alert]:
    return Alert.objects.filter(cleared_at__isnull=True, severity_rank__gte=min_rank)


def dashboard_patients(
    *, user: User, site: Site | None = None, min_severity: str | None = None
) -> QuerySet[Patient]:
    """Patients with open alerts (at or above `min_severity`), worst first, then oldest alert.

    Each patient carries `worst_rank`, `oldest_worst` (when the oldest open alert of the worst
    severity was raised) and `assessment` (without its JSON); their alerts are read for the rows
    that have to be rendered (`open_alerts_of`).
    """
    min_rank = SEVERITY_RANK[Severity(min_severity)] if min_severity else 0
    # The worst open alert is stored on the assessment by the alert sync (indexed); a patient has
    # an alert at or above `min_rank` exactly when the worst one is.
    return (
        Patient.objects.filter(
            assessment__followed=True,
            assessment__site__in=_site_ids(user, site),
            assessment__worst_alert_rank__gte=min_rank,
        )
        .annotate(
            worst_rank=F("assessment__worst_alert_rank"),
            oldest_worst=F("assessment__worst_alert_raised_at"),
        )
        .select_related("site", "assessment")
        .defer("assessment__data")
        .order_by("-worst_rank", "oldest_worst", "mrn", "pk")
    )


def open_alerts_of(
    patient_ids: Iterable[int], *, min_severity: str | None = None
) -> dict[int, list[Alert]]:
    """Each patient's open alerts at or above `min_severity`, worst first, then oldest."""
    min_rank = SEVERITY_RANK[Severity(min_severity)] if min_severity else 0
    alerts: dict[int, list[Alert]] = {pk: [] for pk in patient_ids}
    for alert in (
        _open_alerts(min_rank)
        .filter(patient_id__in=list(alerts))
        .order_by("-severity_rank", "raised_at", "id")
    ):
        alerts[alert.patient_id].append(alert)
    return alerts


@dataclass
class DashboardCounts:
    """The dashboard's counts over the followed patients of the chosen sites."""

    risk: dict[str, int] = field(default_factory=dict)  # patients per risk category
    alerting_patients: int = 0  # with an open alert at or above the severity filter
    alert_codes: list[dict[str, Any]] = field(default_factory=list)  # code, n, worst_rank
    unreviewed_scans: int = 0  # valid scans awaiting sign-off


def dashboard_counts(
    *, user: User, site: Site | None = None, min_severity: str | None = None
) -> DashboardCounts:
    """Every count the dashboard shows, over the user's followed patients (two queries).

    One conditional aggregate over the followed assessments (patients per risk category, with an
    alert at or above `min_severity`, scans awaiting review), and one count of their open alerts
    at or above `min_severity` per code, worst code first, then the most.
    """
    min_rank = SEVERITY_RANK[Severity(min_severity)] if min_severity else 0
    followed = followed_assessments(user=user, site=site)
    risk = [category.value for category in RiskCategory]
    totals = followed.aggregate(
        alerting=Count("pk", filter=Q(worst_alert_rank__gte=min_rank)),
        unreviewed=Sum("unreviewed_scans"),
        **{f"risk_{code}": Count("pk", filter=Q(risk_category=code)) for code in risk},
    )
    codes = (
        _open_alerts(min_rank)
        .filter(patient_id__in=followed.values("patient_id"))
        .values("code")
        .annotate(n=Count("pk"), worst_rank=Max("severity_rank"))
        .order_by()
    )
    return DashboardCounts(
        risk={code: n for code in risk if (n := totals[f"risk_{code}"])},
        alerting_patients=totals["alerting"],
        alert_codes=sorted(
            (dict(row) for row in codes), key=lambda r: (-r["worst_rank"], -r["n"], r["code"])
        ),
        unreviewed_scans=totals["unreviewed"] or 0,
    )


def scans_awaiting_review(*, user: User, site: Site | None = None) -> QuerySet[DexaScan]:
    """Valid scans of the user's followed patients not yet signed off, oldest first."""
    # Joined to the stored assessments that count scans awaiting review, at the sites given as a
    # list: with a subquery of the user's sites PostgreSQL checks them for every scan it passes
    # on the date index (2-3 times slower at 10,000 patients).
    return (
        DexaScan.objects.filter(
            patient__assessment__followed=True,
            patient__assessment__site__in=list(_site_ids(user, site)),
            patient__assessment__unreviewed_scans__gt=0,
            reviewed_at__isnull=True,
            entered_in_error=False,
        )
        .select_related("patient", "scanner", "entered_by")
        .prefetch_related(
            Prefetch(
                "measurements",
                queryset=DexaMeasurement.objects.order_by("site"),
                to_attr="measurement_list",
            )
        )
        .order_by("scan_date", "id")
    )


def worklist_items(
    *, user: User, until: dt.date, site: Site | None = None
) -> QuerySet[ScheduledItem]:
    """Everything due up to `until` (overdue included) for the user's followed patients, by date."""
    return (
        ScheduledItem.objects.filter(patient_id__in=_followed_ids(user, site), due__lte=until)
        .select_related("patient", "patient__site")
        .order_by("due", "item", "patient__mrn", "pk")
    )
