"""The append-only audit trail, and the fields that let a clinical record be marked in error."""

from typing import Any, ClassVar, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditAction(models.TextChoices):
    CREATE = "create", "Created"
    CHANGE = "change", "Changed"
    MARK_ERROR = "mark_error", "Marked entered in error"
    VIEW = "view", "Viewed"
    EXPORT = "export", "Exported"
    IMPORT = "import", "Imported"
    LOGIN = "login", "Logged in"
    LOGOUT = "logout", "Logged out"
    LOGIN_FAILED = "login_failed", "Failed login"
    DENIED = "denied", "Refused access"


class AppendOnlyQuerySet[M: models.Model](models.QuerySet[M]):
    """Refuse bulk changes: audit rows are written once and never altered."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise PermissionError("Audit events are append-only.")

    def delete(self) -> NoReturn:
        raise PermissionError("Audit events are append-only.")


class AppendOnlyModel(models.Model):
    """A row written once and never altered nor deleted (refused here, and by a trigger on
    PostgreSQL); its manager should be `AppendOnlyQuerySet.as_manager()` for bulk changes."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise PermissionError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise PermissionError("Audit events are append-only.")


# As long as the User model's usernames.
USERNAME_LENGTH = 150


class AuditEvent(AppendOnlyModel):
    """One thing somebody did: who, when, what, to which record, from where.

    Foreign keys PROTECT what they point at, so an audited record or user can never be deleted.
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
    )
    # The name typed at a failed login, or the actor's username at the time; a longer typed name is
    # kept cut, with a mark (`services.shortened`).
    username = models.CharField(max_length=USERNAME_LENGTH, blank=True)
    action = models.CharField(max_length=20, choices=AuditAction.choices, db_index=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    patient = models.ForeignKey(
        "patients.Patient",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
    )
    # {"field": [old, new]} for changes; the new values for creations; the reason for error-marking.
    changes = models.JSONField(default=dict, blank=True)
    client_address = models.GenericIPAddressField(null=True, blank=True)
    # Whether the sites this event concerned were recorded when it was written (`AuditEventSite`):
    # true for every event written since audit/0006; the older ones, false, are scoped by where
    # their people work now (bonehealth/audit/selectors.py).
    sites_recorded = models.BooleanField(default=False, db_default=False)

    objects: ClassVar[models.Manager["AuditEvent"]] = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["patient", "-at"]), models.Index(fields=["actor", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.object_type}"


class AuditEventSite(AppendOnlyModel):
    """A site an event that names no patient concerned when it was written (security9 F16).

    Written in the same transaction as its event and, like it, never changed: the administrators
    of these sites read the event whatever grants change later (a leaver removed from every site
    keeps their exports in their sites' trail). An event naming a patient has none: it follows
    the patient.
    """

    # The unique constraint's index (event, site) is the one the scope reads, by event first.
    event = models.ForeignKey(
        AuditEvent, on_delete=models.PROTECT, related_name="site_links", db_index=False
    )
    site = models.ForeignKey("accounts.Site", on_delete=models.PROTECT, related_name="+")

    objects: ClassVar[models.Manager["AuditEventSite"]] = AppendOnlyQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "site"], name="audit_event_site_once")
        ]

    def __str__(self) -> str:
        return f"event {self.event_id} at site {self.site_id}"


class EnteredInErrorRecord(models.Model):
    """A clinical record is never deleted: one entered in error is marked so, with who and why."""

    entered_in_error = models.BooleanField(default=False, db_index=True)
    error_marked_at = models.DateTimeField(null=True, blank=True)
    error_marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    error_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        abstract = True
