"""What the overview pages (dashboard, worklist) share: their query strings and their audit row."""

from collections.abc import Mapping
from typing import Any

from django.forms import Form

from bonehealth.accounts.http import AuthenticatedHttpRequest
from monitoring.overview.exports import overview_view_record


def query_without(request: AuthenticatedHttpRequest, *names: str) -> str:
    """The request's query string without the parameters `names` (for links that set them)."""
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def refused_filters(form: Form) -> dict[str, str]:
    """The filters a request gave that its form refused (shown beside their fields, not applied),
    as typed."""
    if not form.is_bound:
        return {}
    return {name: form.data.get(name, "") for name in form.errors if name in form.fields}


def audited_page_view(
    request: AuthenticatedHttpRequest,
    page: str,
    patient_ids: list[int],
    *,
    form: Form,
    filters: Mapping[str, Any],
    pages: Mapping[str, int],
) -> None:
    """The page's one audit row, naming the patients it shows, with the filters it applied
    (`filters`, the form's valid values or the defaults in their place: sec10 F4, the worklist's
    refused `?weeks=520` recorded as if 10 years had been listed) and the page numbers shown;
    a refused filter is recorded apart, as `refused`."""
    overview_view_record(
        actor=request.user,
        shown=page,
        patient_ids=patient_ids,
        filters=filters,
        details={"refused": refused_filters(form), **pages},
        request=request,
    )
