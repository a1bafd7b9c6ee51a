"""gunicorn's configuration, read from the environment (README, "Production").

    gunicorn -c gunicorn.conf.py portal.wsgi

Behind a TLS proxy: the proxy sets X-Forwarded-Proto (Django trusts it through SECURE_PROXY_SSL_HEADER)
and gunicorn believes forwarded headers only from FORWARDED_ALLOW_IPS. Logs go to standard output,
JSON in production, each access line carrying the request id that the audit trail records.
"""

import multiprocessing
import os
import sys

from portal.logging import logging_config


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


production = os.environ.get("DJANGO_ENV", "development") == "production"

bind = os.environ.get("GUNICORN_BIND") or f"{os.environ.get('HOST') or '127.0.0.1'}:{_int('PORT', 8000)}"
# Synchronous workers: PDF and Excel work goes to Celery, so a request is short; two per core + 1.
workers = _int("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1)
threads = _int("GUNICORN_THREADS", 1)
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Django is loaded once in the master and the workers are forked from it: a worker that replaces
# another starts in milliseconds instead of importing Django again while the others carry the load
# (bench_http: with 1,000 requests a worker and no preload, each worker restarted every half minute
# under the mixed load and its requests queued behind the import).
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") != "0"
# A worker is replaced after this many requests (jitter spreads the restarts): no slow leak lives long.
max_requests = _int("GUNICORN_MAX_REQUESTS", 5000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 500)
# Addresses whose X-Forwarded-* headers gunicorn trusts: the TLS proxy's ("*" only on a private network).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
limit_request_line = 8190
# The heartbeat files of the workers: a memory-backed folder in a container (e.g. /dev/shm).
worker_tmp_dir = os.environ.get("GUNICORN_WORKER_TMP_DIR") or None

accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms request_id=%({x-request-id}o)s "%(a)s"'
_log_format = os.environ.get("LOG_FORMAT") or ("json" if production else "plain")
_level = os.environ.get("LOG_LEVEL", "INFO")
logconfig_dict = logging_config(
    fmt=_log_format,
    level=_level,
    extra_loggers={
        "gunicorn.error": {"handlers": ["console"], "level": _level, "propagate": False},
        "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
)


def on_starting(server):
    """Refuse to start on a configuration Django's checks reject (e.g. a per-process cache in
    production, portal.E001), as `manage.py check --deploy` would."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django
    from django.core import checks

    django.setup()
    serious = [m for m in checks.run_checks(include_deployment_checks=production) if m.is_serious()]
    for message in serious:
        server.log.error("%s", message)
    if serious:
        sys.exit(1)
    _close_connections()


def _close_connections():
    """Nothing the master opened may be inherited by a forked worker: two processes on one socket
    would interleave their messages to PostgreSQL or Redis."""
    from django.core.cache import caches
    from django.db import connections

    connections.close_all()
    caches.close_all()


def pre_fork(server, worker):
    _close_connections()
