-- Grants of bonehealth's runtime role: what the app servers and the task worker need, no more.
--
-- Run as the migration role (the owner of the tables) after every `manage.py migrate`:
--   psql "$DATABASE_OWNER_URL" -v runtime_role=bonehealth_app -f deploy/postgres/runtime_role.sql
-- It is idempotent: it first takes back everything, then grants the list below, so a table a
-- migration added or a grant given by hand is brought in line. docs/deployment.md explains the
-- roles; tests/audit/test_database_roles.py applies this file and tries each refusal.

\set ON_ERROR_STOP on
BEGIN;

-- The runtime role creates nothing: no tables, no functions, no triggers.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
REVOKE CREATE ON SCHEMA public FROM :"runtime_role";
GRANT USAGE ON SCHEMA public TO :"runtime_role";

REVOKE ALL ON ALL TABLES IN SCHEMA public FROM :"runtime_role";
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM :"runtime_role";

-- Every table: read, add and change rows. Clinical records (patients_*, monitoring_* but the two
-- below) are never deleted: mistakes are marked entered in error, corrections keep the replaced
-- rows (superseded measurements), so no DELETE and no TRUNCATE.
GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO :"runtime_role";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :"runtime_role";

-- The audit trail and the sites of its events: read and append, nothing else (their triggers
-- refuse UPDATE, DELETE and TRUNCATE even to the owner; only the owner could disable them).
REVOKE UPDATE ON audit_auditevent, audit_auditeventsite FROM :"runtime_role";

-- The migration history is the owner's.
REVOKE INSERT, UPDATE ON django_migrations FROM :"runtime_role";

-- Tables whose rows the app deletes: none holds a clinical record or an audit event.
GRANT DELETE ON
    django_session,                       -- logout, expiry, "end my other sessions"
    axes_accessattempt,                   -- a successful login clears its failures
    axes_accessattemptexpiration,
    axes_accessfailurelog,
    axes_accesslog,
    otp_totp_totpdevice,                  -- two-factor set-up and an administrator's reset
    accounts_user_groups,                 -- an administrator changes a user's role...
    accounts_user_sites,                  -- ...or sites
    accounts_user_user_permissions,
    auth_group_permissions,
    django_tasks_database_dbtaskresult,   -- the task queue prunes finished tasks
    monitoring_scheduleditem              -- the schedule, recomputed by each assessment
TO :"runtime_role";

-- Tables a later migration creates get the common grants at once; run this file again after
-- each migration all the same (a new table needing DELETE or fewer rights is listed here).
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE ON TABLES TO :"runtime_role";
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO :"runtime_role";

COMMIT;
