"""`{% row_url %}`: `{% url %}` for the links of every row of a table (the patient page's scans,
labs, FRAX and therapy), reversed once per link and not once per row.

A first view of a patient page reversed about 70 URLs, 2-3 ms of its 45 at 10,000 patients
(bench/README.md, issue 13): Django's `reverse` resolves the namespace and matches the pattern
again for every row, where only the row's id changes.
"""

import functools

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse

register = template.Library()

# An id no table reaches (PostgreSQL's bigint ends at 9,223,372,036,854,775,807): reversed in
# place of each integer argument, then replaced by a placeholder.
_PLACEHOLDER_BASE = 9_000_000_000_000_000_000


@functools.lru_cache(maxsize=256)
def _url_format(name: str, shape: tuple[object, ...], prefix: str, urlconf: object) -> str:
    """`name` reversed with `{i}` for each integer argument (`int` in `shape`) and the other
    arguments as given; `prefix` and `urlconf`, what `reverse` also reads, key the cache."""
    args = [_PLACEHOLDER_BASE + i if arg is int else arg for i, arg in enumerate(shape)]
    url = reverse(name, args=args).replace("{", "{{").replace("}", "}}")
    for i, arg in enumerate(shape):
        if arg is int:
            url = url.replace(str(_PLACEHOLDER_BASE + i), f"{{{i}}}", 1)
    return url


@register.simple_tag
def row_url(name: str, *args: object) -> str:
    """The URL `{% url name *args %}` gives (escaped alike: a simple tag's output is)."""
    shape = tuple(int if type(arg) is int else arg for arg in args)
    return _url_format(name, shape, get_script_prefix(), get_urlconf()).format(*args)
