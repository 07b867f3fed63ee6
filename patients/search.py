"""How a name and an MRN are compared in the patient search: without case, accents or punctuation.

A nurse types "angstrom", "o'brien" or "obrien" for Ångström-Ó'Brien, "ZOË" for Zoë: each patient
keeps her name folded this way (`Patient.search_name`), and the search folds what was typed the
same way, so both databases compare alike (SQLite's LIKE ignores the case of ASCII letters only).
An MRN is folded further, to its letters and digits only (`Patient.search_mrn`): "NG 7001",
"ng7001" and "NG-7001." all name NG-7001, in the search and in the registration's warning of a
possible duplicate, which also finds names spelled or ordered a little differently
(`names_alike`). A date typed in the search finds the patients born that day (`typed_date`).
"""

import re
import unicodedata
from datetime import date, datetime
from difflib import SequenceMatcher

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


# Two folded names this alike (difflib's ratio of their sorted words) may be one person's: "quin
# rosa" and "quinn rosa" (0.95), "lovelace ada" and "lovelock ada" (0.83). Design choice: the
# warning costs a tick, a missed duplicate two records of one patient, so the bar is low.
NAMES_ALIKE_RATIO = 0.8


def names_alike(one: str, other: str) -> bool:
    """Whether two names may be one person's, spelled or ordered differently: folded, their words
    sorted ("Quinn, Rosa" is "rosa quinn"), then the same words but for one left out (a middle
    name: "Rosa Maria Quinn") or spelled alike (`NAMES_ALIKE_RATIO`: "Rosa Quin")."""
    one_words, other_words = set(folded(one).split()), set(folded(other).split())
    if not one_words or not other_words:
        return False
    if one_words <= other_words or other_words <= one_words:
        return True
    ratio = SequenceMatcher(None, " ".join(sorted(one_words)), " ".join(sorted(other_words)))
    return ratio.ratio() >= NAMES_ALIKE_RATIO


# The dates a nurse may type in the search: the ISO form the date pickers use, and the day-first
# form of the site's locale (en-GB), which the date fields accept as well, with a slash, a dot
# or a hyphen (nurse9 F4: "06.08.1974" as on a German or Swiss label found nothing).
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y")


def typed_date(text: str) -> date | None:
    """The date `text` is ("1958-03-31", "1958/03/31", "31/03/1958", "31.03.1958" or
    "31-03-1958"), or None when it is not one."""
    for date_format in _DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), date_format).date()  # noqa: DTZ007 (a day)
        except ValueError:
            continue
    return None
