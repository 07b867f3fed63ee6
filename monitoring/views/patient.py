"""The patient page: record, assessment, alerts, plan and every entry."""

from django.contrib.auth.decorators import permission_required
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import render

from bonehealth.accounts.http import AuthenticatedHttpRequest
from monitoring import selectors
from monitoring.forms import AcknowledgeForm
from monitoring.services.alerts import user_may_acknowledge
from monitoring.services.assessment import patient_assessment_refresh
from patients.services import patient_record_view


@permission_required("patients.view_patient", raise_exception=True)
def patient_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    with transaction.atomic():
        patient = selectors.patient_page_get(user=request.user, pk=pk)
        patient_record_view(actor=request.user, patient=patient, request=request)
        assessment = selectors.stored_assessment(patient=patient)
        if assessment is None:
            # Records created before monitoring existed (or by a bulk load): assess once now.
            patient_assessment_refresh(patient=patient)
            assessment = selectors.stored_assessment(patient=patient)
    open_alerts, cleared_alerts = selectors.patient_alerts(patient=patient)
    for alert in open_alerts:
        alert.may_acknowledge = user_may_acknowledge(request.user, alert)  # type: ignore[attr-defined]
    return render(
        request,
        "monitoring/patient_page.html",
        {
            "patient": patient,
            "assessment": assessment,
            "data": assessment.data if assessment else {},
            "open_alerts": open_alerts,
            "cleared_alerts": cleared_alerts,
            "acknowledge_form": AcknowledgeForm(),
            "plan": patient.plan_history[0] if patient.plan_history else None,  # type: ignore[attr-defined]
        },
    )
