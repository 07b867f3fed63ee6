"""How the overview's cached parts and `{% cache %}` fragments are keyed: one digest of what they
show, in order."""

import hashlib
import json
from collections.abc import Iterable

from django.db.models import F, Q
from django.db.models.expressions import CombinedExpression

from monitoring.models.alerts import PATIENT_ID_SPAN


def shown_key(parts: Iterable[object]) -> str:
    """A digest of `parts` (each as text, in order), JSON-encoded so no part can run into the
    next: a site's or a patient's name with a line break in it keys nothing else."""
    return hashlib.sha256(json.dumps([str(part) for part in parts]).encode()).hexdigest()


# The overview's counts are cached per span of this many patient ids at each site
# (`overview_cache.cached_span_parts`): a change to one patient counts the few hundred patients of
# their span again, not the site's thousands (bench/README.md, "Issue 13, fifth session"). The
# assessments' index of the records' state groups by the same expression (`span_of`).
SPAN = PATIENT_ID_SPAN


def span_of(field: str) -> CombinedExpression:
    """The span of the patient id at `field` (integer division in PostgreSQL and SQLite)."""
    return F(field) / SPAN


def in_spans(spans: Iterable[int], field: str) -> Q:
    """The ids at `field` in any of `spans`, as ranges (adjacent spans joined), which an index
    on the ids serves."""
    ranges: list[list[int]] = []
    for span in sorted(set(spans)):
        if ranges and ranges[-1][1] == span:
            ranges[-1][1] = span + 1
        else:
            ranges.append([span, span + 1])
    if not ranges:
        return Q(pk__in=[])  # none
    where = Q()
    for start, stop in ranges:
        where |= Q(**{f"{field}__gte": start * SPAN, f"{field}__lt": stop * SPAN})
    return where
