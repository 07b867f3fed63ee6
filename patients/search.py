"""How a name is compared in the patient search: without case or accents.

A nurse types "angstrom" or "o'brien" for Ångström or Ó'Brien, "ZOË" for Zoë: each patient keeps
her name folded this way (`Patient.search_name`), and the search folds what was typed the same
way, so both databases compare alike (SQLite's LIKE ignores the case of ASCII letters only).
"""

import unicodedata

# Typographic apostrophes (U+2019, U+2018), the modifier letter and the acute accent: all as '.
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u00b4": "'"})


def folded(text: str) -> str:
    """`text` without accents (a letter and its combining marks become the letter), case-folded,
    with one kind of apostrophe: "Zoë Ångström-Ó\u2019Brien" -> "zoe angstrom-o'brien"."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", bare.casefold())
