"""What the race tests share: real concurrent writers, each thread on a database connection of its
own, on PostgreSQL (SQLite lets one writer in at a time, so these tests skip there).

Two shapes of race:
- `at_once`: several requests released together by a barrier; `one_winner` checks that exactly
  one of them saved (`same_form_at_once`: both, for one form sent by several users).
- `holding` and `in_thread`: a first writer keeps its transaction (and its locks) open while a
  second is started; the test checks whether the second waits, then what it did once the first
  committed.

And one such race that several tests run: `ending_follow_up_while_stopping`.
"""

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import Site
from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring.models import BoneTherapyCourse
from monitoring.records.services.therapy import bone_therapy_update
from patients.models import FollowUpStatus
from tests.conftest import login
from tests.factories import UserFactory
from tests.html_forms import posted_data

POSTGRESQL_ONLY = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrent writers need PostgreSQL: SQLite lets one writer in at a time",
    ),
    # Each thread's connection sees only committed rows: the test's data must be committed too.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Long enough for any step of a passing test; a failing one stops waiting after it.
TIMEOUT = 30


def clients(ward: Site, role: str, n: int) -> list[Client]:
    return [login(UserFactory(username=f"{role}{i}", role=role, sites=[ward])) for i in range(n)]


def at_once(posts: list[Callable[[], Any]]) -> list[Any]:
    """Run the posts in threads released together; return their responses in order."""
    barrier = threading.Barrier(len(posts))
    responses: list[Any] = [None] * len(posts)

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            responses[index] = posts[index]()
        except Exception as error:  # reported by the assertion below
            responses[index] = error
        finally:
            connection.close()  # each thread's own connection

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(posts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=TIMEOUT)
    assert not any(isinstance(r, Exception) for r in responses), responses
    return responses


def one_winner(responses: list[Any], refused_status: int = 200) -> list[Any]:
    """Exactly one redirect (saved); the others re-rendered with the form. Return those."""
    statuses = sorted(r.status_code for r in responses)
    assert statuses == sorted([302] + [refused_status] * (len(responses) - 1)), statuses
    return [r for r in responses if r.status_code != 302]


def same_form_at_once(ward: Site, role: str, n: int, url: str, data: dict[str, Any]) -> list[Any]:
    """`n` users of `role` at the ward send the same form to `url` at once: exactly one saves
    (`one_winner`). Return the others' responses."""
    users = clients(ward, role, n)
    return one_winner(at_once([lambda c=c: c.post(url, data) for c in users]))


def created_events(model: type) -> int:
    return AuditEvent.objects.filter(
        object_type=model._meta.label_lower, action=AuditAction.CREATE
    ).count()


@contextmanager
def holding(work: Callable[[], object]) -> Iterator[None]:
    """Run `work` in a thread on a connection of its own, in a transaction kept open, its locks
    held, for the duration of the block; commit it on leaving. Fails the test if `work` or its
    commit raised."""
    done, release = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def run() -> None:
        try:
            with transaction.atomic():
                work()
                done.set()
                release.wait(TIMEOUT)
        except BaseException as error:  # reported below
            failures.append(error)
            done.set()
        finally:
            connection.close()

    holder = threading.Thread(target=run)
    holder.start()
    try:
        assert done.wait(TIMEOUT)
        assert not failures, failures
        yield
    finally:
        release.set()
        holder.join(TIMEOUT)
    assert not failures, failures


class Running:
    """Work running in a thread on a connection of its own (the second writer of a race)."""

    def __init__(self, work: Callable[[], object]) -> None:
        self._outcome: list[object] = []
        self._thread = threading.Thread(target=self._run, args=(work,))
        self._thread.start()

    def _run(self, work: Callable[[], object]) -> None:
        try:
            self._outcome.append(work())
        except BaseException as error:  # the refusal a test expects, or its failure
            self._outcome.append(error)
        finally:
            connection.close()

    def waits(self, seconds: float) -> bool:
        """Whether the work is still running (waiting for a lock) after `seconds`."""
        self._thread.join(seconds)
        return self._thread.is_alive()

    def waits_for_a_lock(self) -> bool:
        """Whether the work comes to wait for a lock (PostgreSQL's view of the connections): a
        request slower than `waits` allows may still be reading what the first writer holds."""
        deadline = time.monotonic() + TIMEOUT
        while self._thread.is_alive() and time.monotonic() < deadline:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                    " AND datname = current_database() AND pid <> pg_backend_pid()"
                )
                if cursor.fetchone()[0]:
                    return True
            time.sleep(0.05)
        return False

    def outcome(self) -> object:
        """What the work returned, or the exception it raised, once it has finished."""
        self._thread.join(TIMEOUT)
        (outcome,) = self._outcome
        return outcome


def in_thread(work: Callable[[], object]) -> Running:
    """Start `work` in a thread on a connection of its own."""
    return Running(work)


def ending_follow_up_while_stopping(
    course: BoneTherapyCourse, *, stopped_on: date, ticked: dict[str, str]
) -> Any:
    """A physician ends follow-up of the course's patient ("Discharged to GP care", today, with the
    boxes `ticked`) from a form read before a colleague stopped the course on `stopped_on` with no
    follow-on, the stop saved but not committed yet. Checks that the end waited for the stop and,
    refused, saved nothing; returns the page it got back."""
    patient = course.patient
    physician = UserFactory(username="doc", role="physician", sites=[patient.site])
    colleague = UserFactory(username="doc2", role="physician", sites=[patient.site])
    client = login(physician)
    url = reverse("patients:end_follow_up", args=[patient.pk])
    shown = posted_data(client.get(url).text, having="ended_on")
    data = {
        **shown,
        "ended_on": timezone.localdate().isoformat(),
        "reason": "Discharged to GP care",
        **ticked,
    }
    with holding(  # the colleague's stop, not committed yet
        lambda: bone_therapy_update(
            actor=colleague,
            course=BoneTherapyCourse.objects.get(pk=course.pk),
            values={"stop_date": stopped_on, "stop_reason": "patient declined"},
            expected_version=course.version,
            stop_confirmed=True,  # no follow-on: the colleague confirms the stop
        )
    ):
        saving = in_thread(lambda: client.post(url, data))
        assert saving.waits(1), "ending follow-up did not wait for the colleague's uncommitted stop"
    response: Any = saving.outcome()
    assert getattr(response, "status_code", response) == 200
    patient.refresh_from_db()
    assert patient.follow_up_status == FollowUpStatus.ACTIVE
    assert patient.follow_up_ended_on is None
    return response
