"""Reads for the overview pages (the physician's dashboard and the worklist), scoped to the user.

Every read here covers only the patients of the access gate on active follow-up
(`patients.selectors.followed_patients_for_user`), composed into each query, and runs a fixed
number of queries whatever the number of patients. The dashboard's counts are conditional
aggregates over those patients' stored assessments and open alerts.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
)

from bonehealth.accounts.models import Site, User
from bonehealth.accounts.selectors import sites_for_user
from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring.domain.dental_review import ReviewStanding, review_standing
from monitoring.models import (
    Alert,
    BoneTherapyCourse,
    DexaMeasurement,
    DexaScan,
    PatientAssessment,
    ScheduledItem,
)
from monitoring.models.alerts import unacknowledged_first
from monitoring.models.choices import DOSED_DRUGS, SEVERITY_RANK, RiskCategory, Severity
from monitoring.overview.alert_work import (
    AlertWork,
    AlertWorkList,
    alert_work_rows,
    work_doable_by,
)
from monitoring.overview.cache_keys import in_spans, span_of
from monitoring.overview.urgency import scheduled_item_tier
from patients.models import Patient
from patients.selectors import followed_patients_for_user

TENTH = Decimal("0.1")


def followed_patients(*, user: User, site: Site | None = None) -> QuerySet[Patient]:
    """The gate's patients on active follow-up, optionally only those at `site`."""
    patients = followed_patients_for_user(user=user)
    return patients.filter(site=site) if site is not None else patients


def user_sites(*, user: User) -> QuerySet[Site]:
    """The active sites the user works at (the choices of the site filters)."""
    return sites_for_user(user=user).order_by("name")


def _open_alerts(min_rank: int) -> QuerySet[Alert]:
    return Alert.objects.filter(cleared_at__isnull=True, severity_rank__gte=min_rank)


@dataclass(frozen=True)
class DashboardFilter:
    """What the dashboard's list is narrowed to: severity at least, risk category, alert code."""

    min_severity: str | None = None
    risk: str | None = None
    code: str | None = None

    @property
    def min_rank(self) -> int:
        return SEVERITY_RANK[Severity(self.min_severity)] if self.min_severity else 0

    def alerts(self, patient_ref: str) -> QuerySet[Alert]:
        """The open alerts the filter counts, of the patient at `patient_ref` of the outer query."""
        alerts = _open_alerts(self.min_rank).filter(patient_id=OuterRef(patient_ref))
        return alerts.filter(code=self.code) if self.code else alerts

    def of_assessments(self, prefix: str = "") -> Q:
        """The stored assessments (at `prefix`) of the patients the list shows."""
        where = Q(**{f"{prefix}worst_alert_rank__gte": self.min_rank})
        if self.risk:
            where &= Q(**{f"{prefix}risk_category": self.risk})
        if self.code:
            where &= Q(Exists(self.alerts("pk" if prefix else "patient_id")))
        return where


def dashboard_patients(
    *, user: User, site: Site | None = None, **narrowed: Any
) -> QuerySet[Patient]:
    """Patients with open alerts (narrowed by `DashboardFilter`): those with an alert nobody has
    acknowledged first, then the worst, then the oldest alert.

    Each patient carries `unacknowledged`, `worst_rank`, `oldest_worst` (when the oldest open alert
    of the worst severity was raised) and `assessment` (without its JSON); their alerts are read
    for the rows that have to be rendered (`open_alerts_of`). A new high alert of a patient whose
    critical alert was acknowledged weeks ago comes before patients already seen to.
    """
    narrow = DashboardFilter(**narrowed)
    # The worst open alert is stored on the assessment by the alert sync (indexed); a patient has
    # an alert at or above `min_rank` exactly when the worst one is.
    return (
        followed_patients(user=user, site=site)
        .filter(narrow.of_assessments("assessment__"))
        .annotate(
            unacknowledged=unacknowledged_first(narrow.min_rank, "assessment__"),
            worst_rank=F("assessment__worst_alert_rank"),
            oldest_worst=F("assessment__worst_alert_raised_at"),
        )
        .select_related("site", "assessment")
        .defer("assessment__data")
        .order_by("-unacknowledged", "-worst_rank", "oldest_worst", "mrn", "pk")
    )


def last_dashboard_visit(*, user: User) -> dt.datetime | None:
    """When the user last looked at the dashboard before this sign-in (the audit trail records
    every view): the alerts raised since are new to them. Pages of this visit do not count."""
    views = AuditEvent.objects.filter(
        actor=user, action=AuditAction.VIEW, changes__shown="dashboard"
    )
    if user.last_login is not None:
        views = views.filter(at__lt=user.last_login)
    return views.aggregate(last=Max("at"))["last"]


def lowest_t_scores(patient_ids: Iterable[int]) -> dict[int, list[tuple[dt.date, Decimal]]]:
    """Each patient's lowest T-score per valid scan (current measurements), oldest scan first:
    the points of the dashboard's sparklines, in one query for the page's rows."""
    points: dict[int, list[tuple[dt.date, Decimal]]] = {pk: [] for pk in patient_ids}
    rows = (
        DexaMeasurement.objects.filter(
            scan__patient_id__in=list(points), scan__entered_in_error=False
        )
        .values("scan_id", "scan__patient_id", "scan__scan_date")
        .annotate(lowest=Min("t_score"))
        .order_by("scan__scan_date", "scan_id")
    )
    for row in rows:
        # Quantized: SQLite's MIN drops the column's decimal places.
        lowest = Decimal(row["lowest"]).quantize(TENTH)
        points[row["scan__patient_id"]].append((row["scan__scan_date"], lowest))
    return points


def open_alerts_of(
    patient_ids: Iterable[int], *, min_severity: str | None = None
) -> dict[int, list[Alert]]:
    """Each patient's open alerts at or above `min_severity`, worst first, then oldest."""
    min_rank = SEVERITY_RANK[Severity(min_severity)] if min_severity else 0
    alerts: dict[int, list[Alert]] = {pk: [] for pk in patient_ids}
    for alert in (
        _open_alerts(min_rank)
        .select_related("acknowledged_by", "seen_by")
        .filter(patient_id__in=list(alerts))
        .order_by("-severity_rank", "raised_at", "id")
    ):
        alerts[alert.patient_id].append(alert)
    return alerts


@dataclass
class DashboardCounts:
    """The dashboard's counts over the followed patients of the chosen sites."""

    risk: dict[str, int] = field(default_factory=dict)  # listed patients per risk category
    alerting_patients: int = 0  # with an open alert at or above the severity filter
    alert_codes: list[dict[str, Any]] = field(default_factory=list)  # code, n patients, worst_rank
    unreviewed_scans: int = 0  # valid scans awaiting sign-off


def counts_added(parts: Iterable[DashboardCounts]) -> DashboardCounts:
    """The counts of several sites' patients as one: a patient is at one site, so each count is
    the sum of the sites' (and an alert code's worst severity the worst of theirs)."""
    total = DashboardCounts()
    codes: dict[str, dict[str, Any]] = {}
    for part in parts:
        for risk, n in part.risk.items():
            total.risk[risk] = total.risk.get(risk, 0) + n
        total.alerting_patients += part.alerting_patients
        total.unreviewed_scans += part.unreviewed_scans
        for row in part.alert_codes:
            added = codes.setdefault(row["code"], {"code": row["code"], "n": 0, "worst_rank": 0})
            added["n"] += row["n"]
            added["worst_rank"] = max(added["worst_rank"], row["worst_rank"])
    total.alert_codes = _worst_codes_first(codes.values())
    return total


def _worst_codes_first(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda r: (-r["worst_rank"], -r["n"], r["code"]))


def dashboard_counts(*, user: User, site: Site | None = None, **narrowed: Any) -> DashboardCounts:
    """Every count the dashboard shows, over the user's followed patients (two queries).

    The counts by risk and by code are links that add their filter to the list, so each is the
    number of patients that list then shows: patients with an open alert at or above the
    severity filter, in that risk category (under the code filter) or with an open alert of that
    code (under the risk filter). One conditional aggregate over the followed assessments
    (those per risk category, the patients the list shows, scans awaiting review) and one count
    of patients per code of their open alerts, worst code first, then the most patients.
    """
    return _counts(user, site, narrowed).get(0, DashboardCounts())


def dashboard_counts_by_span(
    *, user: User, site: Site, spans: Iterable[int] | None, **narrowed: Any
) -> dict[int, DashboardCounts]:
    """`dashboard_counts` of the followed patients at `site` whose ids are in each of `spans`
    (`cache_keys.SPAN`; None: every span), in the same two queries grouped by span; a span
    without such patients is left out (its counts are all 0). Their sum is `dashboard_counts`
    (a patient is in one span)."""
    return _counts(user, site, narrowed, by_span=True, spans=spans)


def _counts(
    user: User,
    site: Site | None,
    narrowed: dict[str, Any],
    *,
    by_span: bool = False,
    spans: Iterable[int] | None = None,
) -> dict[int, DashboardCounts]:
    narrow = DashboardFilter(**narrowed)
    patients = followed_patients(user=user, site=site)
    # Grouped by the span of the patient's id, or all in one group (0).
    group: dict[str, Any] = {"span": span_of("patient_id")} if by_span else {}
    assessments = PatientAssessment.objects.all()
    alerts = _open_alerts(narrow.min_rank)
    if spans is not None:
        # The spans' ids on each table too: its index serves them (the gate's subquery cannot).
        patients = patients.filter(in_spans(spans, "pk"))
        assessments = assessments.filter(in_spans(spans, "patient_id"))
        alerts = alerts.filter(in_spans(spans, "patient_id"))
    risk = [category.value for category in RiskCategory]
    shown_by_risk = DashboardFilter(min_severity=narrow.min_severity, code=narrow.code)
    totals = _grouped(
        assessments.filter(patient__in=patients),
        group,
        alerting=Count("pk", filter=narrow.of_assessments()),
        unreviewed=Sum("unreviewed_scans"),
        **{
            f"risk_{code}": Count(
                "pk", filter=shown_by_risk.of_assessments() & Q(risk_category=code)
            )
            for code in risk
        },
    )
    if narrow.risk:
        patients = patients.filter(assessment__risk_category=narrow.risk)
    codes = _grouped(
        alerts.filter(patient__in=patients),
        group,
        "code",
        n=Count("patient_id", distinct=True),
        worst_rank=Max("severity_rank"),
    )
    counts = {
        row.get("span", 0): DashboardCounts(
            risk={code: n for code in risk if (n := row[f"risk_{code}"])},
            alerting_patients=row["alerting"],
            unreviewed_scans=row["unreviewed"] or 0,
        )
        for row in totals
    }
    for row in codes:
        code = {"code": row["code"], "n": row["n"], "worst_rank": row["worst_rank"]}
        counts.setdefault(row.get("span", 0), DashboardCounts()).alert_codes.append(code)
    for part in counts.values():
        part.alert_codes = _worst_codes_first(part.alert_codes)
    return counts


def _grouped(
    rows: QuerySet[Any], group: dict[str, Any], *fields: str, **aggregates: Any
) -> list[dict[str, Any]]:
    """`aggregates` over `rows`, one result per value of `group`'s expressions and `fields`,
    or one over all of them when there are neither."""
    if not group and not fields:
        return [rows.aggregate(**aggregates)]
    return list(rows.annotate(**group).values(*group, *fields).annotate(**aggregates).order_by())


# What the dashboard's scans to review show (the rest is not read: about 2 ms of 10 at 10,000).
SHOWN_OF_SCAN = (
    "scan_date",
    "version",  # sent back by its Sign off button
    "patient__name",
    "patient__mrn",
    "scanner__name",
    "entered_by__username",
    "entered_by__first_name",
    "entered_by__last_name",
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
        .only(*SHOWN_OF_SCAN)
        .prefetch_related(
            Prefetch(
                "measurements",
                queryset=DexaMeasurement.objects.order_by("site"),
                to_attr="measurement_list",
            )
        )
        .order_by("scan_date", "id")
    )


# What the worklist's rows, its printout and its CSV show of a patient (the rest is not read).
SHOWN_OF_PATIENT = ("site", "site__name", "name", "mrn", "birth_date")


def worklist_items(
    *, user: User, until: dt.date, site: Site | None = None
) -> QuerySet[ScheduledItem]:
    """Everything due up to `until` (overdue included) for the user's followed patients: those an
    open critical, then high alert is about first (`urgency`), each group by date."""
    return (
        ScheduledItem.objects.filter(
            patient__in=followed_patients(user=user, site=site), due__lte=until
        )
        .select_related("patient", "patient__site")
        .only("patient", "item", "due", *(f"patient__{name}" for name in SHOWN_OF_PATIENT))
        .annotate(tier=scheduled_item_tier())
        .order_by("-tier", "due", "item", "patient__mrn", "pk")
    )


def alert_work(*, user: User, site: Site | None = None) -> AlertWorkList:
    """The work open alerts ask for (dental review, bloods, therapy decisions), for the user's
    followed patients: the work the user can do first (a nurse's dental reviews and bloods
    before the therapy decisions a physician makes), then by the alerts' severity (critical,
    then high first), each group the longest waiting first, grouped in the database."""
    alerts = Alert.objects.filter(
        patient__in=followed_patients(user=user, site=site), cleared_at__isnull=True
    )
    return AlertWorkList(alert_work_rows(alerts, work_doable_by(user)))


def with_patients(rows: list[AlertWork]) -> list[AlertWork]:
    """`rows` (a page of them) with their patients and sites, in one query."""
    patients = (
        Patient.objects.select_related("site")
        .only(*SHOWN_OF_PATIENT)
        .in_bulk([row.patient_id for row in rows])
    )
    for row in rows:
        row.patient = patients[row.patient_id]
    return rows


@dataclass(frozen=True)
class WorklistCourses:
    """The courses the worklist's actions open, per patient: "Record dose" (`dose`: patient, drug
    -> the started, unstopped course of that dosed drug) and "Record the dental review"
    (`dental`: patient -> the newest planned or started course of a dosed drug, not stopped,
    whose review does not count (`domain.dental_review`: none, a date to come, or one too old
    before the start: nurse9 F11). The DENTAL rule decides that a review is missing (the row
    exists); this only finds the course to record it on."""

    dose: dict[tuple[int, str], int]
    dental: dict[int, int]


def worklist_courses(patient_ids: Iterable[int], today: dt.date) -> WorklistCourses:
    """The `WorklistCourses` of these patients, in one query for the page's rows."""
    courses = (
        BoneTherapyCourse.objects.filter(
            patient_id__in=list(patient_ids),
            drug__in=list(DOSED_DRUGS),
            entered_in_error=False,
            stop_date__isnull=True,
        )
        .order_by(F("start_date").asc(nulls_last=True), "pk")
        .values_list("patient_id", "drug", "pk", "start_date", "dental_review_date")
    )
    dose: dict[tuple[int, str], int] = {}
    dental: dict[int, int] = {}
    for patient_id, drug, pk, start, review in courses:  # the latest wins; planned ones last
        if start is not None:
            dose[(patient_id, drug)] = pk
        if review_standing(review, start=start, as_of=today) is not ReviewStanding.COUNTS:
            dental[patient_id] = pk
    return WorklistCourses(dose=dose, dental=dental)
