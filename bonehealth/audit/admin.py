from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from bonehealth.audit.models import AuditEvent
from bonehealth.audit.selectors import audit_events_for_user


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    """Read-only: the trail is append-only."""

    list_display = ["at", "username", "action", "object_type", "object_id", "client_address"]
    list_filter = ["action", "object_type"]
    search_fields = ["username", "object_id"]
    date_hierarchy = "at"
    # Which fields changed is shown; the clinical values stay out of the admin list.
    fields = ["at", "username", "action", "object_type", "object_id", "client_address"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[AuditEvent]:
        # The events the audit viewer shows this user: an administrator, those of their sites.
        return audit_events_for_user(user=request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False
