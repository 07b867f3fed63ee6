"""The token of the set-password (enrolment) link: Django's password-reset token, also spent by a
deactivation.

Django's token is spent once the password hash, the last login or the e-mail address changes. A
deactivation changes none of them, so a link sent before it still set a password, ready for the
day the account came back (sec9 F9). Here the token also hashes the active flag (no link works on
an inactive account) and `links_spent_at`, which a deactivation sets: a reactivation brings the
flag back, never the moment, so links sent before the deactivation stay spent.
"""

from typing import Any

from django.contrib.auth.tokens import PasswordResetTokenGenerator


class EnrolmentTokenGenerator(PasswordResetTokenGenerator):
    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        spent = "" if user.links_spent_at is None else user.links_spent_at.isoformat()
        return f"{super()._make_hash_value(user, timestamp)}{user.is_active}{spent}"

    def check_token(self, user: Any, token: str | None) -> bool:
        return bool(user is not None and user.is_active and super().check_token(user, token))


enrolment_token_generator = EnrolmentTokenGenerator()
