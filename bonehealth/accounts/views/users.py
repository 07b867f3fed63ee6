"""User administration for the admin role: list, create, edit roles and sites, (de)activate, reset.

Every view needs `accounts.manage_users`; the services refuse any change to one's own privileges,
any site the actor does not administer, and account-wide changes to a user who also works at
other sites. No view ever shows a password: accounts get an e-mailed enrolment link.
"""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN, PasswordResetConfirmView
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from bonehealth.accounts import selectors, services
from bonehealth.accounts.email_change import (
    email_changes_recent,
    reset_hold,
    reset_hold_message,
)
from bonehealth.accounts.enrolment import enrolment_link_send
from bonehealth.accounts.forms import (
    EnrolmentPasswordForm,
    UserCreateForm,
    UserSearchForm,
    UserUpdateForm,
)
from bonehealth.accounts.http import AuthenticatedHttpRequest
from bonehealth.accounts.models import User
from bonehealth.accounts.tokens import enrolment_token_generator
from bonehealth.audit.forms import UNCHANGED, save_or_none

MANAGE_USERS = "accounts.manage_users"
logger = logging.getLogger("bonehealth.security")


def _send_link(request: HttpRequest, user: User, *, new_account: bool) -> None:
    """E-mail the enrolment link; on a mail-server failure, say so and let the admin retry."""
    try:
        enrolment_link_send(user=user, request=request, new_account=new_account)
    except OSError:
        logger.exception("Enrolment e-mail to user %s failed", user.pk)
        messages.error(
            request,
            f"The e-mail to {user.email} could not be sent. Check the mail settings, then use "
            "“Send a set-password link”.",
        )
        return
    messages.success(
        request,
        f"A set-password link was e-mailed to {user.email}; it works once and expires in "
        f"{settings.ENROLMENT_LINK_DAYS} day{'s' if settings.ENROLMENT_LINK_DAYS != 1 else ''}.",
    )


@permission_required(MANAGE_USERS, raise_exception=True)
def user_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    search = UserSearchForm(request.GET or None)
    query, status = "", "active"
    if search.is_valid():
        query = search.cleaned_data["q"]
        status = search.cleaned_data["status"] or "active"
    users = selectors.users_search(actor=request.user, query=query, status=status)
    page = Paginator(users, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    grants = selectors.grants_at_sites(sites=selectors.sites_administered_by(user=request.user))
    return render(
        request,
        "accounts/user_list.html",
        {"page": page, "search": search, "query": query, "status": status, "grants": grants},
    )


@never_cache
@permission_required(MANAGE_USERS, raise_exception=True)
@require_http_methods(["GET", "POST"])
def user_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = UserCreateForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        user = services.user_create(
            actor=request.user,
            values=form.create_values(),
            roles=form.selected_roles,
            sites=form.selected_sites,
            request=request,
        )
        messages.success(request, f"Account {user.username} created.")
        _send_link(request, user, new_account=True)
        return redirect("accounts:user_update", pk=user.pk)
    return render(request, "accounts/user_form.html", {"form": form, "target": None})


@permission_required(MANAGE_USERS, raise_exception=True)
@require_http_methods(["GET", "POST"])
def user_update(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    target = selectors.user_get(pk=pk, actor=request.user)
    editing_self = target.pk == request.user.pk
    elsewhere = selectors.user_sites_elsewhere(user=target, actor=request.user)
    form = UserUpdateForm(
        request.POST or None,
        instance=target,
        actor=request.user,
        editing_self=editing_self,
        elsewhere=bool(elsewhere),
    )
    done = save_or_none(
        request,
        form,
        lambda: services.user_update(
            actor=request.user,
            user=target,
            values=form.profile_values(),
            roles=form.selected_roles,
            sites=form.selected_sites,
            expected_version=form.cleaned_data["version"],
            request=request,
        ),
        # Only what this save really changed: a refused stale form never gets this far.
        success=lambda changes: f"Saved: {', '.join(sorted(changes))}." if changes else UNCHANGED,
        # Back to the account, unless this save removed the last site it shared with the admin.
        to=lambda changes: (
            reverse("accounts:user_update", args=[target.pk])
            if selectors.user_is_administered_by(user=target, actor=request.user)
            else reverse("accounts:user_list")
        ),
    )
    return done or render(
        request,
        "accounts/user_form.html",
        {
            "form": form,
            "target": target,
            "editing_self": editing_self,
            "elsewhere": elsewhere,
            "has_two_factor": selectors.user_confirmed_totp_device(user=target) is not None,
        },
    )


@permission_required(MANAGE_USERS, raise_exception=True)
@require_POST
def user_deactivate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    target = selectors.user_get(pk=pk, actor=request.user)
    if services.user_set_active(actor=request.user, user=target, active=False, request=request):
        messages.success(request, f"{target.username} is deactivated and can no longer log in.")
    return redirect("accounts:user_update", pk=target.pk)


@permission_required(MANAGE_USERS, raise_exception=True)
@require_POST
def user_reactivate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    target = selectors.user_get(pk=pk, actor=request.user)
    if services.user_set_active(actor=request.user, user=target, active=True, request=request):
        messages.success(request, f"{target.username} is active again.")
    return redirect("accounts:user_update", pk=target.pk)


@never_cache
@permission_required(MANAGE_USERS, raise_exception=True)
@require_http_methods(["GET", "POST"])
def user_password_reset(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Void the password and e-mail the user a link to set a new one (never shown here)."""
    target = selectors.user_get(pk=pk, actor=request.user)
    services.user_password_reset_check(actor=request.user, user=target)
    hold = reset_hold(actor=request.user, user=target, changes=email_changes_recent(user=target))
    if request.method == "POST" and target.email:
        # A held reset is refused (403, audited as denied) by the service, under the row lock.
        user = services.user_password_reset(actor=request.user, user=target, request=request)
        _send_link(request, user, new_account=False)
        return redirect("accounts:user_update", pk=target.pk)
    return render(
        request,
        "accounts/user_password_reset.html",
        {
            "target": target,
            "enrolment_days": settings.ENROLMENT_LINK_DAYS,
            "hold": reset_hold_message(hold) if hold else "",
        },
    )


class EnrolmentView(PasswordResetConfirmView):
    """Open to anyone holding a valid link: choose one's password, then log in as usual.

    Django's view keeps the token out of the address bar (and so out of Referer headers) by
    moving it into the session; the password is written by `services.user_password_set`.
    """

    form_class = EnrolmentPasswordForm
    token_generator = enrolment_token_generator
    template_name = "accounts/enrol.html"
    success_url = reverse_lazy("accounts:login")

    def form_valid(self, form: EnrolmentPasswordForm) -> HttpResponse:  # type: ignore[override]
        token = self.request.session.pop(INTERNAL_RESET_SESSION_TOKEN, "")
        assert self.user is not None  # noqa: S101  (dispatch shows the form only for a user)
        if not services.user_password_set(
            user=self.user,
            password=form.cleaned_data["new_password1"],
            token=token,
            request=self.request,
        ):
            self.validlink = False
            return self.render_to_response(self.get_context_data())
        messages.success(self.request, "Your password is set. Log in with it now.")
        return redirect(self.get_success_url())
