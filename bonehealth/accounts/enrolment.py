"""The one-time link by which a new user, or one whose password was reset, sets their password.

It is e-mailed to the account's own address through Django's e-mail framework and never shown to
the administrator. The token is Django's password-reset token: it expires after
ENROLMENT_LINK_DAYS (PASSWORD_RESET_TIMEOUT) and is spent once the password hash, the last login
or the e-mail address changes, or the account is deactivated (accounts.tokens).
"""

from django.conf import settings
from django.core.mail import send_mail
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from bonehealth.accounts.models import User
from bonehealth.accounts.tokens import enrolment_token_generator


def enrolment_url(*, user: User, request: HttpRequest) -> str:
    """The absolute set-password link for the user's current password hash."""
    path = reverse(
        "accounts:enrol",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": enrolment_token_generator.make_token(user),
        },
    )
    return request.build_absolute_uri(path)


def enrolment_link_send(*, user: User, request: HttpRequest, new_account: bool) -> None:
    """E-mail the user their set-password link; raises OSError if the mail server refuses."""
    context = {
        "user": user,
        "url": enrolment_url(user=user, request=request),
        "days": settings.ENROLMENT_LINK_DAYS,
        "new_account": new_account,
    }
    subject = "Your bonehealth account" if new_account else "Set a new bonehealth password"
    send_mail(
        subject=subject,
        message=render_to_string("accounts/enrolment_email.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )
