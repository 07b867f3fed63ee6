"""The audit trail viewer for admins: filter, page through, export as CSV (itself audited)."""

from collections.abc import Iterator

from django.conf import settings
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from bonehealth.accounts.http import AuthenticatedHttpRequest
from bonehealth.audit.forms import AuditFilterForm
from bonehealth.audit.selectors import HIDDEN, AuditViewer, audit_events_search
from bonehealth.audit.services import audit_export_record, audit_trail_view_record
from bonehealth.csv_safe import csv_lines

VIEW_AUDIT = "audit.view_auditevent"
CSV_COLUMNS = [
    "at",
    "username",
    "action",
    "object_type",
    "object_id",
    "patient_mrn",
    "client_address",
    "fields",
    "values",
]


@require_GET
@permission_required(VIEW_AUDIT, raise_exception=True)
def audit_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A page of the audit trail; each view is itself audited (its filters, page and count),
    after the page's events are read, so that it lists the events before it."""
    form = AuditFilterForm(request.GET or None)
    filters = form.filters()
    viewer = AuditViewer(request.user)
    events = viewer.scoped(audit_events_search(user=request.user, **filters))
    page = Paginator(events, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(viewer.rows(page.object_list))
    audit_trail_view_record(
        actor=request.user,
        filters=filters,
        page=page.number,
        rows=page.paginator.count,
        request=request,
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/auditevent_list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "values_hidden": not viewer.clinician,
        },
    )


@require_GET
@permission_required(VIEW_AUDIT, raise_exception=True)
def audit_export(request: AuthenticatedHttpRequest) -> HttpResponse | StreamingHttpResponse:
    form = AuditFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        # Export nothing rather than everything: the viewer shows the errors beside the fields.
        return redirect(f"{reverse('audit:list')}?{request.GET.urlencode()}")
    filters = form.filters()
    viewer = AuditViewer(request.user)
    events = viewer.scoped(audit_events_search(user=request.user, **filters))
    with transaction.atomic():
        count = events.count()
        audit_export_record(actor=request.user, filters=filters, rows=count, request=request)

    def rows() -> Iterator[list[object]]:
        for row in viewer.rows(events.iterator(chunk_size=2000)):
            event = row.event
            values = (
                "; ".join(f"{name}: {shown}" for name, shown in row.values)
                if row.values is not None
                else HIDDEN
            )
            yield [
                timezone.localtime(event.at).isoformat(),
                event.username,
                event.action,
                event.object_type,
                event.object_id,
                getattr(event, "patient_mrn", "") or "",
                event.client_address or "",
                " ".join(row.fields),
                values,
            ]

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(
        csv_lines(CSV_COLUMNS, rows()), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    return response
