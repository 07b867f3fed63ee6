"""Send the reads of opt-in read-only pages to the replica; everything else to the primary."""

from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model

from bonehealth.replica.state import note_write, replica_reads_allowed

PRIMARY = DEFAULT_DB_ALIAS
REPLICA = "replica"
# Only clinical rows are ever read from the replica. Accounts, permissions, sessions, login
# lockouts, two-factor devices, the audit trail and the task queue are always read from the
# primary: a security decision must never rest on a row a few seconds old.
REPLICA_APPS = frozenset({"patients", "monitoring"})
# Writes that do not pin the user to the primary: nothing read from the replica shows them.
UNPINNED_WRITE_APPS = frozenset({"sessions", "audit", "axes"})


class ReplicaRouter:
    """Database router for a primary (`default`) with one streaming replica (`replica`)."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        if (
            model._meta.app_label in REPLICA_APPS
            and REPLICA in settings.DATABASES
            and replica_reads_allowed()
            # Inside a transaction on the primary every read belongs to that transaction.
            and not connections[PRIMARY].in_atomic_block
        ):
            return REPLICA
        return PRIMARY

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        if model._meta.app_label not in UNPINNED_WRITE_APPS:
            note_write()
        return PRIMARY

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        # The replica holds the same rows as the primary.
        if {obj1._state.db, obj2._state.db} <= {PRIMARY, REPLICA}:
            return True
        return None

    def allow_migrate(
        self, db: str, app_label: str, model_name: str | None = None, **hints: Any
    ) -> bool | None:
        # Streaming replication copies the schema; the replica is read-only anyway.
        return False if db == REPLICA else None
