from django.urls import path

from monitoring.assessment import views as alerts
from monitoring.overview import export_views, letters, patient, printouts
from monitoring.overview import lists as overview
from monitoring.records import scanner_views as scanners
from monitoring.records import views as entries

app_name = "monitoring"

P = "patients/<int:pk>/"

urlpatterns = [
    path("dashboard/", overview.dashboard, name="dashboard"),
    path("worklist/", overview.worklist, name="worklist"),
    path("worklist/print/", overview.worklist_print, name="worklist_print"),
    path("worklist.csv", overview.worklist_csv, name="worklist_csv"),
    path(P, patient.patient_page, name="patient"),
    path(f"{P}summary/", printouts.patient_summary, name="patient_summary"),
    path(f"{P}scan-request/", printouts.scan_request, name="scan_request"),
    path(f"{P}letters/<str:kind>/", letters.letter_view, name="letter"),
    path(f"{P}fhir.json", export_views.patient_fhir, name="patient_fhir"),
    path("cohort-export/", export_views.cohort_export, name="cohort_export"),
    path(f"{P}scans/new/", entries.scan_create, name="scan_create"),
    path(f"{P}scans/<int:scan_pk>/edit/", entries.scan_update, name="scan_update"),
    path(f"{P}scans/<int:scan_pk>/sign-off/", entries.scan_sign_off, name="scan_sign_off"),
    path(f"{P}labs/new/", entries.labs_create, name="labs_create"),
    path(f"{P}labs/<int:lab_pk>/edit/", entries.lab_update, name="lab_update"),
    path(f"{P}frax/new/", entries.frax_create, name="frax_create"),
    path(f"{P}frax/<int:frax_pk>/edit/", entries.frax_update, name="frax_update"),
    path(f"{P}therapy/new/", entries.therapy_create, name="therapy_create"),
    path(f"{P}therapy/<int:course_pk>/edit/", entries.therapy_update, name="therapy_update"),
    path(f"{P}therapy/<int:course_pk>/doses/new/", entries.dose_create, name="dose_create"),
    path(
        f"{P}therapy/<int:course_pk>/doses/<int:dose_pk>/entered-in-error/",
        entries.dose_mark_in_error,
        name="dose_mark_in_error",
    ),
    path(f"{P}supplements/", entries.supplements_update, name="supplements"),
    path(f"{P}plan/", entries.plan_update, name="plan"),
    path(
        f"{P}<str:kind>/<int:entry_pk>/entered-in-error/",
        entries.entry_mark_in_error,
        name="entry_mark_in_error",
    ),
    path("settings/scanners/", scanners.scanner_list, name="scanner_list"),
    path("settings/scanners/new/", scanners.scanner_create, name="scanner_create"),
    path(
        "settings/scanners/<int:scanner_pk>/edit/", scanners.scanner_update, name="scanner_update"
    ),
    path(
        "alerts/<int:alert_pk>/acknowledge/",
        alerts.alert_acknowledge_view,
        name="alert_acknowledge",
    ),
]
