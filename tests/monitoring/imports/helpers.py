"""Building results CSV files and counting what the database holds, for the import tests."""

import csv
import io
import json
from pathlib import Path
from typing import Any

from bonehealth.audit.models import AuditEvent
from monitoring.models import DexaMeasurement, DexaScan, LabResult
from monitoring.records.imports.results_csv import COLUMNS
from tests.monitoring.domain.test_vignettes import VIGNETTES


def results_csv(rows: list[dict[str, Any]], *, columns: tuple[str, ...] = COLUMNS) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({name: "" if row.get(name) is None else row.get(name) for name in columns})
    return out.getvalue()


def vignette(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((VIGNETTES / f"{name}.history.json").read_text())
    return data


def vignette_rows(history: dict[str, Any], mrn: str) -> list[dict[str, Any]]:
    """The scans and labs of a history as results CSV rows."""
    rows: list[dict[str, Any]] = []
    for scan in history.get("dexa_scans", []):
        for site, m in scan["sites"].items():
            rows.append(
                {
                    "mrn": mrn,
                    "date": scan["date"],
                    "measure": site,
                    "value": m["bmd"],
                    "unit": "g/cm2",
                    "scanner": scan["scanner"],
                    "t_score": m["t_score"],
                    "z_score": m.get("z_score"),
                }
            )
    for lab in history.get("labs", []):
        rows.append(
            {
                "mrn": mrn,
                "date": lab["date"],
                "measure": lab["analyte"],
                "value": lab["value"],
                "unit": lab["unit"],
                "fasting": "yes" if lab.get("fasting") else "no",
            }
        )
    return rows


def write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


def preview_views() -> list[AuditEvent]:
    """The audit rows of the import previews shown (each names the patients it read)."""
    return list(AuditEvent.objects.filter(changes__shown="import preview").order_by("pk"))


def snapshot() -> tuple[int, ...]:
    """What an import could change: scans, measurements, labs and audit rows (but the view rows
    of its previews, which are reads: `preview_views`)."""
    return (
        DexaScan.objects.count(),
        DexaMeasurement.all_versions.count(),
        LabResult.objects.count(),
        AuditEvent.objects.count() - len(preview_views()),
    )
