"""Acknowledging an alert, or a patient's alerts of one code together, from the patient page
and the dashboard."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from bonehealth.accounts.http import AuthenticatedHttpRequest, safe_next_path
from monitoring.assessment.alerts import (
    AlertAlreadyAcknowledgedError,
    AlertNotOpenError,
    alert_acknowledge,
    alerts_acknowledge,
)
from monitoring.assessment.forms import AcknowledgeForm, GroupAcknowledgeForm
from monitoring.assessment.permissions import (
    acknowledgement_closes,
    user_may_acknowledge,
    user_may_note,
)
from monitoring.domain import AlertCode
from monitoring.labels import code_label
from monitoring.models import Alert
from monitoring.records.selectors import alerts_with_earlier_notes
from patients.access import PatientPermissionDenied, patient_refused
from patients.read_audit import patient_record_view
from patients.selectors import patient_get, patients_for_user
from patients.services import PatientInErrorError

# The codes the rules raise: a group page's URL names one of them (or a code a patient's stored
# alerts still carry, should the rules retire one).
ALERT_CODES = frozenset(code.value for code in AlertCode)


@permission_required("monitoring.acknowledge_alert", raise_exception=True)
@require_http_methods(["GET", "POST"])
def alert_acknowledge_view(request: AuthenticatedHttpRequest, alert_pk: int) -> HttpResponse:
    try:
        alert = Alert.objects.select_related("patient", "acknowledged_by", "seen_by").get(
            pk=alert_pk, patient__in=patients_for_user(user=request.user)
        )
    except Alert.DoesNotExist:
        refused = Alert.objects.filter(pk=alert_pk).values_list("patient_id", flat=True).first()
        raise (patient_refused(refused) if refused else Http404("No such alert.")) from None
    alerts_with_earlier_notes([alert])
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
        except PatientInErrorError as marked:
            status = 409
            form.add_error(None, str(marked))
        except AlertNotOpenError as error:
            messages.warning(request, str(error))
            return redirect(page)
        else:
            messages.success(request, _done(request, [alert], code_label(alert.code)))
            return redirect(page)
    return render(
        request,
        "monitoring/alert_acknowledge.html",
        {
            "alert": alert,
            "patient": alert.patient,
            "form": form,
            "closes": acknowledgement_closes(request.user, alert),
            "may_note": status == 200 and user_may_note(request.user, alert),
        },
        status=status,
    )


def _done(request: AuthenticatedHttpRequest, alerts: list[Alert], named: str) -> str:
    """What the clinician's note did: acknowledged the alerts, or recorded that they were seen
    (a therapy decision alert, by one who may not decide therapy)."""
    plural = "s" if len(alerts) > 1 else ""
    if all(acknowledgement_closes(request.user, alert) for alert in alerts):
        return f"Alert{plural} acknowledged: {named}."
    return f"Recorded as seen: {named}. The therapy decision awaits a physician."


@permission_required("monitoring.acknowledge_alert", raise_exception=True)
@require_http_methods(["GET", "POST"])
def alert_group_acknowledge_view(
    request: AuthenticatedHttpRequest, pk: int, code: str
) -> HttpResponse:
    """The open alerts of one code of a patient (one per site), acknowledged with one note."""
    patient = patient_get(user=request.user, pk=pk)
    group = alerts_with_earlier_notes(
        list(
            Alert.objects.filter(patient=patient, code=code, cleared_at__isnull=True)
            .select_related("acknowledged_by", "seen_by")
            .order_by("-severity_rank", "raised_at", "id")
        )
    )
    if (
        not group
        and code not in ALERT_CODES
        and not Alert.objects.filter(patient=patient, code=code).exists()
    ):
        # No such alert code: a 404 like any unknown URL (after the patient's gate), not a page
        # saying it has cleared, and no view audited.
        raise Http404("No such alert code.")
    waiting = [alert for alert in group if alert.acknowledged_at is None]
    page = reverse("monitoring:patient", args=[pk])
    if request.method == "GET":
        # Nothing open (cleared since the link was drawn): the page says so.
        patient_record_view(actor=request.user, patient=patient, request=request)
    if waiting and not all(user_may_acknowledge(request.user, alert) for alert in waiting):
        raise PatientPermissionDenied(
            "Only a physician may acknowledge a high or critical alert.", patient_id=pk
        )
    # A therapy decision alert the viewer has already seen (or someone else, who may not decide
    # either) leaves them nothing to write: its form is not offered.
    waiting = [alert for alert in waiting if user_may_note(request.user, alert)]
    form = GroupAcknowledgeForm(request.POST or None, alert_ids=[alert.pk for alert in group])
    status = 200
    if request.method == "POST":
        if not form.is_valid():
            if "alert" in form.errors:  # an alert shown has cleared since
                messages.warning(request, "These alerts have changed; read them again.")
                return redirect(page)
        else:
            try:
                alerts_acknowledge(
                    actor=request.user,
                    patient_id=pk,
                    alert_ids=form.cleaned_data["alert"],
                    note=form.cleaned_data["note"],
                    request=request,
                )
            except AlertAlreadyAcknowledgedError as refused:
                form.add_error("note", str(refused))
                status = 409
                group = [refused.alert if a.pk == refused.alert.pk else a for a in group]
            except PatientInErrorError as marked:
                form.add_error(None, str(marked))
                status = 409
            except AlertNotOpenError as error:
                messages.warning(request, str(error))
                return redirect(page)
            else:
                n = len(form.cleaned_data["alert"])
                done = f"{code_label(code)} ({n} sites)" if n > 1 else code_label(code)
                noted = [alert for alert in group if alert.pk in form.cleaned_data["alert"]]
                messages.success(request, _done(request, noted, done))
                return redirect(safe_next_path(request, request.POST.get("next", "")) or page)
    return render(
        request,
        "monitoring/alert_group_acknowledge.html",
        {
            "alerts": group,
            "code": code,
            "patient": patient,
            "form": form,
            "waiting": waiting,
            "closes": all(acknowledgement_closes(request.user, alert) for alert in group),
            "refused": status == 409,  # the note typed is shown, not offered again
        },
        status=status,
    )
