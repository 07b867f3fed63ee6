"""A file's record that a colleague marked entered in error: not imported, and the preview says so.

Every import takes a record of its file as already recorded when the patient has one with the same
key (a lab's sample date and analyte, a scan's date and scanner, a FRAX result's day and kind, a
course's drug and start, a dose's course and day) and the same values: it is skipped. A record
marked entered in error was outside that comparison, so a file holding it again brought it back as
a new record, judged by the rules, with no word of the mark (nurse14 #1: a CTX marked "wrong
patient" came back with the laboratory's next export of the same rows).

The imports now compare the file's record with the patient's marked ones the same way. One with
the same key and values is the record a colleague hid: it is not imported, and the preview lists
it with the mark (when, by whom, why). A file value that differs from the marked one is a new
entry, as the form would take it (the corrected value), and is imported as before. A record
marked in error that should come back is entered again on the patient's page.
"""

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable

from django.db.models import QuerySet
from django.utils import timezone

from bonehealth.audit.models import EnteredInErrorRecord

# The heading of these lines on the import preview.
NOT_IMPORTED = "not imported"


def marked_words(record: EnteredInErrorRecord) -> str:
    """ "marked entered in error on 2026-12-05 by Nora Nurse (wrong patient)"."""
    when = (
        f" on {timezone.localtime(record.error_marked_at):%Y-%m-%d}"
        if record.error_marked_at
        else ""
    )
    by = f" by {record.error_marked_by}" if record.error_marked_by_id else ""
    reason = f" ({record.error_reason})" if record.error_reason else ""
    return f"marked entered in error{when}{by}{reason}"


def not_imported_line(what: str, record: EnteredInErrorRecord) -> str:
    """ "row 5: CTX 0.31 ng/mL of 2026-12-03: not imported: marked entered in error on ..."."""
    return f"{what}: {NOT_IMPORTED}: {marked_words(record)}"


def marked_match[R: EnteredInErrorRecord](
    marked: Iterable[R], same: Callable[[R], bool]
) -> R | None:
    """The latest entered of `marked` (the patient's records of the file's key, marked entered in
    error) that holds the file's values (`same`: the import's own test of "already recorded")."""
    return max((record for record in marked if same(record)), key=lambda r: r.pk, default=None)


def marked_by_key[R: EnteredInErrorRecord, K: Hashable](
    records: "QuerySet[R]", key: Callable[[R], K]
) -> defaultdict[K, list[R]]:
    """The records of `records` marked entered in error, by the import's key of a record (no
    record of a key: an empty list)."""
    found: defaultdict[K, list[R]] = defaultdict(list)
    for record in records.filter(entered_in_error=True).select_related("error_marked_by"):
        found[key(record)].append(record)
    return found
