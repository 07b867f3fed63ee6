"""A NUL character typed by a user never fails an audit write (security7 F3).

PostgreSQL refuses U+0000 in text and jsonb, and the dashboard and worklist audit their raw query
string: `?site=%00` answered 500 on PostgreSQL only. The audit trail replaces NUL in every string it
stores; the pages treat such a value as an invalid filter. Run on PostgreSQL to be meaningful
(`DATABASE_URL=postgres://...`); SQLite stores NUL and passes either way.
"""

import re

import pytest
from django.test import Client
from django.urls import reverse

from bonehealth.accounts.models import User
from bonehealth.audit.models import AuditAction, AuditEvent
from bonehealth.audit.services import audit_record

pytestmark = pytest.mark.django_db
SHOWN = "\ufffd"


def test_nul_is_replaced_in_every_string_the_audit_row_stores(nurse: User) -> None:
    event = audit_record(
        action=AuditAction.LOGIN_FAILED,
        username="nu\x00rse",
        changes={
            "q\x00": "a\x00b",
            "filters": {"site\x00": ["\x00", ("x\x00", 1)], "page": {"deep": "\x00\x00"}},
            "count": 3,
        },
    )
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.username == f"nu{SHOWN}rse"
    assert stored.changes == {
        f"q{SHOWN}": f"a{SHOWN}b",
        "filters": {f"site{SHOWN}": [SHOWN, [f"x{SHOWN}", 1]], "page": {"deep": SHOWN * 2}},
        "count": 3,
    }


@pytest.mark.parametrize(
    ("who", "page", "field"),
    [
        ("nurse", "monitoring:worklist", "weeks"),
        ("nurse", "monitoring:worklist", "site"),
        ("physician", "monitoring:dashboard", "site"),
        ("physician", "monitoring:dashboard", "severity"),
        ("physician", "monitoring:dashboard", "page"),
    ],
)
def test_a_nul_filter_is_an_invalid_filter_and_the_view_is_audited(
    request: pytest.FixtureRequest, who: str, page: str, field: str
) -> None:
    client: Client = request.getfixturevalue(f"{who}_client")
    before = AuditEvent.objects.count()
    response = client.get(reverse(page), {field: "\x00"})
    assert response.status_code == 200
    if field != "page":  # the page number is not a filter: an invalid one shows page 1
        tag = re.search(rf'<(?:input|select)[^>]*id="id_{field}"[^>]*>', response.text)
        assert tag is not None
        assert "is-invalid" in tag.group()
    assert AuditEvent.objects.count() == before + 1
    view = AuditEvent.objects.latest("id")
    assert view.action == AuditAction.VIEW
    # The filters applied, not the refused one (sec10 F4); that one is kept apart, as typed.
    applied = {"weeks": 8} if page == "monitoring:worklist" else {}
    assert view.changes["filters"] == applied
    if field == "page":
        assert view.changes["page"] == 1
    else:
        assert view.changes["refused"] == {field: SHOWN}
    assert view.changes["shown"] == reverse(page).strip("/")
