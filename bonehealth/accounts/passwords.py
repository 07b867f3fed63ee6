"""Password validator for words of this installation: the product, its sites, the username.

Guessing attacks on a hospital's accounts try these first; zxcvbn (ZxcvbnPasswordValidator)
rates a password by how it is built but would still accept such a word with a few characters
added, so a password containing one is refused outright.
"""

import re
from typing import Any

from django.core.exceptions import ValidationError

from bonehealth.accounts.models import Site

PRODUCT_WORDS = ("bonehealth",)
# Shorter names (a 3-letter username) would refuse too many unrelated passwords.
MIN_WORD_LENGTH = 4


def _letters(text: str) -> str:
    """Lower-case letters and digits only: "North-General" and "north general" compare equal."""
    return re.sub(r"[\W_]+", "", text.lower())


class ContextWordsValidator:
    """Refuse a password that contains the product's name, a site's name or the username."""

    def validate(self, password: str, user: Any = None) -> None:
        """Raise ValidationError naming the kind of word the password contains."""
        plain = _letters(password)
        words: list[tuple[str, str]] = [(w, "the name of this application") for w in PRODUCT_WORDS]
        words += [
            (name, "the name of a site") for name in Site.objects.values_list("name", flat=True)
        ]
        if user is not None and user.get_username():
            words.append((user.get_username(), "your username"))
        for word, kind in words:
            word = _letters(word)
            if len(word) >= MIN_WORD_LENGTH and word in plain:
                raise ValidationError(
                    f"This password contains {kind}.", code="password_contains_context_word"
                )

    def get_help_text(self) -> str:
        """Describe the rule on password forms."""
        return "Your password can't contain your username, a site's name or this application's."
