"""Two physicians switch the same patient's therapy at the same moment, each from a page that
offered to stop the same course (physician8 D7): exactly one switch is saved; the other stops
nothing, not even the course the first one has just started."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import Site
from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring.models import BoneTherapyCourse
from patients.models import Patient
from tests.html_forms import posted_data
from tests.races import POSTGRESQL_ONLY, at_once, clients, one_winner

pytestmark = POSTGRESQL_ONLY

TODAY = timezone.localdate()


def test_two_switches_at_once_save_one_and_the_other_stops_nothing(
    ward: Site, jane: Patient
) -> None:
    denosumab = BoneTherapyCourse.objects.create(
        patient=jane, drug="denosumab", dose="60 mg", start_date=TODAY - timedelta(days=200)
    )
    url = reverse("monitoring:therapy_create", args=[jane.pk])
    first, second = clients(ward, "physician", 2)
    switch = {
        "start_date": TODAY.isoformat(),
        "stop_current": "on",
        "stop_current_on": TODAY.isoformat(),
        "safety_override": "on",
        "override_reason": "checked with the patient; MDT agreed",
    }
    # Both pages opened before either save: each offers to stop denosumab.
    pages = [posted_data(c.get(url).text, having="drug") for c in (first, second)]
    assert all(page["stop_course"] == str(denosumab.pk) for page in pages)

    responses = at_once(
        [
            lambda: first.post(url, {**pages[0], **switch, "drug": "alendronate"}),
            lambda: second.post(url, {**pages[1], **switch, "drug": "risedronate"}),
        ]
    )

    (refused,) = one_winner(responses)
    assert "The current course is now" in refused.text
    denosumab.refresh_from_db()
    assert denosumab.stop_date == TODAY
    [new] = BoneTherapyCourse.objects.exclude(pk=denosumab.pk)
    # The winner's course runs on, unstopped by the other switch.
    assert (new.stop_date, new.stop_reason, new.version) == (None, "", 1)
    assert new.drug in refused.text.lower()
    changes = AuditEvent.objects.filter(
        object_type=BoneTherapyCourse._meta.label_lower, action=AuditAction.CHANGE
    )
    assert [event.object_id for event in changes] == [str(denosumab.pk)]
