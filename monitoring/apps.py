from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = "Bone-health monitoring"

    def ready(self) -> None:
        from monitoring import checks  # noqa: F401  (registers)
        from monitoring.assessment import receivers  # noqa: F401  (reassess on patient record changes)
        from monitoring.overview import leaving_alerts  # noqa: F401  (end of follow-up: open alerts)
