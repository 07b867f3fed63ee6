"""The worklist: the page, its CSV and its printout."""

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET

from bonehealth.accounts.http import AuthenticatedHttpRequest
from bonehealth.accounts.models import Site
from bonehealth.csv_safe import csv_lines
from bonehealth.replica import replica_reads
from monitoring.models import ScheduledItem
from monitoring.overview import lateness
from monitoring.overview import selectors as overview
from monitoring.overview.alert_work import AlertWork
from monitoring.overview.exports import worklist_export_record
from monitoring.overview.filters import DEFAULT_WEEKS, WorklistFilterForm
from monitoring.overview.overview_cache import cached_part
from monitoring.overview.page_query import audited_page_view, query_without
from monitoring.overview.patient import permissions_digest
from monitoring.overview.urgency import TiedAlerts, tied_alerts
from monitoring.overview.worklist_rows import alert_words, keyed, marked

WORKLIST = "monitoring.view_worklist"


def _worklist(
    request: AuthenticatedHttpRequest, sites: QuerySet[Site] | None = None
) -> tuple[WorklistFilterForm, dict[str, Any]]:
    if sites is None:
        sites = overview.user_sites(user=request.user)
    form = WorklistFilterForm(request.GET, sites=sites)
    weeks: int = form.chosen("weeks", DEFAULT_WEEKS)  # type: ignore[assignment]
    site: Site | None = form.chosen("site")  # type: ignore[assignment]
    today = timezone.localdate()
    until = today + dt.timedelta(weeks=weeks)
    return form, {"weeks": weeks, "site": site, "today": today, "until": until}


def _items(request: AuthenticatedHttpRequest, f: dict[str, Any]) -> Any:
    return overview.worklist_items(user=request.user, until=f["until"], site=f["site"])


WORK_PAGE_SIZE = 50


def _alert_work(request: AuthenticatedHttpRequest, f: dict[str, Any], number: str | None) -> Page:
    """A page of the work open alerts ask for (dental review, bloods, therapy decision), with
    its patients."""
    work = overview.alert_work(user=request.user, site=f["site"])
    wanted = int(number) if number and number.isdigit() and 0 < int(number) < 10_000 else 1
    work.preload((wanted - 1) * WORK_PAGE_SIZE, wanted * WORK_PAGE_SIZE)
    page = Paginator(work, WORK_PAGE_SIZE).get_page(number)
    page.object_list = overview.with_patients(list(page.object_list))
    return page


def _all_alert_work(request: AuthenticatedHttpRequest, f: dict[str, Any]) -> list[AlertWork]:
    """Every row of the work open alerts ask for, with its patient (the printout and the CSV)."""
    return overview.with_patients(list(overview.alert_work(user=request.user, site=f["site"])))


def _filters(f: dict[str, Any]) -> dict[str, Any]:
    return {"weeks": f["weeks"], "site": f["site"].code if f["site"] else None}


def _worklist_lists(request: AuthenticatedHttpRequest, f: dict[str, Any]) -> dict[str, Any]:
    """The worklist's two lists, rendered (no form in them), with the ids of their patients;
    each row a `{% cache %}` fragment (`worklist_rows`)."""
    page = Paginator(_items(request, f), 50).get_page(request.GET.get("page"))
    items = list(page.object_list)
    work = _alert_work(request, f, request.GET.get("work_page"))
    permissions = permissions_digest(request.user)
    keyed([items, list(work.object_list)], today=f["today"], permissions=permissions)
    context = {
        "page": page,
        "items": items,
        "work": work,
        "cache_seconds": settings.PAGE_CACHE_SECONDS,
        "work_query": query_without(request, "work_page"),
        "query": query_without(request, "page"),
        **f,
    }
    return {
        "html": render_to_string("monitoring/_worklist_lists.html", context, request=request),
        "patient_ids": [row.patient_id for row in [*items, *work.object_list]],
        "pages": {"page": page.number, "work_page": work.number},
    }


@require_GET
@permission_required(WORKLIST, raise_exception=True)
@replica_reads
def worklist(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The worklist: its lists are a cached part (`overview_cache`), audited on every view."""
    sites = overview.user_sites(user=request.user)
    form, f = _worklist(request, sites)
    lists = cached_part(
        request,
        "worklist",
        list(sites),
        lambda: _worklist_lists(request, f),
        form=form,
        pages=["page", "work_page"],
    )
    audited_page_view(
        request,
        "worklist",
        lists["patient_ids"],
        form=form,
        filters=_filters(f),
        pages=lists.get("pages", {}),
    )
    context = {
        "form": form,
        "lists_html": lists["html"],  # a SafeString, rendered by an escaping template
        "print_query": query_without(request, "page"),
        **f,
    }
    return render(request, "monitoring/worklist.html", context)


@require_GET
@permission_required(WORKLIST, raise_exception=True)
def worklist_print(request: AuthenticatedHttpRequest) -> HttpResponse:
    _form, f = _worklist(request)
    items = list(_items(request, f))
    work = _all_alert_work(request, f)
    marked([items, work], f["today"])
    worklist_export_record(
        actor=request.user,
        export="worklist printout",
        filters=_filters(f),
        rows=len(items) + len(work),
        patient_ids=[item.patient_id for item in [*items, *work]],
        request=request,
    )
    context = {"items": items, "work_rows": work, **f}
    return render(request, "monitoring/worklist_print.html", context)


CSV_COLUMNS = [
    "due",
    "status",
    "days_past_due",
    "item",
    "mrn",
    "name",
    "site",
    "birth_date",
    "asked_by",
    "severity",  # added last: readers of the earlier columns keep their places
    "alert",  # the title of that alert, as the page shows it beside the item (nurse10 F19)
    # The days left to a date still to come (nurse14 #9: a future item read days_past_due=0, as
    # one due today); added last as well.
    "days_until_due",
]


def _csv_row(
    item: ScheduledItem | AlertWork, today: dt.date, asked_by: str, tied: TiedAlerts
) -> list[object]:
    """One row; `status` is "overdue" once its date has passed, unless the rules' open alerts
    give the item a grace period (monitoring/overview/lateness.py), else "due", and
    `days_past_due` counts from the due date either way (0 for a date to come, whose days left
    `days_until_due` counts: both 0 on the day itself); `severity` is that of the worst open
    alert about the item (critical, high, warning, info; empty: none), which ranks the rows
    tied to a critical or high one first, as on the page (monitoring/overview/urgency.py), and
    `alert` its title, the words the page shows beside the item (which critical alert it is;
    for a therapy decision, every alert asking for it: `worklist_rows.alert_words`)."""
    patient: Any = item.patient  # an alert's work comes with its patient (`with_patients`)
    late = (today - item.due).days
    grace = tied.in_grace(item.patient_id, item.item, item.due, today)
    state = lateness.due_state(item.due, today, in_grace=grace)
    worst, words = alert_words(tied, item)
    return [
        item.due.isoformat(),
        "overdue" if state == "overdue" else "due",
        max(late, 0),
        item.get_item_display(),
        patient.mrn,
        patient.name,
        patient.site.name,
        patient.birth_date.isoformat(),
        asked_by,
        worst.severity if worst else "",
        words,
        max(-late, 0),
    ]


def _csv_rows(items: Any, work: list[AlertWork], today: dt.date, tied: TiedAlerts) -> Iterator[str]:
    """The page's two tables in its order: the schedule's items (critical, then high first, each
    group the longest waiting first), then the work open alerts ask for (likewise); `asked_by`
    says which a row comes from."""

    def rows() -> Iterator[list[object]]:
        item: ScheduledItem
        for item in items.iterator(chunk_size=500):
            yield _csv_row(item, today, "schedule", tied)
        for row in work:
            yield _csv_row(row, today, "open alert", tied)

    return csv_lines(CSV_COLUMNS, rows())


@require_GET
@permission_required(WORKLIST, raise_exception=True)
def worklist_csv(request: AuthenticatedHttpRequest) -> StreamingHttpResponse:
    _form, f = _worklist(request)
    items = _items(request, f)
    with transaction.atomic():
        # The patient of each row, read in the audit's transaction (in place of a COUNT).
        patient_ids = list(items.values_list("patient_id", flat=True))
        work = _all_alert_work(request, f)
        patient_ids += [row.patient_id for row in work]
        worklist_export_record(
            actor=request.user,
            export="worklist CSV",
            filters=_filters(f),
            rows=len(patient_ids),
            patient_ids=patient_ids,
            request=request,
        )
    tied = tied_alerts(set(patient_ids))
    response = StreamingHttpResponse(
        _csv_rows(items, work, f["today"], tied), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="worklist-{f["today"]}.csv"'
    return response
