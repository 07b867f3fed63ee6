"""Django's PostgreSQL backend whose flush runs with the triggers off (tests only).

Transactional tests (browser tests, races) empty the database after each test with one TRUNCATE,
which the audit table's append-only trigger refuses. Production has no way round that trigger;
here the flush's own transaction sets `session_replication_role = replica`, under which ordinary
triggers do not fire. Only a superuser may set it: the test suite connects as one, the runtime
role of docs/deployment.md cannot (tests/audit/test_database_roles.py proves both).
"""

from collections.abc import Sequence

from django.db import transaction
from django.db.backends.postgresql import base, operations


class DatabaseOperations(operations.DatabaseOperations):
    def execute_sql_flush(self, sql_list: Sequence[str]) -> None:
        """Run the flush's statements with triggers off for this transaction only."""
        with transaction.atomic(using=self.connection.alias):
            with self.connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
            super().execute_sql_flush(sql_list)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
