"""The clinical rules reference, for everyone who signs in: it holds no patient data."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from monitoring.domain.reference import ALERT_LIFECYCLE, CONVENTIONS, SECTIONS, SOURCES
from monitoring.domain.reference.markdown import codes_index


# No permission beyond the login (LoginRequiredMiddleware): nurses and physicians follow the links
# from alerts and recommendations, and admins read what the scanners' LSC values feed.
@require_GET
def rules_reference(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "monitoring/rules.html",
        {
            "sections": SECTIONS,
            "conventions": CONVENTIONS,
            "alert_lifecycle": ALERT_LIFECYCLE,
            "sources": SOURCES,
            "codes": codes_index(),
        },
    )
