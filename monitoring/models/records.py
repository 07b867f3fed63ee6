"""Fields every clinical entry carries: who entered it, when, and its version for safe edits."""

from django.conf import settings
from django.db import models

from bonehealth.audit.models import EnteredInErrorRecord


class ClinicalEntry(EnteredInErrorRecord):
    """A clinical record entered by a user; never deleted, marked in error instead."""

    entered_at = models.DateTimeField(auto_now_add=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True
