"""Scanners and DEXA scans with their per-site measurements."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from bonehealth.accounts.models import Site
from monitoring.models.choices import MeasuredSite, VertebralFractureAssessment
from monitoring.models.records import ClinicalEntry
from patients.models import Patient

# The LSC column of each measured site (precision-study values per site).
LSC_FIELD_BY_SITE = {
    MeasuredSite.LUMBAR_SPINE: "lsc_lumbar_spine",
    MeasuredSite.TOTAL_HIP: "lsc_total_hip",
    MeasuredSite.FEMORAL_NECK: "lsc_femoral_neck",
    MeasuredSite.RADIUS_33: "lsc_radius_33",
}
# The fields of a scanner that administrators set.
SCANNER_FIELDS = ("site", "name", "manufacturer", "model", *LSC_FIELD_BY_SITE.values(), "is_active")


def _lsc_field(label: str) -> "models.DecimalField[Decimal | None, Decimal | None]":
    return models.DecimalField(
        f"LSC {label} (g/cm²)",
        max_digits=4,
        decimal_places=3,
        null=True,
        blank=True,
        help_text="From this scanner's precision study; empty uses the default.",
    )


class Scanner(models.Model):
    """A densitometer at a site, with its least significant change per measured site."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="scanners")
    name = models.CharField(max_length=120)
    manufacturer = models.CharField(max_length=80, blank=True)
    model = models.CharField(max_length=80, blank=True)
    lsc_lumbar_spine = _lsc_field("lumbar spine")
    lsc_total_hip = _lsc_field("total hip")
    lsc_femoral_neck = _lsc_field("femoral neck")
    lsc_radius_33 = _lsc_field("1/3 radius")
    is_active = models.BooleanField(default=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["site", "name"]
        constraints = [
            models.UniqueConstraint(fields=["site", "name"], name="scanner_name_unique_per_site")
        ]
        # An LSC decides whether a change in BMD is significant: a clinical setting once the
        # scanner has scans (an administrator sets it on a new scanner).
        permissions = [("change_scanner_lsc", "Change the LSC of a scanner that has scans")]

    def __str__(self) -> str:
        return self.name

    def lsc_by_site(self) -> dict[str, object]:
        """Return {site: LSC} for the sites whose LSC the precision study gave."""
        values = {site.value: getattr(self, field) for site, field in LSC_FIELD_BY_SITE.items()}
        return {site: value for site, value in values.items() if value is not None}


class DexaScan(ClinicalEntry):
    """One DEXA examination: its date, scanner, measurements and review."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="dexa_scans")
    scan_date = models.DateField()
    scanner = models.ForeignKey(Scanner, on_delete=models.PROTECT, related_name="scans")
    trabecular_bone_score = models.DecimalField(
        "trabecular bone score", max_digits=4, decimal_places=3, null=True, blank=True
    )
    vertebral_fracture_assessment = models.CharField(
        max_length=20, choices=VertebralFractureAssessment.choices, blank=True
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["scan_date", "id"]
        indexes = [
            models.Index(fields=["patient", "scan_date"]),
            # The dashboard lists scans awaiting sign-off oldest first, ten at a time.
            models.Index(
                fields=["scan_date", "id"],
                name="scan_awaiting_review_by_date",
                condition=Q(reviewed_at__isnull=True, entered_in_error=False),
            ),
        ]
        constraints = [
            # One examination per scanner and day, whatever sites it measured (as the history
            # import matches scans): more sites are a correction of that scan, not a second one.
            models.UniqueConstraint(
                fields=["patient", "scan_date", "scanner"],
                condition=Q(entered_in_error=False),
                name="scan_once_per_scanner_day",
            )
        ]
        permissions = [("sign_off_dexascan", "Sign off a reviewed DEXA scan")]

    def __str__(self) -> str:
        return f"DEXA {self.scan_date:%Y-%m-%d}"


class CurrentMeasurementManager(models.Manager["DexaMeasurement"]):
    """Only the measurements a scan shows now, not those a correction superseded."""

    def get_queryset(self) -> models.QuerySet["DexaMeasurement"]:
        return super().get_queryset().filter(superseded_at__isnull=True)


class DexaMeasurement(models.Model):
    """BMD and scores of one measured site in one scan.

    A correction never deletes a row: it stamps `superseded_at` on the row it replaces and adds a
    new one. `objects` (the default manager, so also `scan.measurements` and prefetches) sees
    current rows only; `all_versions` sees the superseded ones too.
    """

    scan = models.ForeignKey(DexaScan, on_delete=models.PROTECT, related_name="measurements")
    site = models.CharField(max_length=20, choices=MeasuredSite.choices)
    bmd = models.DecimalField("BMD (g/cm²)", max_digits=4, decimal_places=3)
    t_score = models.DecimalField(max_digits=3, decimal_places=1)
    z_score = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = CurrentMeasurementManager()
    all_versions = models.Manager()  # noqa: DJ012 (ruff takes the custom manager above for a field)

    class Meta:
        ordering = ["scan", "site"]
        constraints = [
            models.UniqueConstraint(
                fields=["scan", "site"],
                condition=Q(superseded_at__isnull=True),
                name="one_current_measurement_per_site_per_scan",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_site_display()}: {self.bmd} g/cm², T {self.t_score}"
