"""User administration for the admin role: list, create, edit roles and sites, (de)activate, reset.

Every view needs `accounts.manage_users`; the services refuse any change to one's own privileges.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from bonehealth.accounts import selectors, services
from bonehealth.accounts.forms import (
    AdminPasswordResetForm,
    UserCreateForm,
    UserSearchForm,
    UserUpdateForm,
)
from bonehealth.accounts.http import AuthenticatedHttpRequest

MANAGE_USERS = "accounts.manage_users"


@permission_required(MANAGE_USERS, raise_exception=True)
def user_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    search = UserSearchForm(request.GET or None)
    query, status = "", "active"
    if search.is_valid():
        query = search.cleaned_data["q"]
        status = search.cleaned_data["status"] or "active"
    users = selectors.users_search(query=query, status=status)
    page = Paginator(users, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/user_list.html",
        {"page": page, "search": search, "query": query, "status": status},
    )


@never_cache
@permission_required(MANAGE_USERS, raise_exception=True)
@require_http_methods(["GET", "POST"])
def user_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        password = form.cleaned_data["password1"] or services.temporary_password()
        user = services.user_create(
            actor=request.user,
            values=form.create_values(),
            roles=form.selected_roles,
            sites=form.selected_sites,
            password=password,
            request=request,
        )
        messages.success(request, f"Account {user.username} created.")
        if not form.cleaned_data["password1"]:
            # Shown once, in this response only: never stored or redirected with.
            return render(
                request, "accounts/user_password_shown.html", {"target": user, "password": password}
            )
        return redirect("accounts:user_update", pk=user.pk)
    return render(request, "accounts/user_form.html", {"form": form, "target": None})


@permission_required(MANAGE_USERS, raise_exception=True)
@require_http_methods(["GET", "POST"])
def user_update(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    target = selectors.user_get(pk=pk)
    editing_self = target.pk == request.user.pk
    form = UserUpdateForm(request.POST or None, instance=target, editing_self=editing_self)
    if request.method == "POST" and form.is_valid():
        changes = services.user_update(
            actor=request.user,
            user=target,
            values=form.profile_values(),
            roles=form.selected_roles,
            sites=form.selected_sites,
            request=request,
        )
        if changes:
            messages.success(request, f"Saved: {', '.join(sorted(changes))}.")
        else:
            messages.info(request, "Nothing changed.")
        return redirect("accounts:user_update", pk=target.pk)
    return render(
        request,
        "accounts/user_form.html",
        {
            "form": form,
            "target": target,
            "editing_self": editing_self,
            "has_two_factor": selectors.user_confirmed_totp_device(user=target) is not None,
        },
    )


@permission_required(MANAGE_USERS, raise_exception=True)
@require_POST
def user_deactivate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    target = selectors.user_get(pk=pk)
    if services.user_set_active(actor=request.user, user=target, active=False, request=request):
        messages.success(request, f"{target.username} is deactivated and can no longer log in.")
    return redirect("accounts:user_update", pk=target.pk)


@permission_required(MANAGE_USERS, raise_exception=True)
@require_POST
def user_reactivate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    target = selectors.user_get(pk=pk)
    if services.user_set_active(actor=request.user, user=target, active=True, request=request):
        messages.success(request, f"{target.username} is active again.")
    return redirect("accounts:user_update", pk=target.pk)


@never_cache
@permission_required(MANAGE_USERS, raise_exception=True)
@require_http_methods(["GET", "POST"])
def user_password_reset(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    target = selectors.user_get(pk=pk)
    services.user_password_reset_check(actor=request.user, user=target)
    form = AdminPasswordResetForm(request.POST if request.method == "POST" else None, user=target)
    if request.method == "POST" and form.is_valid():
        typed = form.cleaned_data["password1"]
        password = typed or services.temporary_password()
        services.user_password_reset(
            actor=request.user, user=target, password=password, request=request
        )
        if typed:
            messages.success(
                request, f"Password of {target.username} reset; they must change it at login."
            )
            return redirect("accounts:user_update", pk=target.pk)
        return render(
            request, "accounts/user_password_shown.html", {"target": target, "password": password}
        )
    return render(request, "accounts/user_password_reset.html", {"form": form, "target": target})
