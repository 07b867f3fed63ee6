from django.urls import URLPattern, path, register_converter

from monitoring.assessment import views as alerts
from monitoring.overview import (
    dashboard,
    export_views,
    in_error_entries,
    letter_views,
    patient,
    printouts,
    record_history,
)
from monitoring.overview import lists as overview
from monitoring.records import scanner_views as scanners
from monitoring.records import views as entries
from monitoring.records.imports import views as imports

app_name = "monitoring"

P = "patients/<int:pk>/"


class AlertCodeConverter:
    """An alert code as the rules name one (`BONE_THERAPY_INDICATED`): anything else is a 404 at
    the URL, before it reaches a query (a NUL byte there is an error on PostgreSQL, sec13 #2)."""

    regex = "[A-Z][A-Z0-9_]*"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(AlertCodeConverter, "alert_code")


def entry_page(route: str, kind: str) -> URLPattern:
    """A patient's entry form page: named as its row of ENTRY_PAGES, served by one view."""
    return path(f"{P}{route}", entries.entry_page, {"kind": kind}, name=kind)


urlpatterns = [
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("worklist/", overview.worklist, name="worklist"),
    path("worklist/print/", overview.worklist_print, name="worklist_print"),
    path("worklist.csv", overview.worklist_csv, name="worklist_csv"),
    path(P, patient.patient_page, name="patient"),
    path(f"{P}summary/", printouts.patient_summary, name="patient_summary"),
    path(f"{P}scan-request/", printouts.scan_request, name="scan_request"),
    path(f"{P}letters/<str:kind>/", letter_views.letter_view, name="letter"),
    path(f"{P}fhir.json", export_views.patient_fhir, name="patient_fhir"),
    path("cohort-export/", export_views.cohort_export, name="cohort_export"),
    path(f"{P}history/<str:kind>/", record_history.record_history, name="history"),
    path(
        f"{P}history/<str:kind>/<int:record_pk>/",
        record_history.record_history,
        name="record_history",
    ),
    path(f"{P}marked-in-error/", in_error_entries.entries_in_error_page, name="entries_in_error"),
    entry_page("scans/new/", "scan_create"),
    entry_page("scans/<int:record_pk>/edit/", "scan_update"),
    path(f"{P}scans/<int:scan_pk>/sign-off/", entries.scan_sign_off, name="scan_sign_off"),
    entry_page("labs/new/", "labs_create"),
    entry_page("labs/<int:record_pk>/edit/", "lab_update"),
    entry_page("frax/new/", "frax_create"),
    entry_page("frax/<int:record_pk>/edit/", "frax_update"),
    entry_page("therapy/new/", "therapy_create"),
    entry_page("therapy/<int:record_pk>/edit/", "therapy_update"),
    entry_page("therapy/<int:record_pk>/dental-review/", "dental_review"),
    entry_page("therapy/<int:record_pk>/doses/new/", "dose_create"),
    path(
        f"{P}therapy/<int:course_pk>/doses/<int:dose_pk>/entered-in-error/",
        entries.dose_mark_in_error,
        name="dose_mark_in_error",
    ),
    entry_page("supplements/", "supplements"),
    entry_page("plan/", "plan"),
    path(
        f"{P}<str:kind>/<int:entry_pk>/entered-in-error/",
        entries.entry_mark_in_error_page,
        name="entry_mark_in_error",
    ),
    path("settings/scanners/", scanners.scanner_list, name="scanner_list"),
    path("settings/scanners/new/", scanners.scanner_create, name="scanner_create"),
    path(
        "settings/scanners/<int:scanner_pk>/edit/", scanners.scanner_update, name="scanner_update"
    ),
    path("imports/", imports.import_upload, name="import_upload"),
    path("imports/preview/", imports.import_preview, name="import_preview"),
    path("imports/confirm/", imports.import_confirm, name="import_confirm"),
    path("imports/results-template.csv", imports.results_template, name="import_template"),
    path(
        "alerts/<int:alert_pk>/acknowledge/",
        alerts.alert_acknowledge_view,
        name="alert_acknowledge",
    ),
    path(
        f"{P}alerts/<alert_code:code>/acknowledge/",
        alerts.alert_group_acknowledge_view,
        name="alert_group_acknowledge",
    ),
]
