"""The patient page: record, assessment, charts, alerts, plan and every entry."""

from typing import Any

from django.contrib.auth.decorators import permission_required
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from bonehealth.accounts.http import AuthenticatedHttpRequest
from monitoring import domain
from monitoring.assessment.forms import AcknowledgeForm
from monitoring.assessment.history import history_from_records
from monitoring.assessment.permissions import user_may_acknowledge
from monitoring.assessment.read_through import assessment_read_through
from monitoring.models import PatientAssessment
from monitoring.overview import charts, page_cache
from monitoring.overview.csp import chart_page
from monitoring.records import selectors
from patients.models import Patient
from patients.services import patient_record_view


def patient_viewed(
    request: AuthenticatedHttpRequest, pk: int
) -> tuple[Patient, PatientAssessment | None]:
    """Load a patient the user may see with all records and assessment; audit the view."""
    with transaction.atomic():
        patient = selectors.patient_page_get(user=request.user, pk=pk)
        patient_record_view(actor=request.user, patient=patient, request=request)
        assessment = selectors.stored_assessment(patient=patient)
        if assessment is None:
            # Records created before monitoring existed (or by a bulk load): assess once now.
            assessment_read_through(patient=patient)
            assessment = selectors.stored_assessment(patient=patient)
    return patient, assessment


def patient_context(
    request: AuthenticatedHttpRequest,
    patient: Patient,
    assessment: PatientAssessment | None,
    *,
    static_charts: bool = False,
) -> dict[str, Any]:
    """What the patient page and its printouts show: assessment, alerts, plan and charts."""
    open_alerts, cleared_alerts = selectors.patient_alerts(patient=patient)
    for alert in open_alerts:
        alert.may_acknowledge = user_may_acknowledge(request.user, alert)  # type: ignore[attr-defined]
    data = assessment.data if assessment else {}
    try:
        figures = charts.patient_figures(
            history_from_records(patient), data, as_of=timezone.localdate(), static=static_charts
        )
        data_problem = None
    except domain.HistoryError as problem:
        # A stored value the rules refuse (saved before the forms bounded it, or by a bulk load):
        # show the record and say what to correct, rather than failing the page for everyone.
        figures, data_problem = {}, str(problem)
    return {
        "patient": patient,
        "assessment": assessment,
        "data": data,
        "open_alerts": open_alerts,
        "cleared_alerts": cleared_alerts,
        "plan": patient.plan_history[0] if patient.plan_history else None,  # type: ignore[attr-defined]
        "data_problem": data_problem,
        **figures,
    }


@require_safe
@permission_required("patients.view_patient", raise_exception=True)
@chart_page
def patient_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    patient, versions = selectors.patient_page_key(user=request.user, pk=pk)
    patient_record_view(actor=request.user, patient=patient, request=request)
    if versions is None:
        # Records created before monitoring existed (or by a bulk load): assess once now.
        assessment_read_through(patient=patient)
        patient, versions = selectors.patient_page_key(user=request.user, pk=pk)

    def context() -> dict[str, Any]:
        # A miss: the whole record and assessment (the key above read only their versions).
        record = selectors.patient_with_records(pk)
        return patient_context(request, record, record.assessment) | {
            "acknowledge_form": AcknowledgeForm()
        }

    # The view above is audited on every request; the page is rendered again only when the
    # patient's records, their assessment, the date or the viewer changed.
    return page_cache.cached_page(
        request,
        page="patient",
        versions=(pk, versions),
        template_name="monitoring/patient_page.html",
        body_template_name="monitoring/_patient_body.html",
        context=context,
        page_context=lambda body: {"patient": patient, "has_charts": "data-chart=" in body},
    )
