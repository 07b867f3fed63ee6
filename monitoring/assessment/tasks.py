"""Background tasks (Django's tasks framework; production backend: django-tasks-db's db_worker)."""

from datetime import date
from typing import Any

from django.tasks import task

from monitoring.assessment.reassessment import default_jobs, reassess_all


@task()
def reassess_all_task(as_of: str | None = None, jobs: int | None = None) -> dict[str, Any]:
    """Reassess every patient on active follow-up (the nightly job); return the summary.

    The batches run in `jobs` processes at once (default: `default_jobs()` of the worker's machine).
    """
    summary = reassess_all(
        as_of=date.fromisoformat(as_of) if as_of else None, jobs=jobs or default_jobs()
    )
    return {
        "patients": summary.patients,
        "alerts_opened": summary.alerts_opened,
        "alerts_cleared": summary.alerts_cleared,
        "alerts_changed": summary.alerts_changed,
    }
