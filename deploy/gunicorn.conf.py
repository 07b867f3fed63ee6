"""gunicorn settings for bonehealth: `gunicorn -c deploy/gunicorn.conf.py bonehealth.wsgi`.

Every value can be overridden from the environment (GUNICORN_*), so one file serves every app
server. Sync workers: the views are short, CPU-bound Django requests over persistent database
connections (DATABASE_CONN_MAX_AGE), which is what sync workers are for.
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value else default


# 127.0.0.1 behind the local reverse proxy; 0.0.0.0:8000 when the proxy is on another host.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# One worker per core plus one, at least 2 and at most 4 by default: 3 on a 2-core machine.
# Each worker holds its own database connection (and one to the replica, if configured), so
# workers x app servers must stay well under PostgreSQL's max_connections.
workers = _int("GUNICORN_WORKERS", max(2, min(4, multiprocessing.cpu_count() + 1)))
worker_class = "sync"
# Load Django once in the master and fork: faster start, shared read-only memory pages.
# Database connections are opened lazily per worker after the fork, never shared. The master keeps
# the code it loaded: a reload (HUP) loads no new release, a restart does (docs/deployment.md).
preload_app = True
# Recycle each worker after ~1,000 requests (jittered so they do not all restart together):
# bounds the effect of any slow memory growth.
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 100)
# A request that takes longer than this is killed (the worker restarts); pages take milliseconds.
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Keep-alive with the proxy in front (nginx upstream keepalive).
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Request line and header limits: the defaults, stated.
limit_request_line = 4094
limit_request_fields = 100
# Logs to stdout/stderr (journald under systemd); "-" means the stream.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Client address as nginx saw it, method, path WITHOUT the query string (searches carry patient
# names and MRNs), status, size and request time in microseconds.
access_log_format = '%({x-forwarded-for}i)s "%(m)s %(U)s" %(s)s %(b)s %(D)sus'
# Trust X-Forwarded-* only from the proxy (set GUNICORN_FORWARDED_ALLOW_IPS to its address).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
proc_name = "bonehealth"
