"""How the patient access gate says no, and the audit of every refusal and every view it allows.

A refusal is a 404 like any other (the page says nothing of whether the patient exists), but a
`PatientRefused` carries the id of a patient who exists, so `RefusalAuditMiddleware` can audit it.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.http import Http404, HttpRequest, HttpResponse

from bonehealth.accounts.http import AuthenticatedHttpRequest
from bonehealth.audit.models import AuditAction
from bonehealth.audit.services import audit_record
from patients.models import Patient
from patients.read_audit import patient_record_view


class PatientRefused(Http404):
    """The gate refused an existing patient: answered as a 404, audited as refused.

    `record` names the record asked for ("monitoring.labresult 149") when the URL named a patient
    the user may see and a record of `patient_id`, another patient.
    """

    def __init__(self, patient_id: int, *, record: str = "") -> None:
        super().__init__("No such patient." if not record else "No such record.")
        self.patient_id = patient_id
        self.record = record


class PatientPermissionDenied(PermissionDenied):
    """A 403 on a page of a patient whose URL does not name them (an alert's page), or of a
    record (`record`, "monitoring.bonetherapycourse 9") whose patient is not the URL's."""

    def __init__(self, message: str, *, patient_id: int, record: str = "") -> None:
        super().__init__(message)
        self.patient_id = patient_id
        self.record = record


def patient_refused(pk: int) -> Http404:
    """Return the 404 for a patient id the gate refused: audited only if the patient exists."""
    if Patient.objects.filter(pk=pk).exists():
        return PatientRefused(pk)
    return Http404("No such patient.")


def record_of_patient[M: models.Model](
    model: type[M], *, patient: Patient | int, pk: int, via: str = "patient", **filters: Any
) -> M:
    """Record `pk` of `model` held by `patient` (reached through the field path `via`) and
    matching `filters`; the caller's gate already let the user see `patient`. 404 otherwise.

    Every page of one record of a patient (/patients/<pk>/labs/<lab_pk>/edit/ and the like) looks
    it up here. A record that exists under another patient is somebody trying ids through a
    patient they may open: the answer is the same 404, but a `PatientRefused` naming the record's
    own patient, so that the attempt is audited like asking for that patient directly.
    """
    manager = model._default_manager
    record = manager.filter(pk=pk, **{via: patient}, **filters).first()
    if record is not None:
        return record
    owner = manager.filter(pk=pk).exclude(**{via: patient}).values_list(via, flat=True).first()
    if owner is not None:
        raise PatientRefused(owner, record=f"{model._meta.label_lower} {pk}")
    raise Http404("No such record.")


def record_permission_denied(
    find: Callable[[], models.Model], *, patient_id: int
) -> PermissionDenied:
    """The 403 for a page of one record when the role check comes first: audited against the
    record's own patient and naming the record, as the 404 of `record_of_patient` is.

    `find` looks the record up under the URL's patient (`patient_id`) as the page would. The
    user sees the same 403 whatever it finds; a record no patient has is not named.
    """
    try:
        record = find()
    except PatientRefused as elsewhere:
        return PatientPermissionDenied(
            "Not allowed.", patient_id=elsewhere.patient_id, record=elsewhere.record
        )
    except Http404:
        return PermissionDenied()
    return PatientPermissionDenied(
        "Not allowed.", patient_id=patient_id, record=f"{record._meta.label_lower} {record.pk}"
    )


def audits_patient_view[V: Callable[..., HttpResponse]](view: V) -> V:
    """Audit a VIEW of the URL's patient (`pk`) on each GET that shows the page.

    The rule for every page that shows one patient's data: a GET answered 200 passed the access
    gate (the view's `patient_get` raises a 404 otherwise), and writes one VIEW row in the
    transaction of the view's reads. POSTs write their own CREATE/CHANGE rows.
    """

    @wraps(view)
    def audited(
        request: AuthenticatedHttpRequest, *args: Any, pk: int, **kwargs: Any
    ) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, pk=pk, **kwargs)
        with transaction.atomic():
            response = view(request, *args, pk=pk, **kwargs)
            if response.status_code == 200:
                patient_record_view(actor=request.user, patient=Patient(pk=pk), request=request)
        return response

    return cast("V", audited)


def _url_patient_id(request: HttpRequest, exception: Exception) -> int | None:
    patient_id = getattr(exception, "patient_id", None)
    if patient_id is None and request.resolver_match is not None:
        match = request.resolver_match
        # Every URL with a `pk` in these two apps is a patient's (patients/<pk>/...).
        if match.namespace in {"patients", "monitoring"}:
            patient_id = match.kwargs.get("pk")
    if patient_id is None or not Patient.objects.filter(pk=patient_id).exists():
        return None
    return int(patient_id)


class RefusalAuditMiddleware:
    """Audit every refused attempt: a 403 raised by a view, and a 404 for an existing patient
    the user may not see. A 404 for an id no patient has writes nothing."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        """Write a DENIED row (the view's own transaction has already rolled back)."""
        patient_id: int | None
        record = ""
        if isinstance(exception, PatientRefused):
            status, patient_id, record = 404, exception.patient_id, exception.record
        elif isinstance(exception, PermissionDenied):
            status, patient_id = 403, _url_patient_id(request, exception)
            record = getattr(exception, "record", "") if patient_id is not None else ""
        else:
            return
        patient = Patient(pk=patient_id) if patient_id is not None else None
        audit_record(
            action=AuditAction.DENIED,
            actor=request.user,
            request=request,
            obj=patient,
            patient=patient,
            changes={
                "status": status,
                "method": request.method,
                "path": request.path[:500],
                **({"record": record} if record else {}),
            },
        )
