"""Stored counts of each site's followed patients, their open alerts and unreviewed scans."""

from django.db import models


class TallyKind(models.TextChoices):
    RISK = "risk", "Followed patients by risk category"  # key: the risk category
    WORST = "worst", "Followed patients by worst open alert"  # key: the severity rank
    ALERT = "alert", "Open alerts of followed patients"  # key: "CODE:severity rank"
    UNREVIEWED = "unreviewed", "Valid scans of followed patients awaiting review"  # key: ""


class SiteTally(models.Model):
    """How many of a site's followed patients (or their open alerts, or unreviewed scans) a key
    counts, for the dashboard's counts without counting rows.

    Kept by every (re)assessment in the writer's transaction (monitoring.assessment.tallies): it
    subtracts
    what the patients counted before and adds what they count now. `tallies_rebuild()` counts
    everything afresh (the migration and the nightly reassessment call it).
    """

    site = models.ForeignKey("accounts.Site", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=TallyKind.choices)
    key = models.CharField(max_length=60, blank=True)
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["site", "kind", "key"], name="one_tally_per_key")
        ]

    def __str__(self) -> str:
        return f"site {self.site_id} {self.kind} {self.key}: {self.n}"
