"""Reads for the overview pages (the physician's dashboard and the worklist), scoped to the user.

Every read here covers only patients the user may see (their active sites, not entered in error)
on active follow-up, and runs a fixed number of queries whatever the number of patients. Which
patients those are comes from the stored assessments (`followed_assessments`), which every
reassessment keeps in step with the patient's site, follow-up and error mark.
"""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, F, Max, Prefetch, QuerySet

from bonehealth.accounts.models import Site, User
from monitoring.models import Alert, DexaMeasurement, DexaScan, PatientAssessment, ScheduledItem
from monitoring.models.choices import SEVERITY_RANK, Severity
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
    severity was raised), `assessment` (or none) and `open_alert_list` (worst first).
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
        .prefetch_related(
            Prefetch(
                "alerts",
                queryset=_open_alerts(min_rank).order_by("-severity_rank", "raised_at", "id"),
                to_attr="open_alert_list",
            )
        )
        .order_by("-worst_rank", "oldest_worst", "mrn", "pk")
    )


def risk_category_counts(*, user: User, site: Site | None = None) -> dict[str, int]:
    """How many of the user's followed patients are in each risk category (stored assessments)."""
    rows = (
        followed_assessments(user=user, site=site).values("risk_category").annotate(n=Count("pk"))
    )
    return {row["risk_category"]: row["n"] for row in rows}


def alert_code_counts(
    *, user: User, site: Site | None = None, min_severity: str | None = None
) -> list[dict[str, Any]]:
    """Open alerts per code (worst code first): code, n (alerts), worst_rank."""
    min_rank = SEVERITY_RANK[Severity(min_severity)] if min_severity else 0
    rows = (
        _open_alerts(min_rank)
        .filter(patient_id__in=_followed_ids(user, site))
        .values("code")
        .annotate(n=Count("pk"), worst_rank=Max("severity_rank"))
        .order_by("-worst_rank", "-n", "code")
    )
    return [dict(row) for row in rows]


def scans_awaiting_review(*, user: User, site: Site | None = None) -> QuerySet[DexaScan]:
    """Valid scans of the user's followed patients not yet signed off, oldest first."""
    return (
        DexaScan.objects.filter(
            patient_id__in=_followed_ids(user, site),
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
