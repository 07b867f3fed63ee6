from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "bonehealth.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from bonehealth.audit import signals  # noqa: F401  (connects the login/logout receivers)
