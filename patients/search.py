"""How a name and an MRN are compared in the patient search: without case, accents or punctuation.

A nurse types "angstrom", "o'brien" or "obrien" for Ångström-Ó'Brien, "ZOË" for Zoë: each patient
keeps her name folded this way (`Patient.search_name`), and the search folds what was typed the
same way, so both databases compare alike (SQLite's LIKE ignores the case of ASCII letters only).
An MRN is folded further, to its letters and digits only (`Patient.search_mrn`): "NG 7001",
"ng7001" and "NG-7001." all name NG-7001, in the search and in the registration's warning of a
possible duplicate.
"""

import re
import unicodedata

# Letters that Unicode does not decompose into a base letter and a mark, spelled as typed on an
# English keyboard.
_LETTERS = str.maketrans(
    {"æ": "ae", "ø": "o", "ł": "l", "œ": "oe", "đ": "d", "ð": "d", "þ": "th", "\u0131": "i"}
)
# Apostrophes of every kind are left out ("O'Brien" is found by "obrien" too); hyphens, dots
# and runs of spaces become one space.
_APOSTROPHES = re.compile(r"['\u2019\u2018\u02bc\u00b4`]")
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015.,]+")


def folded(text: str) -> str:
    """`text` without accents (a letter and its combining marks become the letter), case-folded,
    without apostrophes and with one space between words: "Zoë Ångström-Ó\u2019Brien" ->
    "zoe angstrom obrien"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).translate(_LETTERS)
    return _SEPARATORS.sub(" ", _APOSTROPHES.sub("", bare)).strip()


_NOT_LETTER_OR_DIGIT = re.compile(r"[\W_]+")


def folded_mrn(text: str) -> str:
    """`text` folded like a name, then without anything but letters and digits:
    "NG-7001." -> "ng7001", "ng 7001" -> "ng7001"."""
    return _NOT_LETTER_OR_DIGIT.sub("", folded(text))
