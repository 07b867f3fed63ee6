"""Export pages: the cohort export (CSV, history zip, FHIR Bundle) and a patient's FHIR Bundle.

For clinicians only (`patients.view_patient`: nurses and physicians, never admins). Each export is
audited with its filters and patients in one transaction with the read of who is in it, before
the first byte is sent; the file itself streams.
"""

import json
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import permission_required
from django.db import transaction
from django.http import HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from bonehealth.accounts.http import AuthenticatedHttpRequest
from monitoring.overview import cohort, fhir
from monitoring.overview.exports import (
    cohort_export_record,
    cohort_export_refused_record,
    patient_export_record,
)
from monitoring.overview.selectors import user_sites
from monitoring.records import selectors

CLINICAL = "patients.view_patient"
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "zip": "application/zip",
    "fhir": "application/fhir+json",
}
EXTENSIONS = {"csv": "csv", "zip": "zip", "fhir": "fhir.json"}


def _page(
    request: AuthenticatedHttpRequest, form: cohort.CohortFilterForm, count: int, status: int = 200
) -> HttpResponse:
    context = {
        "form": form,
        "count": count,
        "limit": settings.COHORT_EXPORT_LIMIT,
        "formats": cohort.FORMATS,
    }
    return render(request, "monitoring/cohort_export.html", context, status=status)


@require_http_methods(["GET", "POST"])
@permission_required(CLINICAL, raise_exception=True)
def cohort_export(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """GET: the filters and how many patients they choose. POST: the count again ("count"), or
    the export, streamed. One form holds the filters and the export buttons, so what is exported
    is always what the filters on the page show."""
    data = request.POST if request.method == "POST" else request.GET
    form = cohort.CohortFilterForm(data or None, sites=user_sites(user=request.user))
    patients = cohort.cohort_for_form(request.user, form)
    kind = request.POST.get("format", "")
    if request.method == "GET" or kind == "count":
        return _page(request, form, patients.count(), status=400 if form.errors else 200)
    if kind not in cohort.FORMATS or not form.is_valid():
        form.add_error(None, "Choose valid filters and one of the export formats.")
        return _page(request, form, patients.count(), status=400)
    reason = form.cleaned_data["reason"].strip()
    limit = settings.COHORT_EXPORT_LIMIT
    export = cohort.FORMATS[kind]
    with transaction.atomic():
        patient_ids = list(patients.values_list("pk", flat=True))
        if len(patient_ids) > limit and not reason:
            cohort_export_refused_record(
                actor=request.user,
                export=export,
                filters=form.filters(),
                count=len(patient_ids),
                limit=limit,
                request=request,
            )
        else:
            cohort_export_record(
                actor=request.user,
                export=export,
                filters=form.filters(),
                patient_ids=patient_ids,
                reason=reason,
                request=request,
            )
    if len(patient_ids) > limit and not reason:
        form.add_error(
            "reason",
            f"{len(patient_ids)} patients is more than the export limit of {limit}: "
            "give a reason, or narrow the filters.",
        )
        return _page(request, form, len(patient_ids), status=400)
    content: Iterator[Any]
    if kind == "csv":
        content = cohort.cohort_csv(patient_ids)
    elif kind == "zip":
        content = cohort.zip_stream(cohort.cohort_histories(patient_ids))
    else:
        content = cohort.bundle_stream(cohort.cohort_fhir_resources(patient_ids))
    response = StreamingHttpResponse(content, content_type=CONTENT_TYPES[kind])
    name = f"cohort-{timezone.localdate().isoformat()}.{EXTENSIONS[kind]}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_GET
@permission_required(CLINICAL, raise_exception=True)
def patient_fhir(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One patient's record as a FHIR R4 Bundle (JSON), audited as an export."""
    with transaction.atomic():
        patient = selectors.patient_page_get(user=request.user, pk=pk)
        alerts = selectors.patient_open_alerts(patient=patient)
        patient_export_record(
            actor=request.user, patient=patient, export="patient FHIR Bundle", request=request
        )
    bundle = fhir.bundle(fhir.patient_resources(patient, alerts))
    response = HttpResponse(json.dumps(bundle, indent=2), content_type="application/fhir+json")
    name = cohort.history_file_name(patient).removesuffix(".json")
    response["Content-Disposition"] = f'attachment; filename="{name}.fhir.json"'
    return response
