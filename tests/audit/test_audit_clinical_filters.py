"""The filters of a list's or an export's audit row say what its patients have (an alert code, a
severity, a risk category): an admin reads their names, never their values, on the audit page
and in its CSV export, while a viewer holding a clinical role still reads them (sec12 #2: an
admin learnt which MRNs had a deficient vitamin D). The trail itself keeps every value."""

import csv
import io

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from bonehealth.accounts.models import User
from bonehealth.audit.models import AuditAction, AuditEvent
from patients.models import Patient
from tests.conftest import login

pytestmark = pytest.mark.django_db

CLINICAL_VALUES = ("VITAMIN_D_DEFICIENT", "critical")


@pytest.fixture
def clinical_filters(nurse_client: Client, physician_client: Client, patient: Patient) -> None:
    """A nurse's cohort export of one alert, a physician's dashboard of one severity."""
    exported = nurse_client.post(
        reverse("monitoring:cohort_export"),
        {"follow_up": "all", "alert": "VITAMIN_D_DEFICIENT", "format": "csv"},
    )
    assert exported.status_code == 200
    assert (
        physician_client.get(reverse("monitoring:dashboard"), {"severity": "critical"}).status_code
        == 200
    )
    export = AuditEvent.objects.get(action=AuditAction.EXPORT, username="nurse")
    view = AuditEvent.objects.filter(changes__shown="dashboard").get()
    # Stored whole: the trail keeps what was asked; only what an admin is shown hides it.
    assert export.changes["filters"]["alert"] == "VITAMIN_D_DEFICIENT"
    assert view.changes["filters"]["severity"] == "critical"


def _csv(client: Client) -> str:
    response = client.get(reverse("audit:export"))
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode("utf-8-sig")


def test_an_admin_reads_the_filter_names_but_not_their_clinical_values(
    admin_client_: Client, clinical_filters: None
) -> None:
    page = admin_client_.get(reverse("audit:list")).text
    exported = _csv(admin_client_)
    for shown in (page, exported):
        for value in CLINICAL_VALUES:
            assert value not in shown
    rows = {
        row["username"]: row["values"]
        for row in csv.DictReader(io.StringIO(exported))
        if "filters" in row["fields"]
    }
    assert "'alert': '(hidden)'" in rows["nurse"]
    assert "'follow_up': '(hidden)'" in rows["nurse"]
    assert "'severity': '(hidden)'" in rows["physician"]
    assert "'alert': '(hidden)'" in page.replace("&#x27;", "'")
    # The audit trail's own filters tell nothing clinical and stay readable.
    admin_client_.get(reverse("audit:list"), {"action": "export"})
    assert "'action': 'export'" in _csv(admin_client_)


def test_a_viewer_with_a_clinical_role_still_reads_the_filter_values(
    client: Client, admin_user: User, clinical_filters: None
) -> None:
    admin_user.groups.add(Group.objects.get(name="physician"))
    login(admin_user, client)
    page = client.get(reverse("audit:list")).text.replace("&#x27;", "'")
    exported = _csv(client)
    for shown in (page, exported):
        assert "'alert': 'VITAMIN_D_DEFICIENT'" in shown
        assert "'severity': 'critical'" in shown
