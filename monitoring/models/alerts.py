"""Alerts as the application keeps them, and the latest assessment and schedule of each patient."""

from django.conf import settings
from django.db import models
from django.db.models import Case, F, Q, Value, When

from monitoring.models.choices import RiskCategory, ScheduleItem, Severity, WhoCategory
from patients.models import Patient

# The codes of the alerts that ask for work on the worklist (`WORK_OF_ALERT` in
# monitoring/overview/alert_work.py, kept equal by a test): the open ones are indexed with what the
# worklist groups, so it reads them without the other open alerts (bench/README.md, "Worklist
# rows cached": the grouping query 9-12 ms to 6-7.5 ms for a nurse at 5,000 patients, 15-19 ms to
# 11-12 ms for a physician at 10,000); with their severity, which ranks the rows (urgency.py).
ALERT_WORK_CODES = [
    "DENTAL_REVIEW_MISSING",
    "CALCIUM_NOT_MEASURED",
    "RENAL_FUNCTION_UNKNOWN",
    "CALCIUM_LOW",
    "BONE_THERAPY_INDICATED",
    "DENOSUMAB_STOPPED_NO_FOLLOW_ON",
    "BISPHOSPHONATE_DURATION_REVIEW",
    "BTM_RESPONSE_INADEQUATE",
    "FRACTURE_ON_THERAPY",
    "RENAL_CONTRAINDICATION",
    "HYPOCALCEMIA",
    "CALCIUM_HIGH",
    "DENOSUMAB_REVIEW_AI_ENDED",
]

# The overview's cached counts are kept per span of this many patient ids at each site
# (monitoring/overview/cache_keys.py, `SPAN`): the index of the records' state below groups by the
# same expression.
PATIENT_ID_SPAN = 512


class Alert(models.Model):
    """One raised alert. At most one open alert per patient, code and site (docs/clinical-rules.md).

    A code no longer raised is closed (`cleared_at`); a rise in severity closes this alert
    (`superseded`) and opens a new one that needs a new acknowledgement.
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="alerts")
    code = models.CharField(max_length=40)
    site = models.CharField(max_length=20, blank=True)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    severity_rank = models.PositiveSmallIntegerField()
    message = models.TextField()
    rules = models.JSONField(default=list)
    sources = models.JSONField(default=list)
    raised_at = models.DateTimeField()
    cleared_at = models.DateTimeField(null=True, blank=True)
    superseded = models.BooleanField(default=False)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledgement_note = models.TextField(blank=True)
    # A therapy decision alert acknowledged by one who may not decide therapy (a nurse): they
    # have seen it, with their note; it stays unacknowledged until a physician decides
    # (monitoring.assessment.permissions.acknowledgement_closes).
    seen_at = models.DateTimeField(null=True, blank=True)
    seen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    seen_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-severity_rank", "raised_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "code", "site"],
                condition=Q(cleared_at__isnull=True),
                name="one_open_alert_per_patient_code_site",
            )
        ]
        indexes = [
            models.Index(
                fields=["-severity_rank", "raised_at"],
                name="open_alerts_worst_first",
                condition=Q(cleared_at__isnull=True),
            ),
            models.Index(fields=["patient", "cleared_at"]),
            models.Index(
                fields=["patient", "code"],
                include=["raised_at", "acknowledged_at", "severity_rank"],
                name="open_alerts_asking_work",
                condition=Q(cleared_at__isnull=True, code__in=ALERT_WORK_CODES),
            ),
        ]
        permissions = [
            ("acknowledge_alert", "Acknowledge info and warning alerts"),
            ("acknowledge_high_alert", "Acknowledge high and critical alerts"),
        ]

    def __str__(self) -> str:
        return f"{self.code}{f' ({self.site})' if self.site else ''} {self.severity}"

    @property
    def is_open(self) -> bool:
        return self.cleared_at is None


def unacknowledged_first(min_rank: int, prefix: str = "") -> Case:
    """True for a patient with an open alert at or above `min_rank` that nobody has acknowledged:
    the dashboard's first sort key (never NULL: PostgreSQL sorts a NULL first in a descending
    order). `prefix` reaches the assessment from another model ("assessment__")."""
    waiting = Q(**{f"{prefix}worst_unacknowledged_rank__gte": min_rank})
    return Case(When(waiting, then=Value(True)), default=Value(False))


class PatientAssessment(models.Model):
    """The latest assessment of a patient, stored for lists, the dashboard and the worklist."""

    patient = models.OneToOneField(
        Patient, on_delete=models.PROTECT, related_name="assessment", primary_key=True
    )
    as_of = models.DateField()
    computed_at = models.DateTimeField()
    risk_category = models.CharField(max_length=10, choices=RiskCategory.choices)
    who_category = models.CharField(max_length=20, choices=WhoCategory.choices)
    lowest_t_score = models.DecimalField(max_digits=3, decimal_places=1, null=True)
    lowest_t_site = models.CharField(max_length=20, blank=True)
    therapy_indicated = models.BooleanField()
    next_dexa_due = models.DateField(null=True)
    computed_next_dexa_due = models.DateField(null=True)
    # The patient's worst open alert (severity rank) and when the oldest open alert of that rank
    # was raised; kept by the alert sync so the dashboard orders by an index, not by subqueries.
    worst_alert_rank = models.PositiveSmallIntegerField(null=True)
    worst_alert_raised_at = models.DateTimeField(null=True)
    # The worst open alert nobody has acknowledged (severity rank), kept by the alert sync and by
    # each acknowledgement: the dashboard lists the patients with one first, from this row alone
    # (a subquery per patient to find them is what bench/README.md measured at 174 ms).
    worst_unacknowledged_rank = models.PositiveSmallIntegerField(null=True)
    # Copied from the patient by every assessment (a change of follow-up or an error-mark
    # reassesses the patient), so the dashboard counts the followed patients of a site from this
    # table's indexes alone: on active follow-up and not entered in error.
    site = models.ForeignKey("accounts.Site", on_delete=models.PROTECT, null=True, related_name="+")
    followed = models.BooleanField(default=False, db_default=False)
    # Valid scans not yet signed off, counted by every assessment (a sign-off reassesses), so the
    # dashboard finds the patients with scans to review from this table.
    unreviewed_scans = models.PositiveIntegerField(default=0, db_default=0)
    # The whole assessment in the JSON format of docs/history-format.md.
    data = models.JSONField()
    # Raised explicitly, in the writer's transaction, by every service that changes what the
    # patient page shows (monitoring.assessment.versions), never written by the assessment upsert:
    # it keys the page's cached fragments.
    records_version = models.PositiveBigIntegerField(default=0, db_default=0)

    class Meta:
        indexes = [
            models.Index(fields=["risk_category"]),
            models.Index(
                fields=["-worst_alert_rank", "worst_alert_raised_at"],
                name="assessment_worst_alert_first",
                condition=Q(worst_alert_rank__isnull=False),
            ),
            # The dashboard's order (unfiltered by severity): its first page is read from this
            # index in 1.5 ms instead of sorting every alerting patient (20 ms at 10,000
            # patients, bench/README.md); the expression must stay the one the list sorts by.
            models.Index(
                unacknowledged_first(0).desc(),
                F("worst_alert_rank").desc(),
                F("worst_alert_raised_at"),
                name="assessment_dashboard_order",
                condition=Q(worst_alert_rank__gte=0),
            ),
            # The key of the dashboard's and the worklist's cached lists (overview_cache.py): the
            # sums over a site's patients, or over each span of patient ids at a site (grouped
            # by this very expression), from the index alone and in its order: 4.1 ms -> 1.3 ms
            # at 10,000 patients by site, 3.9 -> 2.8 ms by span (an index-only scan on
            # PostgreSQL; SQLite leaves out INCLUDE).
            models.Index(
                F("site"),
                F("patient") / PATIENT_ID_SPAN,
                include=["patient", "records_version"],
                name="assessment_site_span_versions",
            ),
            models.Index(
                fields=["site", "risk_category"],
                name="assessment_followed_risk",
                condition=Q(followed=True),
            ),
            models.Index(
                fields=["site", "-worst_alert_rank", "worst_alert_raised_at"],
                name="assessment_followed_alerting",
                condition=Q(followed=True, worst_alert_rank__isnull=False),
            ),
            models.Index(
                fields=["site"],
                name="assessment_followed_unreviewed",
                condition=Q(followed=True, unreviewed_scans__gt=0),
            ),
        ]
        # The overview pages read stored assessments, alerts and schedules of many patients.
        permissions = [
            ("view_dashboard", "See the physician's alert dashboard"),
            ("view_worklist", "See the worklist of what is due"),
        ]

    def __str__(self) -> str:
        return f"{self.patient_id} as of {self.as_of}: {self.risk_category}"


class ScheduledItem(models.Model):
    """One due item of a patient's latest assessment (`schedule`), for the worklist."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="schedule")
    item = models.CharField(max_length=30, choices=ScheduleItem.choices)
    due = models.DateField(db_index=True)

    class Meta:
        ordering = ["due", "item"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "item", "due"], name="schedule_item_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_item_display()} due {self.due}"
