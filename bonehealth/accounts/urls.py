from django.contrib.auth import views as auth_views
from django.urls import path

from bonehealth.accounts.views import security, session, sites, users

app_name = "accounts"

urlpatterns = [
    path(
        "login/",
        security.LoginView.as_view(),
        name="login",
    ),
    path("logout/", security.LogoutView.as_view(), name="logout"),
    path("password/", security.password_change, name="password_change"),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_changed.html"),
        name="password_change_done",
    ),
    path("two-factor/", security.two_factor, name="two_factor"),
    path("two-factor/set-up/", security.otp_setup, name="otp_setup"),
    path("two-factor/verify/", security.otp_verify, name="otp_verify"),
    path("two-factor/turn-off/", security.two_factor_disable, name="two_factor_disable"),
    path("session/keep-alive/", session.keep_alive, name="keep_alive"),
    path("sessions/end-others/", security.sessions_end_others, name="sessions_end_others"),
    # Public with a valid token: the e-mailed link that sets a new account's (or a reset) password.
    path("enrol/<uidb64>/<token>/", users.EnrolmentView.as_view(), name="enrol"),
    path("sites/", sites.site_list, name="site_list"),
    path("users/", users.user_list, name="user_list"),
    path("users/new/", users.user_create, name="user_create"),
    path("users/<int:pk>/", users.user_update, name="user_update"),
    path("users/<int:pk>/deactivate/", users.user_deactivate, name="user_deactivate"),
    path("users/<int:pk>/reactivate/", users.user_reactivate, name="user_reactivate"),
    path("users/<int:pk>/password/", users.user_password_reset, name="user_password_reset"),
]
