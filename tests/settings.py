"""Settings for the test suite: production settings with test-only speed and transport tweaks."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-secret-key-" + "x" * 40)
# The suite runs on the environment alone, never on a developer's .env (the demo's sets DEBUG).
os.environ["BONEHEALTH_ENV_FILE"] = ""

from bonehealth.settings import *  # noqa: F403

# The suite's databases are made and dropped by it and hold invented data only: seed_demo may fill
# them (tests/test_seed_demo_guard.py turns this off to see it refuse a real database).
DEMO_DATABASE = True
# Django 6.1's PBKDF2 runs 1.5 M iterations; tests hash many passwords.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The test client and the live server speak plain HTTP.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
# Serve static files straight from the finders (no collectstatic before tests or the live server).
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

# The audit table's PostgreSQL triggers refuse TRUNCATE, which transactional tests' flush uses:
# a test-only backend flushes with triggers off (tests/postgresql_backend/base.py).
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    DATABASES["default"]["ENGINE"] = "tests.postgresql_backend"  # noqa: F405
# Tasks run at once, in the test's transaction.
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
# A replica alias mirroring the test database, for the routing tests (tests/test_replica.py), which
# switch the router and its middleware on themselves; the rest of the suite runs without them.
DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}  # noqa: F405
DATABASE_ROUTERS = []
MIDDLEWARE = [m for m in MIDDLEWARE if "ReplicaPinMiddleware" not in m]  # noqa: F405
