"""Two saves of the same FRAX day and kind at the same moment, on PostgreSQL: one row is stored,
and the other save is refused beside the field, whether the patient's lock orders the two (two
corrections through the forms) or a writer misses it and the unique index decides."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import Site
from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring.models import FraxResult
from monitoring.records.services import frax as frax_services
from monitoring.records.services import single_row
from monitoring.records.services.frax import frax_record
from monitoring.records.services.guards import EntryConflictError
from patients.models import Patient
from tests.factories import UserFactory
from tests.races import POSTGRESQL_ONLY, at_once, clients, created_events, holding, in_thread

pytestmark = POSTGRESQL_ONLY

ASSESSED = timezone.localdate() - timedelta(days=5)


def _values(day: Any = ASSESSED, hip: str = "2.0") -> dict[str, Any]:
    return {
        "assessed_on": day,
        "major_osteoporotic_pct": Decimal("12.0"),
        "hip_pct": Decimal(hip),
        "with_bmd": False,
    }


def test_two_corrections_onto_one_day_and_kind_at_once_keep_one_there(
    ward: Site, jane: Patient
) -> None:
    nurse = UserFactory(username="entering", role="nurse", sites=[ward])
    days = [ASSESSED - timedelta(days=30), ASSESSED - timedelta(days=60)]
    results = [
        frax_record(actor=nurse, patient=jane, values=_values(day, hip))
        for day, hip in zip(days, ("2.0", "2.5"), strict=True)
    ]
    # Two nurses move each result onto the same day at once.
    posts = [
        {
            "assessed_on": ASSESSED.isoformat(),
            "major_osteoporotic_pct": "12.0",
            "hip_pct": str(frax.hip_pct),
            "version": "1",
        }
        for frax in results
    ]
    urls = [reverse("monitoring:frax_update", args=[jane.pk, frax.pk]) for frax in results]
    nurses = clients(ward, "nurse", 2)
    responses = at_once(
        [lambda c=c, u=u, d=d: c.post(u, d) for c, u, d in zip(nurses, urls, posts, strict=True)]
    )
    assert sorted(r.status_code for r in responses) == [200, 302]
    (refused,) = (r for r in responses if r.status_code == 200)
    assert 'id="error_1_id_assessed_on"' in refused.text
    assert f"A FRAX result without BMD from {ASSESSED:%Y-%m-%d} is already recorded" in (
        refused.text
    )
    on_the_day = FraxResult.objects.filter(patient=jane, assessed_on=ASSESSED)
    moved = on_the_day.get()
    (kept,) = FraxResult.objects.exclude(pk=moved.pk)
    assert (kept.assessed_on, kept.version) == (days[results.index(kept)], 1)
    changes = AuditEvent.objects.filter(
        object_type="monitoring.fraxresult", action=AuditAction.CHANGE
    )
    assert list(changes.values_list("object_id", flat=True)) == [str(moved.pk)]


def test_a_writer_that_misses_the_lock_is_refused_by_the_index_beside_the_date(
    monkeypatch: pytest.MonkeyPatch, ward: Site, jane: Patient
) -> None:
    """A writer that neither takes the patient's lock nor sees the other result (it looked
    before that one committed) is stopped by the unique index: it waits for the first writer's
    commit, then gets the same refusal as after a look that saw it."""
    first, second = (
        UserFactory(username=name, role="nurse", sites=[ward]) for name in ("first", "second")
    )
    monkeypatch.setattr(single_row, "patient_lock", lambda patient_id: None)
    looks: list[str] = []
    real_look = frax_services._same_kind

    def second_look_only(**kwargs: Any) -> FraxResult | None:
        looks.append("look")
        return None if len(looks) == 1 else real_look(**kwargs)

    with holding(lambda: frax_record(actor=first, patient=jane, values=_values())):
        monkeypatch.setattr(frax_services, "_same_kind", second_look_only)
        racing = in_thread(
            lambda: frax_record(actor=second, patient=jane, values=_values(hip="2.5"))
        )
        assert racing.waits(1.0)  # on the index entry of the first, uncommitted, insert
    refused = racing.outcome()
    assert isinstance(refused, EntryConflictError), refused
    assert refused.field == "assessed_on"
    assert f"A FRAX result without BMD from {ASSESSED:%Y-%m-%d} is already recorded" in str(refused)
    assert "entered by first at" in str(refused)
    assert list(FraxResult.objects.values_list("hip_pct", flat=True)) == [Decimal("2.0")]
    assert created_events(FraxResult) == 1
    assert looks == ["look", "look"]
