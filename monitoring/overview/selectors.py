"""Reads for the overview pages (the physician's dashboard and the worklist), scoped to the user.

Every read here covers only the patients of the access gate on active follow-up
(`patients.selectors.followed_patients_for_user`), composed into each query, and runs a fixed
number of queries whatever the number of patients. The dashboard's counts are conditional
aggregates over those patients' stored assessments and open alerts.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Max, Prefetch, Q, QuerySet, Sum

from bonehealth.accounts.models import Site, User
from bonehealth.accounts.selectors import sites_for_user
from monitoring.models import (
    Alert,
    DexaMeasurement,
    DexaScan,
    PatientAssessment,
    ScheduledItem,
)
from monitoring.models.choices import SEVERITY_RANK, RiskCategory, Severity
from patients.models import Patient
from patients.selectors import followed_patients_for_user


def followed_patients(*, user: User, site: Site | None = None) -> QuerySet[Patient]:
    """The gate's patients on active follow-up, optionally only those at `site`."""
    patients = followed_patients_for_user(user=user)
    return patients.filter(site=site) if site is not None else patients


def followed_assessments(*, user: User, site: Site | None = None) -> QuerySet[PatientAssessment]:
    """Stored assessments of the user's patients on active follow-up, optionally at one site."""
    return PatientAssessment.objects.filter(patient__in=followed_patients(user=user, site=site))


def user_sites(*, user: User) -> QuerySet[Site]:
    """The active sites the user works at (the choices of the site filters)."""
    return sites_for_user(user=user).order_by("name")


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
        followed_patients(user=user, site=site)
        .filter(assessment__worst_alert_rank__gte=min_rank)
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
    return (
        DexaScan.objects.filter(
            patient__in=followed_patients(user=user, site=site),
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
        ScheduledItem.objects.filter(
            patient__in=followed_patients(user=user, site=site), due__lte=until
        )
        .select_related("patient", "patient__site")
        .order_by("due", "item", "patient__mrn", "pk")
    )
