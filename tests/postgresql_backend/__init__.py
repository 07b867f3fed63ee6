"""Test-only PostgreSQL backend: flushes the test database past the audit table's triggers."""
