"""Lab results (canonical unit, plus value and unit as entered) and FRAX results."""

from decimal import Decimal

from django.db import models
from django.db.models import Q

from monitoring import domain
from monitoring.domain.calcium_adjustment import ALBUMIN_UNITS
from monitoring.models.choices import Analyte
from monitoring.models.records import ClinicalEntry
from patients.models import Patient

STORED_PRECISION = Decimal("0.000001")


def canonical_value(analyte: str, value: Decimal, unit: str) -> Decimal:
    """The value in the analyte's canonical unit, as stored in `LabResult.value`."""
    return domain.to_canonical(analyte, value, unit).quantize(STORED_PRECISION)


class LabResult(ClinicalEntry):
    """One analyte from one sample."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="lab_results")
    sample_date = models.DateField()
    analyte = models.CharField(max_length=20, choices=Analyte.choices)
    # In the analyte's canonical unit (monitoring.domain.CANONICAL_UNIT), for display and queries;
    # the rules convert `entered_value` themselves.
    # Named as the edit form names them: a refused mark in error listed "Changed: value, entered
    # value", internal names (nurse12 F14); the value and its converted copy are one "value".
    value = models.DecimalField("value", max_digits=14, decimal_places=6)
    entered_value = models.DecimalField("value", max_digits=10, decimal_places=3)
    entered_unit = models.CharField("unit", max_length=40)
    # Only meaningful for CTX: a fasting morning sample.
    fasting = models.BooleanField("fasting morning sample", default=False)
    # A calcium worked out from the total calcium and albumin of its sample (nurse13 #3): what was
    # entered, kept beside the adjusted value stored above (`domain.calcium_adjustment`). The
    # total is in `entered_unit`; both empty for every other result, and for a calcium entered
    # adjusted as the laboratory reported it. Kept here rather than as analytes of their own:
    # no rule judges them, and they mean something only with the calcium they gave.
    total_calcium = models.DecimalField(
        "total calcium", max_digits=10, decimal_places=3, null=True, blank=True
    )
    albumin = models.DecimalField("albumin", max_digits=6, decimal_places=2, null=True, blank=True)
    albumin_unit = models.CharField(
        "albumin unit",
        max_length=10,
        blank=True,
        choices=[(unit, unit) for unit in ALBUMIN_UNITS],
    )

    class Meta:
        ordering = ["sample_date", "analyte", "id"]
        indexes = [models.Index(fields=["patient", "sample_date"])]
        constraints = [
            # A total calcium and its albumin come together, on a calcium result only.
            models.CheckConstraint(
                condition=(
                    Q(total_calcium__isnull=True, albumin__isnull=True, albumin_unit="")
                    | Q(
                        analyte=Analyte.CALCIUM,
                        total_calcium__isnull=False,
                        albumin__isnull=False,
                        albumin_unit__in=ALBUMIN_UNITS,
                    )
                ),
                name="lab_result_adjusted_from_total_and_albumin",
            ),
            # One sample gives one value of an analyte (samples have no time here): a second row
            # is a double submit, or a correction that belongs in the first row.
            models.UniqueConstraint(
                fields=["patient", "analyte", "sample_date"],
                condition=Q(entered_in_error=False),
                name="lab_result_once_per_sample",
            ),
        ]

    def adjusted_from_words(self) -> str:
        """ "adjusted from total 2.1, albumin 30 g/L" for a calcium worked out from the total
        calcium and albumin of its sample (the total in the unit of `entered_value`); "" for
        every other result. Both as typed, without the columns' trailing zeros (nurse14 #6: a
        total of 9.1 mg/dL read "9.10", a precision nobody typed)."""
        if self.total_calcium is None or self.albumin is None:
            return ""
        total = f"{Decimal(self.total_calcium).normalize():f}"
        albumin = f"{Decimal(self.albumin).normalize():f}"
        return f"adjusted from total {total}, albumin {albumin} {self.albumin_unit}"

    def __str__(self) -> str:
        # The sample date tells one result from the others of the same analyte; the value as
        # entered, without the column's trailing zeros (39.35, not 39.350).
        value = f"{Decimal(self.entered_value).normalize():f}"
        entered = f"{self.get_analyte_display()} {value} {self.entered_unit}"
        return f"{entered} (sample of {self.sample_date:%Y-%m-%d})"


class FraxResult(ClinicalEntry):
    """10-year fracture probabilities from the official FRAX calculator (recorded, not computed)."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="frax_results")
    assessed_on = models.DateField()
    major_osteoporotic_pct = models.DecimalField(
        "major osteoporotic fracture (%)", max_digits=4, decimal_places=1
    )
    hip_pct = models.DecimalField("hip fracture (%)", max_digits=4, decimal_places=1)
    with_bmd = models.BooleanField("calculated with BMD", default=False)

    class Meta:
        ordering = ["assessed_on", "id"]
        verbose_name = "FRAX result"
        constraints = [
            # One result per day and kind: the calculator run without BMD and again with it the
            # same day gives two results, both kept; a second of one kind is a double submit or a
            # correction that belongs in the first (services.frax refuses it beside the field).
            models.UniqueConstraint(
                fields=["patient", "assessed_on", "with_bmd"],
                condition=Q(entered_in_error=False),
                name="frax_once_per_day_and_kind",
            )
        ]

    def __str__(self) -> str:
        return (
            f"FRAX {self.assessed_on:%Y-%m-%d}: {self.major_osteoporotic_pct} % / {self.hip_pct} %"
        )
