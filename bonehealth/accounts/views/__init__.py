"""Landing page, health check and the login pages."""

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from bonehealth.accounts.roles import CLINICAL_PERMISSION


def home(request: HttpRequest) -> HttpResponse:
    """Send physicians to their dashboard, nurses to the worklist; show admins their links."""
    if request.user.has_perm("monitoring.view_dashboard"):
        return redirect("monitoring:dashboard")
    if request.user.has_perm("monitoring.view_worklist"):
        return redirect("monitoring:worklist")
    if request.user.has_perm(CLINICAL_PERMISSION):
        return redirect("patients:list")
    return render(request, "accounts/home.html")


@login_not_required
@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """For load balancers: 200 when the database answers, 503 otherwise. Reveals nothing else."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database failure means "take me out of rotation"
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})
