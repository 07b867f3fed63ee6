"""Acknowledging an alert from the patient page (and, later, the dashboard)."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from bonehealth.accounts.http import AuthenticatedHttpRequest
from monitoring.assessment.alerts import (
    AlertAlreadyAcknowledgedError,
    AlertNotOpenError,
    alert_acknowledge,
)
from monitoring.assessment.forms import AcknowledgeForm
from monitoring.assessment.permissions import user_may_acknowledge
from monitoring.labels import code_label
from monitoring.models import Alert
from patients.access import PatientPermissionDenied, patient_refused
from patients.selectors import patients_for_user
from patients.services import patient_record_view


@permission_required("monitoring.acknowledge_alert", raise_exception=True)
@require_http_methods(["GET", "POST"])
def alert_acknowledge_view(request: AuthenticatedHttpRequest, alert_pk: int) -> HttpResponse:
    try:
        alert = Alert.objects.select_related("patient", "acknowledged_by").get(
            pk=alert_pk, patient__in=patients_for_user(user=request.user)
        )
    except Alert.DoesNotExist:
        refused = Alert.objects.filter(pk=alert_pk).values_list("patient_id", flat=True).first()
        raise (patient_refused(refused) if refused else Http404("No such alert.")) from None
    if not user_may_acknowledge(request.user, alert):
        raise PatientPermissionDenied(
            "Only a physician may acknowledge a high or critical alert.",
            patient_id=alert.patient_id,
        )
    if request.method == "GET":
        # The page shows the patient and the alert: a view of their record (`audits_patient_view`
        # is the rule for pages whose URL names the patient; this one names the alert).
        patient_record_view(actor=request.user, patient=alert.patient, request=request)
    page = reverse("monitoring:patient", args=[alert.patient_id])
    form = AcknowledgeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            alert_acknowledge(
                actor=request.user, alert=alert, note=form.cleaned_data["note"], request=request
            )
        except AlertAlreadyAcknowledgedError as refused:
            # Their acknowledgement stands: show it, and keep the note typed here (not saved).
            alert, status = refused.alert, 409
            form.add_error("note", str(refused))
        except AlertNotOpenError as error:
            messages.warning(request, str(error))
            return redirect(page)
        else:
            messages.success(request, f"Alert acknowledged: {code_label(alert.code)}.")
            return redirect(page)
    return render(
        request,
        "monitoring/alert_acknowledge.html",
        {"alert": alert, "patient": alert.patient, "form": form},
        status=status,
    )
