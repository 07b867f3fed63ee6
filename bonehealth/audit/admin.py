from django.contrib import admin

from bonehealth.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    """Read-only: the trail is append-only."""

    list_display = ["at", "username", "action", "object_type", "object_id", "client_address"]
    list_filter = ["action", "object_type"]
    search_fields = ["username", "object_id"]
    date_hierarchy = "at"
    # Which fields changed is shown; the clinical values stay out of the admin list.
    fields = ["at", "username", "action", "object_type", "object_id", "client_address"]

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False
