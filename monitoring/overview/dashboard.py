"""The physician's alert dashboard: counts, patients with open alerts, scans to review."""

import datetime as dt
import functools
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Page, Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET

from bonehealth.accounts.http import AuthenticatedHttpRequest
from bonehealth.accounts.models import Site
from bonehealth.accounts.selectors import users_changed
from bonehealth.replica import replica_reads
from monitoring.models.choices import RiskCategory
from monitoring.overview import selectors as overview
from monitoring.overview.alert_groups import AlertGroup, alert_groups
from monitoring.overview.cache_keys import shown_key
from monitoring.overview.filters import DashboardFilterForm
from monitoring.overview.overview_cache import (
    cached_part,
    cached_span_parts,
    joined_records_key,
    sites_of,
    span_records_keys,
)
from monitoring.overview.page_query import audited_page_view, query_without
from monitoring.overview.patient import permissions_digest
from monitoring.overview.sparkline import t_score_sparkline

DASHBOARD = "monitoring.view_dashboard"


def _risk_rows(counts: dict[str, int]) -> list[dict[str, Any]]:
    order = [RiskCategory.HIGH, RiskCategory.MODERATE, RiskCategory.LOW, RiskCategory.UNKNOWN]
    return [{"code": code.value, "n": counts.get(code.value, 0)} for code in order]


def _counted_page(object_list: Any, count: int, per_page: int, number: str | None) -> Page:
    """A page of `object_list`, whose length is already known (the dashboard's counts)."""
    paginator = Paginator(object_list, per_page)
    paginator.count = count  # instead of a COUNT query (a cached_property)
    return paginator.get_page(number)


class DashboardRow:
    """One patient's row of the dashboard, a `{% cache %}` fragment keyed by `key`: the patient's
    `records_version` (raised by every change to what the row shows) and what else it shows (the
    site's name, today's date, the severity filter, the viewer's permissions and last visit, the
    users' names).
    A row found in the cache reads nothing more; the others read their alerts and scans, all
    of the page's rows in one query each, on the first miss (`PageData`)."""

    def __init__(self, patient: Any, key: str, data: "PageData") -> None:
        self.patient, self.key, self._data = patient, key, data

    @functools.cached_property
    def groups(self) -> list[AlertGroup]:
        alerts = self._data.alerts()[self.patient.pk]
        return alert_groups(alerts, user=self._data.user, since=self._data.since)

    @property
    def new(self) -> bool:
        return any(group.new for group in self.groups)

    @property
    def sparkline(self) -> str:
        return t_score_sparkline(self._data.points()[self.patient.pk])


class PageData:
    """The open alerts and lowest T-scores of the page's patients, read when a row needs them."""

    def __init__(self, user: Any, ids: list[int], severity: str | None, since: Any) -> None:
        self.user, self.ids, self.severity, self.since = user, ids, severity, since

    @functools.cache  # noqa: B019 (one object per request)
    def alerts(self) -> dict[int, list[Any]]:
        return overview.open_alerts_of(self.ids, min_severity=self.severity)

    @functools.cache  # noqa: B019 (one object per request)
    def points(self) -> dict[int, list[Any]]:
        return overview.lowest_t_scores(self.ids)


def _dashboard_rows(
    request: AuthenticatedHttpRequest,
    shown: list[Any],
    severity: str | None,
    since: dt.datetime | None,
    users: str,
) -> list[DashboardRow]:
    """The rows of the page: each patient with their open alerts grouped by code (the new ones
    since the user's last visit marked) and their lowest T-score per scan as a sparkline."""
    data = PageData(request.user, [p.pk for p in shown], severity, since)
    viewer = [
        timezone.localdate().isoformat(),
        severity or "",
        since.isoformat() if since else "",
        permissions_digest(request.user),
        users,  # a row names the nurse who saw a therapy decision alert
    ]
    rows = []
    for patient in shown:
        parts = [str(patient.pk), str(patient.assessment.records_version), patient.site.name]
        rows.append(DashboardRow(patient, shown_key(parts + viewer), data))
    return rows


def _dashboard_counts(
    request: AuthenticatedHttpRequest,
    sites: list[Site],
    narrowed: dict[str, Any],
    keys: dict[int, dict[int, str]],
) -> overview.DashboardCounts:
    """The dashboard's counts, added up from those of each span of patient ids at each site,
    each cached until one of its patients changes: after a change to one patient only their
    span is counted again (a site's counts are two passes over its patients, about 30 ms at
    10,000; a span's a few ms, bench/README.md)."""

    def counted(one: Site, spans: list[int] | None) -> dict[int, overview.DashboardCounts]:
        return overview.dashboard_counts_by_span(
            user=request.user, site=one, spans=spans, **narrowed
        )

    filters = sorted(narrowed.items())
    parts = cached_span_parts(
        request, "dashboard-counts", sites, keys, counted, overview.DashboardCounts, filters
    )
    return overview.counts_added(parts)


def _dashboard_body(
    request: AuthenticatedHttpRequest,
    form: DashboardFilterForm,
    site: Site | None,
    narrowed: dict[str, Any],
    since: dt.datetime | None,
    in_scope: list[Site],
    keys: dict[int, dict[int, str]],
    users: str,
) -> dict[str, Any]:
    """The dashboard below its heading, rendered: the filters, the counts, the page of patients
    with open alerts and the page of scans to review, with the ids of the patients shown
    (audited). No CSRF token in it: each sign-off button submits the one form the page draws
    around it on every view (`form=` and `formaction=`)."""
    severity = narrowed["min_severity"]
    counts = _dashboard_counts(request, in_scope, narrowed, keys)
    patients = overview.dashboard_patients(user=request.user, site=site, **narrowed)
    page = _counted_page(
        patients, counts.alerting_patients, settings.PAGE_SIZE, request.GET.get("page")
    )
    shown = list(page.object_list)
    scans = overview.scans_awaiting_review(user=request.user, site=site)
    scans_page = _counted_page(scans, counts.unreviewed_scans, 10, request.GET.get("scans_page"))
    scans_page.object_list = list(scans_page.object_list)
    context = {
        "form": form,
        "page": page,
        "patient_rows": _dashboard_rows(request, shown, severity, since, users),
        "cache_seconds": settings.PAGE_CACHE_SECONDS,
        "risk_rows": _risk_rows(counts.risk),
        "code_counts": counts.alert_codes,
        "narrowed": {key: value for key, value in narrowed.items() if value},
        "filtered": bool(request.GET),
        "query": query_without(request, "page"),
        "risk_query": query_without(request, "page", "risk"),
        "code_query": query_without(request, "page", "code"),
        "scans": scans_page,
        "scans_query": query_without(request, "scans_page"),
    }
    return {
        "html": render_to_string("monitoring/_dashboard_body.html", context, request=request),
        "patient_ids": [p.pk for p in shown] + [s.patient_id for s in scans_page.object_list],
        "pages": {"page": page.number, "scans_page": scans_page.number},
    }


def _last_visit(request: AuthenticatedHttpRequest) -> dt.datetime | None:
    """The user's last visit to the dashboard before this sign-in ("new since your last visit"),
    read from the audit trail once per sign-in and kept in the session (1.6-1.8 ms of every
    view at 10,000 patients, bench/README.md)."""
    signed_in = request.user.last_login.isoformat() if request.user.last_login else ""
    kept = request.session.get("dashboard_last_visit")
    if kept and kept[0] == signed_in:
        return dt.datetime.fromisoformat(kept[1]) if kept[1] else None
    since = overview.last_dashboard_visit(user=request.user)
    request.session["dashboard_last_visit"] = [signed_in, since.isoformat() if since else None]
    return since


@require_GET
@permission_required(DASHBOARD, raise_exception=True)
@replica_reads
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The physician's dashboard: all of it below the heading is a cached part
    (`overview_cache`), but the sign-off form its buttons submit; audited on every view."""
    sites = overview.user_sites(user=request.user)
    form = DashboardFilterForm(request.GET, sites=sites)
    site: Site | None = form.chosen("site")  # type: ignore[assignment]
    narrowed = {
        "min_severity": form.chosen("severity"),
        "risk": form.chosen("risk"),
        "code": form.chosen("code"),
    }
    since = _last_visit(request)
    all_sites = list(sites)
    keys = span_records_keys(all_sites)
    in_scope = [site] if site else all_sites
    users = users_changed()
    body = cached_part(
        request,
        "dashboard",
        all_sites,
        lambda: _dashboard_body(request, form, site, narrowed, since, in_scope, keys, users),
        since,
        users,  # the scans to review show who entered them
        form=form,
        pages=["page", "scans_page"],
        records=joined_records_key(sites_of(keys)),
    )
    audited_page_view(
        request,
        "dashboard",
        body["patient_ids"],
        form=form,
        filters={
            "site": site.code if site else None,
            "severity": narrowed["min_severity"],
            "risk": narrowed["risk"],
            "code": narrowed["code"],
        },
        pages=body.get("pages", {}),
    )
    context = {
        "body_html": body["html"],  # a SafeString, rendered by an escaping template
        "here": request.get_full_path(),
    }
    return render(request, "monitoring/dashboard.html", context)
