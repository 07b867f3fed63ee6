"""One-page printouts of a patient: the summary for the notes and the DEXA scan request.

Each is a view of the patient's record, audited as one.
"""

from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from bonehealth.accounts.http import AuthenticatedHttpRequest
from monitoring.overview.csp import chart_page
from monitoring.overview.patient import patient_context, patient_viewed
from monitoring.overview.print_layout import for_print


@require_GET
@permission_required("patients.view_patient", raise_exception=True)
@chart_page
def patient_summary(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    patient, assessment = patient_viewed(request, pk)
    context = patient_context(request, patient, assessment, static_charts=True)
    context |= for_print(context)
    return render(request, "monitoring/patient_summary_print.html", context)


@require_GET
@permission_required("patients.view_patient", raise_exception=True)
@chart_page
def scan_request(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    patient, assessment = patient_viewed(request, pk)
    context = patient_context(request, patient, assessment, static_charts=True)
    context |= for_print(context)
    scans = patient.valid_scans  # type: ignore[attr-defined]
    context["last_scan"] = scans[-1] if scans else None
    return render(request, "monitoring/scan_request_print.html", context)
