"""Settings for bonehealth, read from environment variables with safe defaults.

Every variable is listed, with its default, in `.env.example`. Variables may also come from a
`.env` file beside manage.py (`BONEHEALTH_ENV_FILE` names another; empty reads none); the
environment wins over the file. `make demo` writes a `.env` for the demo. Without `DATABASE_URL`
the app runs on an embedded SQLite file (the quick start); production sets `DATABASE_URL` to
PostgreSQL. A variable that is missing or malformed stops the start with ImproperlyConfigured,
naming it (manage.py prints that one line).
"""

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from dotenv import load_dotenv

from bonehealth.release import RELEASE_VARIABLE, release

django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent

ENV_FILE = os.environ.get("BONEHEALTH_ENV_FILE", str(BASE_DIR / ".env"))
if ENV_FILE:
    load_dotenv(ENV_FILE, override=False)

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_bool(name: str, default: bool) -> bool:
    """Read a yes/no environment variable; refuse a value that is neither (a typo is no "no")."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    word = value.strip().lower()
    if word not in _TRUE | _FALSE:
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a yes/no value: use true or false (also 1/0, yes/no, on/off)."
        )
    return word in _TRUE


def env_list(name: str, default: str = "") -> list[str]:
    """Read a comma-separated environment variable."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    """Read an integer environment variable; refuse one that is not a whole number."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None


DEBUG = env_bool("DJANGO_DEBUG", default=False)
# A database of invented data only, which `manage.py seed_demo` may fill (its demo accounts have
# published passwords and a published two-factor secret): the demo's (DEBUG) or one said to be,
# such as the benchmark's, which runs on production settings. Never set on a real install.
DEMO_DATABASE = env_bool("BONEHEALTH_DEMO_DATABASE", default=DEBUG)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set: set it, or DJANGO_DEBUG=true for development "
            "(`make demo` writes the latter into .env)."
        )
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # Django's admin site, open to superusers only (administrators use /accounts/users/).
    "bonehealth.accounts.admin_apps.SuperuserAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # PostgreSQL's index operator classes (the trigram indexes of the patient search); its
    # PostgreSQL-only parts are inert on SQLite.
    "django.contrib.postgres",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "bonehealth.accounts",
    "bonehealth.audit",
    "patients",
    "monitoring",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A request whose session has ended (idle limit) is told so on the login page.
    "bonehealth.accounts.middleware.SessionEndedMiddleware",
    # Every page requires a login unless its view is marked with @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Security steps after login (bonehealth/accounts/middleware.py): the absolute session limit,
    # the renewal of the idle expiry, the TOTP step (required for admins) and a password change
    # an administrator asked for.
    "django_otp.middleware.OTPMiddleware",
    "bonehealth.accounts.middleware.AbsoluteSessionLimitMiddleware",
    # Cache-Control: no-store on every response to a logged-in user.
    "bonehealth.accounts.middleware.NoStoreMiddleware",
    "bonehealth.accounts.middleware.IdleSessionRenewalMiddleware",
    "bonehealth.accounts.middleware.TwoFactorMiddleware",
    "bonehealth.accounts.middleware.PasswordChangeRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Audits every refused attempt a view raises: a 403, a 404 for an existing patient.
    "patients.access.RefusalAuditMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "bonehealth.urls"
WSGI_APPLICATION = "bonehealth.wsgi.application"
ASGI_APPLICATION = "bonehealth.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
            ],
        },
    },
]

# Database: SQLite for the quick start, PostgreSQL (psycopg 3) in production. Connections are kept
# open
# between requests: measured on this kind of machine, a one-query view serves ~8x more requests per
# second with persistent connections than with a new connection per request.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{os.environ.get('SQLITE_PATH', BASE_DIR / 'db.sqlite3')}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 600),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the demo server read while seed or reassessment commands write.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    # SQLite builds the covering index of the overview cache's key without its INCLUDE columns
    # (monitoring.PatientAssessment.Meta): a plain index there, which is all the demo needs.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
# Optional read replica (docs/deployment.md): adds the `replica` alias. Only views marked
# `@replica_reads` read clinical rows from it, and a user who wrote in the last
# DATABASE_REPLICA_PIN_SECONDS reads from the primary. Unset: no router, everything on `default`.
REPLICA_PIN_SECONDS = env_int("DATABASE_REPLICA_PIN_SECONDS", 10)
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"],
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 600),
        conn_health_checks=True,
    )
    DATABASE_ROUTERS = ["bonehealth.replica.router.ReplicaRouter"]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
        "bonehealth.replica.middleware.ReplicaPinMiddleware",
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: the patient page's `{% cache %}` fragments (templates/monitoring/patient_page.html), the
# dashboard's and the worklist's lists and rows (monitoring/overview/overview_cache.py), all keyed
# by versions of the data read from the database on each view, so each process's own cache is as
# correct as a shared one; sessions, lockouts, two-factor counters, pending imports and the task
# queue are all in the database, never in the cache. By default each process keeps up to
# PAGE_CACHE_ENTRIES entries in memory (a patient page's six fragments: 30-150 KB); REDIS_URL
# shares one cache between all app servers instead (`cache` extra: redis), kept across restarts.
# Every key starts with the release (BONEHEALTH_RELEASE, or a digest of the code, computed here:
# bonehealth/release.py), so after a release no page shows what the old templates, wording or
# rules drew: the old release's entries are never read again and expire (PAGE_CACHE_SECONDS).
RELEASE = release(os.environ.get(RELEASE_VARIABLE, ""), base=BASE_DIR)
CACHES: dict[str, dict[str, Any]]
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": env_int("PAGE_CACHE_ENTRIES", 1800)},
        }
    }
CACHES["default"]["KEY_PREFIX"] = f"bonehealth-{RELEASE}"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Axes first: it refuses a locked-out username+address before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Argon2id for new and upgraded hashes; the others only verify (and upgrade) older hashes.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Repeated characters, sequences, keyboard rows, dates, dictionary words with substitutions.
    {"NAME": "django_zxcvbn_password_validator.ZxcvbnPasswordValidator"},
    # The product's name, a site's name, the username (bonehealth/accounts/passwords.py).
    {"NAME": "bonehealth.accounts.passwords.ContextWordsValidator"},
]
# zxcvbn's score 3 of 4: about 10^8 guesses or more.
PASSWORD_MINIMAL_STRENGTH = 3
PASSWORD_EXTRA_DICTIONARY = ["bonehealth"]

# Sessions: an idle user is logged out after SESSION_IDLE_SECONDS; the browser session ends when
# the browser closes. Activity renews the expiry at most once per SESSION_RENEW_SECONDS
# (IdleSessionRenewalMiddleware) instead of writing the session row on every request, so an idle
# session ends between SESSION_IDLE_SECONDS - SESSION_RENEW_SECONDS and SESSION_IDLE_SECONDS after
# the last request: never later than the idle limit.
SESSION_ENGINE = "django.contrib.sessions.backends.db"  # Django's own database sessions
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 15 * 60)
SESSION_RENEW_SECONDS = env_int("SESSION_RENEW_SECONDS", 60)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# However active, a session ends this many seconds after login (AbsoluteSessionLimitMiddleware).
SESSION_ABSOLUTE_SECONDS = env_int("SESSION_ABSOLUTE_SECONDS", 12 * 60 * 60)

# Login lockout (django-axes): 5 failures for one username from one address lock that pair out
# for 15 minutes; a success resets the count. The address comes from the same trusted header as
# the audit trail. Lockouts are logged (bonehealth/accounts/signals.py) and audited
# (bonehealth/audit/signals.py). A wrong current password on the password-change form counts as a
# failed login too (accounts.forms.PasswordChangeForm). Every password check holds a database lock
# for its username from the check to the count (accounts.lockout.authenticate_in_turn), so
# attempts sent at once cannot all be checked before any is counted.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
# Also limited (bonehealth/accounts/lockout.py): failures from one address for any username
# (password spraying) and failures for one username from any address (distributed guessing).
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address", "username"]
AXES_HANDLER = "bonehealth.accounts.lockout.LoginLockoutHandler"
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 20)
LOGIN_ACCOUNT_FAILURE_LIMIT = env_int("LOGIN_ACCOUNT_FAILURE_LIMIT", 10)
AXES_CLIENT_IP_CALLABLE = "bonehealth.accounts.security.axes_client_address"
AXES_RESET_ON_SUCCESS = True
# An attempt while paused is refused unchecked and not counted: it neither extends the pause nor
# writes an axes row or an audit row (bonehealth/audit/signals.py), so a flood from a paused
# address leaves both tables bounded (sec11 #4). The pause still ends only a full cool-off after
# the failure that started it, and it allows no more guesses per cool-off than before.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# axes keeps the posted fields of each failure (AccessAttempt.post_data): never a password, from
# the login forms ("password", masked by axes itself) or the password-change form.
AXES_SENSITIVE_PARAMETERS = [
    "username",
    "ip_address",
    "old_password",
    "new_password1",
    "new_password2",
]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
# Successful logins and logouts are already in our audit trail.
AXES_DISABLE_ACCESS_LOG = True

# Accounts are enrolled by e-mail: a new user, or one whose password an administrator reset,
# gets a one-time link to choose their own password (bonehealth/accounts/enrolment.py), so no
# administrator ever knows a usable password of another account. The link expires after
# ENROLMENT_LINK_DAYS and works once (Django's token depends on the password hash and last login).
ENROLMENT_LINK_DAYS = env_int("ENROLMENT_LINK_DAYS", 3)
if not 1 <= ENROLMENT_LINK_DAYS <= 14:
    raise ImproperlyConfigured(
        f"ENROLMENT_LINK_DAYS={ENROLMENT_LINK_DAYS} is out of range: use 1 to 14 days."
    )
# Django's token generator reads this; no other password-reset flow exists.
PASSWORD_RESET_TIMEOUT = ENROLMENT_LINK_DAYS * 24 * 60 * 60

# E-mail (Django 6.1's MAILERS; the older EMAIL_* settings are deprecated): printed on the console
# while developing (the demo prints enrolment links there), SMTP in production, configured by the
# EMAIL_* variables of .env.example. EMAIL_BACKEND=console forces the console anywhere.
EMAIL_TRANSPORT = os.environ.get("EMAIL_BACKEND", "").strip().lower() or (
    "console" if DEBUG else "smtp"
)
if EMAIL_TRANSPORT not in {"console", "smtp"}:
    raise ImproperlyConfigured(f"EMAIL_BACKEND={EMAIL_TRANSPORT!r}: use console or smtp.")
if EMAIL_TRANSPORT == "console":
    MAILERS: dict[str, dict[str, Any]] = {
        "default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
    }
else:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ.get("EMAIL_HOST", "localhost"),
                "port": env_int("EMAIL_PORT", 587),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", default=True),
                "timeout": env_int("EMAIL_TIMEOUT", 10),
            },
        }
    }
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "bonehealth <noreply@localhost>")

# Two-factor authentication (django-otp, TOTP): required for user administrators, optional for
# everyone else. The issuer names the account in authenticator apps.
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "bonehealth")

LANGUAGE_CODE = "en-gb"
# One time zone per installation: dates are shown, and "today" is computed, in it.
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS: list[Path | tuple[str, Path]] = [
    BASE_DIR / "static",
    # plotly.js "basic" bundle (scatter traces only: 1.2 MB instead of the full 4.8 MB), installed
    # from npm by `make static-vendor` into the git-ignored node_modules/; only chart pages load it.
    ("vendor/plotly", BASE_DIR / "node_modules" / "plotly.js-basic-dist-min"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Compressed, cache-busted file names in production; plain files while developing.
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("STATIC_MANIFEST", default=not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Client address for the audit trail (and login throttling): REMOTE_ADDR unless the app runs behind
# a
# trusted reverse proxy that sets this header, e.g. HTTP_X_FORWARDED_FOR. Never trust it otherwise.
TRUSTED_PROXY_IP_HEADER = os.environ.get("TRUSTED_PROXY_IP_HEADER", "")
# The header is read only on connections from these proxy addresses or networks (CIDR); anyone
# else could write it and choose a new address for every login attempt.
TRUSTED_PROXY_ADDRESSES = env_list("TRUSTED_PROXY_ADDRESSES")

# HTTPS: on unless DEBUG (production), so `check --deploy` is clean. A TLS-terminating proxy must
# set
# X-Forwarded-Proto.
HTTPS = env_bool("DJANGO_HTTPS", default=not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
# Load balancers probe /health/ over plain HTTP without X-Forwarded-Proto: answer, not redirect.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy, enforced: no inline scripts and no third-party origin anywhere.
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # axes logs every login at INFO (already in the audit trail); lockouts come at WARNING.
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

# Background tasks (nightly reassessment): a database queue worked by `manage.py db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Patients per page on lists.
PAGE_SIZE = env_int("PAGE_SIZE", 25)
# The patient page's cached fragments are keyed by versions that change with the data
# (monitoring/overview/patient.py); this only bounds how long an unused fragment stays.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 600)

# Data imports (monitoring/records/imports): the largest file accepted, in bytes, and the most
# data rows (results CSV rows, FHIR Observations, a history's records) one file may hold (a
# history of 12,500 lab results took 17 s to preview); an upload waits this long
# on the server for its confirmation before it has to be uploaded again. Writing is bounded by the
# entry services' reassessment after each scan and sample: 1,592 rows for 199 patients took 22 s
# on the 2-core machine (SQLite), a dry run 3 s; 1,000 rows stay inside gunicorn's 30 s timeout.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 2 * 1024 * 1024)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 1000)
IMPORT_PENDING_SECONDS = env_int("IMPORT_PENDING_SECONDS", 30 * 60)
# A cohort export (CSV, history zip, FHIR Bundle) of more patients than this needs a written
# reason, which the audit row keeps; smaller exports need none.
COHORT_EXPORT_LIMIT = env_int("COHORT_EXPORT_LIMIT", 200)
