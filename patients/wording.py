"""Labels and names placed inside a sentence (nurse12 F14: "a aromatase-inhibitor start",
"failing today: 25-oh vitamin d", "A Calcium (albumin-adjusted) result")."""


def in_sentence(label: str) -> str:
    """A label inside a sentence: its first letter in lower case, unless its first word is
    written with capitals or a digit after its first letter ("25-OH vitamin D", "CTX", "eGFR"
    stay as they are; "Calcium (albumin-adjusted)" becomes "calcium (albumin-adjusted)")."""
    first = label.split(" ", 1)[0]
    if first[:1].isupper() and not any(c.isupper() or c.isdigit() for c in first[1:]):
        return label[:1].lower() + label[1:]
    return label


def with_article(words: str) -> str:
    """ "a DEXA scan", "an aromatase-inhibitor start", "an eGFR": the article by the first
    letter (a "u" as in "urinary" takes "a")."""
    return f"{'an' if words[:1].lower() in 'aeio' else 'a'} {words}"
