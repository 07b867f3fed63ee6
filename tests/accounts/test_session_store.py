"""The session engine's hand-written read behaves as Django's database sessions do."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from bonehealth.accounts.sessions import SessionStore

pytestmark = pytest.mark.django_db


def test_a_saved_session_loads_again() -> None:
    store = SessionStore()
    store["answer"] = 42
    store.save()
    again = SessionStore(session_key=store.session_key)
    assert again.load() == {"answer": 42}
    assert again.session_key == store.session_key


def test_an_expired_or_unknown_session_loads_empty_and_loses_its_key() -> None:
    store = SessionStore()
    store["answer"] = 42
    store.save()
    Session.objects.filter(pk=store.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    expired = SessionStore(session_key=store.session_key)
    assert expired.load() == {}
    assert expired.session_key is None
    unknown = SessionStore(session_key="x" * 32)
    assert unknown.load() == {}
    assert unknown.session_key is None


def test_a_deleted_session_is_gone() -> None:
    store = SessionStore()
    store["answer"] = 42
    store.save()
    store.delete()
    assert SessionStore(session_key=store.session_key).load() == {}
