"""Version counters that say when cached pages of clinical data are out of date."""

from django.db import models

from bonehealth.accounts.models import Site


class SiteDataVersion(models.Model):
    """Raised after every change to the clinical data of a site's patients
    (monitoring.assessment.versions).

    The overview pages (dashboard, worklist) cache what they render under the versions of the
    user's sites, so a change at a site makes the next view of those pages read afresh. Only ever
    raised with an UPDATE ... + 1 (never saved from an instance), so it only goes up.
    """

    site = models.OneToOneField(
        Site, on_delete=models.PROTECT, primary_key=True, related_name="data_version"
    )
    version = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.site_id}: {self.version}"
