"""Request type for views behind the login (LoginRequiredMiddleware guarantees a real user)."""

from django.http import HttpRequest

from bonehealth.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User
