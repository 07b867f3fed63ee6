"""What the overview pages (dashboard, worklist) share: their query strings and their audit row."""

from bonehealth.accounts.http import AuthenticatedHttpRequest
from monitoring.overview.exports import overview_view_record


def query_without(request: AuthenticatedHttpRequest, *names: str) -> str:
    """The request's query string without the parameters `names` (for links that set them)."""
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def audited_page_view(request: AuthenticatedHttpRequest, page: str, patient_ids: list[int]) -> None:
    """The page's one audit row, naming the patients it shows."""
    overview_view_record(
        actor=request.user,
        shown=page,
        patient_ids=patient_ids,
        filters=dict(request.GET.items()),
        request=request,
    )
