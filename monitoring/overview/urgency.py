"""Which worklist rows come first: those whose item an open critical (then high) alert is about.

The worklist was ordered by date alone, so a denosumab dose the rules call critical ("rebound
vertebral fracture risk; give it now") sat below weeks of routine DEXA scans and vitamin D
rechecks with the same "Overdue" badge (nurse9 F16). A row is *tied* to the open alerts about its
item (`TIED_ALERTS`: the alerts that call a scan or a dose due or overdue, the vitamin D result a
recheck follows, and for the work an alert asks for, the alerts asking for it); its severity is
that of the worst of them. Rows tied to a critical alert come first, then those tied to a high
one, then the rest, each group by date (`alert_tier`, in the database: the same order on the
page, its printout and its CSV). The page, the printout and the CSV show the severity and the
alert's label (`TiedAlerts`: one query for all the rows shown, in place of the one that read the
items the rules call overdue).
"""

import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

from django.db.models import Case, F, IntegerField, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce

from monitoring.domain.types import AlertCode, ScheduleItem
from monitoring.labels import code_label
from monitoring.models import Alert
from monitoring.models.alerts import ALERT_WORK_CODES
from monitoring.models.choices import SEVERITY_RANK, Severity
from monitoring.overview import lateness

# schedule item -> the alerts about it (the rules' own words for its lateness, or the result a
# recheck follows, the alert a follow-on infusion clears, the kidney function to measure before a
# dose); a zoledronic acid infusion's bloods and a marker check have alert work or none.
TIED_ALERTS: Mapping[str, frozenset[str]] = {
    ScheduleItem.DEXA: frozenset(
        {AlertCode.BASELINE_DEXA_DUE, AlertCode.BASELINE_DEXA_MISSING, AlertCode.DEXA_OVERDUE}
    ),
    # RENAL_FUNCTION_UNKNOWN: kidney function to measure before the dose. Only high when a newer
    # creatinine's estimate is below the drug's limit (domain.rules.kidney), and only a high or
    # critical alert is shown beside a row (phys14 #1: "Record dose" read as if all were well).
    ScheduleItem.DENOSUMAB_DOSE: frozenset(
        {
            AlertCode.DENOSUMAB_DUE,
            AlertCode.DENOSUMAB_OVERDUE,
            AlertCode.DENOSUMAB_REBOUND_RISK,
            AlertCode.RENAL_FUNCTION_UNKNOWN,
        }
    ),
    ScheduleItem.VITAMIN_D_RECHECK: frozenset(
        {AlertCode.VITAMIN_D_DEFICIENT, AlertCode.VITAMIN_D_INSUFFICIENT}
    ),
    # The infusion of zoledronic acid started as denosumab's follow-on clears this alert
    # (phys10 F2): its row comes first while the alert is critical. The rules raise it only
    # while that infusion is awaited, so a routine infusion is never tied to it. And the kidney
    # function to measure first, as for denosumab.
    ScheduleItem.ZOLEDRONIC_ACID_DOSE: frozenset(
        {AlertCode.DENOSUMAB_FOLLOW_ON_INFUSION_AWAITED, AlertCode.RENAL_FUNCTION_UNKNOWN}
    ),
}
# What `tied_alerts` reads: these, those the rules give an item its grace with, and those that ask
# for work (alert_work.py's WORK_OF_ALERT, kept equal to ALERT_WORK_CODES by a test).
TIED_CODES = sorted(
    frozenset().union(*TIED_ALERTS.values(), lateness.GRACE_CODES, ALERT_WORK_CODES)
)

HIGH = SEVERITY_RANK[Severity.HIGH]
# Only these severities move a row up and are shown on the page (a warning or info alert about an
# item is its routine "due" or "overdue").
FIRST = (Severity.CRITICAL, Severity.HIGH)


def alert_tier() -> Case:
    """An alert's tier, the worklist's first sort key (descending): 2 for a critical alert, 1 for
    a high one, 0 below."""
    return Case(
        When(severity_rank__gte=HIGH, then=F("severity_rank") - HIGH + 1),
        default=Value(0),
        output_field=IntegerField(),
    )


def _worst_tier(codes: Iterable[str]) -> Subquery:
    return Subquery(
        Alert.objects.filter(
            patient_id=OuterRef("patient_id"),
            code__in=sorted(codes),
            cleared_at__isnull=True,
            severity_rank__gte=HIGH,
        )
        .order_by("-severity_rank")
        .values(tier=alert_tier())[:1],
        output_field=IntegerField(),
    )


def scheduled_item_tier() -> Coalesce:
    """`tier` of a `ScheduledItem`'s worst tied open alert, in SQL (a subquery on the open
    alerts of its patient, by the index of their patient)."""
    whens = [When(item=item, then=_worst_tier(codes)) for item, codes in TIED_ALERTS.items()]
    return Coalesce(Case(*whens, default=Value(0)), Value(0), output_field=IntegerField())


@dataclass(frozen=True)
class Tied:
    """The worst open alert about a row's item: its severity and its label."""

    severity: str
    label: str

    @property
    def first(self) -> bool:
        """Whether it moves the row up and the page shows it (critical or high)."""
        return self.severity in FIRST


@dataclass(frozen=True)
class TiedAlerts:
    """The open alerts about the items of some patients (`tied_alerts`)."""

    codes: Mapping[int, Mapping[str, tuple[int, str]]]  # patient -> code -> rank, severity
    # patient -> the codes of their open alerts a physician has acknowledged (a decision made)
    acknowledged: Mapping[int, frozenset[str]] = field(default_factory=dict)

    def in_grace(self, patient_id: int, item: str, due: dt.date, today: dt.date) -> bool:
        """Whether the patient's open alerts put the item in its grace period (lateness.py)."""
        return lateness.in_grace(item, due, today, self.codes.get(patient_id, {}))

    def worst(self, patient_id: int, about: Collection[str]) -> Tied | None:
        """The worst of the patient's open alerts with these codes (those `about` an item)."""
        found = [
            (rank, code, severity)
            for code, (rank, severity) in self.codes.get(patient_id, {}).items()
            if code in about
        ]
        if not found:
            return None
        _rank, code, severity = max(found)
        return Tied(severity=severity, label=code_label(code))

    def every(
        self, patient_id: int, about: Collection[str], *, unacknowledged: bool = False
    ) -> list[Tied]:
        """The patient's open alerts with these codes (those `about` an item), the worst first
        (`worst` first of all); only those not acknowledged if `unacknowledged` (the decisions
        still asked for)."""
        skipped = self.acknowledged.get(patient_id, frozenset()) if unacknowledged else ()
        found = sorted(
            (
                (rank, code, severity)
                for code, (rank, severity) in self.codes.get(patient_id, {}).items()
                if code in about and code not in skipped
            ),
            reverse=True,
        )
        return [Tied(severity=severity, label=code_label(code)) for _r, code, severity in found]


def tied_alerts(patient_ids: Iterable[int]) -> TiedAlerts:
    """The open alerts about the worklist items of these patients, in one query."""
    codes: dict[int, dict[str, tuple[int, str]]] = {}
    acknowledged: dict[int, set[str]] = {}
    rows = Alert.objects.filter(
        patient_id__in=list(patient_ids), code__in=TIED_CODES, cleared_at__isnull=True
    ).values_list("patient_id", "code", "severity_rank", "severity", "acknowledged_at")
    for patient_id, code, rank, severity, acknowledged_at in rows:
        kept = codes.setdefault(patient_id, {})
        # One open alert per code and site: the loss alerts only are per site, and none is tied.
        if code not in kept or kept[code][0] < rank:
            kept[code] = (rank, severity)
        if acknowledged_at is not None:
            acknowledged.setdefault(patient_id, set()).add(code)
    return TiedAlerts(
        codes=codes, acknowledged={key: frozenset(found) for key, found in acknowledged.items()}
    )
