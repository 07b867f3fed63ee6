"""The steps after a password login: the TOTP check, TOTP set-up, one's own password and 2FA."""

from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from bonehealth.accounts import second_factor, selectors, services
from bonehealth.accounts.forms import (
    ConfirmForm,
    LoginForm,
    OTPTokenForm,
    PasswordChangeForm,
    TwoFactorOffForm,
)
from bonehealth.accounts.http import AuthenticatedHttpRequest, safe_next_path
from bonehealth.accounts.qr import svg_data_uri
from bonehealth.accounts.security import (
    HAS_OTP_DEVICE_SESSION_KEY,
    TWO_FACTOR_REQUIRED_PERMISSION,
    two_factor_required,
)


def _next_url(request: AuthenticatedHttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    return safe_next_path(request, candidate) or resolve_url("home")


class LoginView(auth_views.LoginView):
    """Django's login, sending the user on only to a path of this site (`safe_next_path`)."""

    template_name = "accounts/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def get_redirect_url(self, request: HttpRequest | None = None) -> str:
        return safe_next_path(self.request, super().get_redirect_url()) or ""


@method_decorator(login_not_required, name="dispatch")
class LogoutView(auth_views.LogoutView):
    """Django's logout (POST only), then the login page saying the user has signed out: on a shared
    workstation the next person sees that the last session was ended on purpose.

    Open without login: a Log out button pressed after the session had ended still signs out
    (nothing to end) and says so, rather than asking to log in.
    """

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        # After the session's flush: the message travels in its own cookie to the login page.
        messages.success(request, "You have signed out.")
        return response


@never_cache
@require_http_methods(["GET", "POST"])
def otp_verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Ask for the current TOTP code after a password login."""
    if request.user.is_verified():  # type: ignore[attr-defined]
        return redirect(_next_url(request))
    if selectors.user_confirmed_totp_device(user=request.user) is None:
        if two_factor_required(request):
            query = urlencode({"next": _next_url(request)})
            return redirect(f"{resolve_url('accounts:otp_setup')}?{query}")
        return redirect(_next_url(request))
    form = OTPTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = second_factor.otp_verify(
            user=request.user, token=form.token_value, request=request
        )
        if device is not None:
            otp_login(request, device)
            # A new key for the now fully authenticated session: one seen before the second
            # factor (on a shared screen, in a log) opens nothing.
            request.session.cycle_key()
            return redirect(_next_url(request))
        form.add_error("token", "That code is wrong or expired. Try the current code.")
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _next_url(request)})


@never_cache
@require_http_methods(["GET", "POST"])
def otp_setup(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Set up an authenticator app: show the secret and its otpauth:// URI, then check a code."""
    if selectors.user_confirmed_totp_device(user=request.user) is not None:
        if request.user.is_verified():  # type: ignore[attr-defined]
            messages.info(request, "Two-factor authentication is already on.")
            return redirect("accounts:two_factor")
        return redirect("accounts:otp_verify")
    device = second_factor.totp_device_start(user=request.user)
    form = OTPTokenForm(request.POST or None, submit_label="Turn on two-factor authentication")
    if request.method == "POST" and form.is_valid():
        if second_factor.totp_device_confirm(
            user=request.user, device=device, token=form.token_value, request=request
        ):
            device.refresh_from_db()
            otp_login(request, device)
            request.session.cycle_key()
            request.session[HAS_OTP_DEVICE_SESSION_KEY] = True
            messages.success(request, "Two-factor authentication is on.")
            return redirect(_next_url(request))
        form.add_error("token", "That code is wrong or expired. Check the app's clock and retry.")
    secret = second_factor.totp_secret_base32(device=device)
    return render(
        request,
        "accounts/otp_setup.html",
        {
            "form": form,
            "secret": secret,
            "uri": device.config_url,
            "qr": svg_data_uri(device.config_url),
            "required": request.user.has_perm(TWO_FACTOR_REQUIRED_PERMISSION),
            "next": _next_url(request),
        },
    )


def _two_factor_page(
    request: AuthenticatedHttpRequest, off_form: TwoFactorOffForm | None = None
) -> HttpResponse:
    return render(
        request,
        "accounts/two_factor.html",
        {
            "device": selectors.user_confirmed_totp_device(user=request.user),
            "required": request.user.has_perm(TWO_FACTOR_REQUIRED_PERMISSION),
            "off_form": off_form or TwoFactorOffForm(),
            "form": ConfirmForm(),
        },
    )


@require_http_methods(["GET"])
def two_factor(request: AuthenticatedHttpRequest) -> HttpResponse:
    """One's own two-factor status, with the way to turn it on or off, and one's other sessions."""
    return _two_factor_page(request)


@never_cache
@require_POST
def two_factor_disable(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Turn one's own two-factor off, given the current password and a current code."""
    if request.user.has_perm(TWO_FACTOR_REQUIRED_PERMISSION):
        raise PermissionDenied("Two-factor authentication is required for your role.")
    if selectors.user_confirmed_totp_device(user=request.user) is None:
        messages.info(request, "Two-factor authentication is already off.")
        return redirect("accounts:two_factor")
    form = TwoFactorOffForm(request.POST)
    if form.is_valid():
        if second_factor.totp_devices_remove(
            user=request.user,
            password=form.cleaned_data["password"],
            token=form.token_value,
            request=request,
        ):
            request.session[HAS_OTP_DEVICE_SESSION_KEY] = False
            messages.success(request, "Two-factor authentication is off.")
            return redirect("accounts:two_factor")
        if getattr(request, "axes_locked_out", False):
            # Paused, as by wrong logins: signed out, as at a password change (see there).
            logout(request)
            messages.warning(request, "You have been signed out.")
            return redirect("accounts:login")
        form.add_error(None, "That password or code is wrong. Two-factor authentication is on.")
    return _two_factor_page(request, form)


@require_POST
def sessions_end_others(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Log out every other session of one's account (another browser, a lost device)."""
    ended = services.user_other_sessions_end(
        user=request.user, keep_session_key=request.session.session_key, request=request
    )
    messages.success(request, f"Logged out {ended} other session{'s' if ended != 1 else ''}.")
    return redirect("accounts:two_factor")


@never_cache
@require_http_methods(["GET", "POST"])
def password_change(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Change one's own password; this also lifts an administrator's forced change.

    The current password is checked like a login's (`PasswordChangeForm`). When that check finds
    the user paused (this wrong password reached a limit, or one had been reached), the session
    is signed out: the lockout says nobody may prove to be this user from here for now, and the
    form cannot tell the user from someone using their open session (an unattended screen, a
    stolen cookie), who could otherwise carry on as them. AxesMiddleware then answers with the
    lockout page, as for a login.
    """
    form = PasswordChangeForm(request.user, request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        services.user_password_change(
            user=request.user, password=form.cleaned_data["new_password1"], request=request
        )
        update_session_auth_hash(request, request.user)
        return redirect("accounts:password_change_done")
    if getattr(request, "axes_locked_out", False):
        logout(request)
        messages.warning(request, "You have been signed out.")
        return redirect("accounts:login")
    return render(
        request,
        "accounts/password_change.html",
        {"form": form, "forced": request.user.must_change_password},
    )
