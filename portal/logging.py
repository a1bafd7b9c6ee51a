"""Log records that an operator can follow: each carries the request id that the audit trail records,
JSON in production (LOG_FORMAT=json), and a denied request is one line, not a traceback.

Used by LOGGING in portal/settings.py and by gunicorn.conf.py (gunicorn's access and error logs).
"""

import logging
import sys
from collections.abc import Mapping

# Statuses that are answers, not failures: a traceback per 403 only buries real errors.
DENIED_STATUSES = frozenset({400, 401, 403, 404, 405, 410})
# gunicorn's access log atom for the X-Request-ID response header (set by RequestContextMiddleware).
GUNICORN_REQUEST_ID_ATOM = "{x-request-id}o"


class RequestIdFilter(logging.Filter):
    """Adds `request_id`: the current request's or job's (portal.context), or, for gunicorn's access
    log, the X-Request-ID header of the response; "-" outside both."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None):
            return True
        request_id = ""
        if record.name == "gunicorn.access" and isinstance(record.args, Mapping):
            request_id = record.args.get(GUNICORN_REQUEST_ID_ATOM, "")
            request_id = "" if request_id == "-" else request_id
        if not request_id:
            # Only once portal.context is loaded can a request or job have set an id (it imports
            # models, which a record logged before Django's setup must not trigger).
            context = sys.modules.get("portal.context")
            request_id = context.current_context().request_id if context else ""
        record.request_id = request_id or "-"
        return True


class DeniedRequestFilter(logging.Filter):
    """Django logs a denied request (PermissionDenied, Http404...) with the exception's traceback;
    keep its one line ("Forbidden (Permission denied): /path") and drop the traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and getattr(record, "status_code", None) in DENIED_STATUSES:
            record.exc_info = None
            record.exc_text = None
        return True


PLAIN_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
JSON_FORMATTER = {
    "()": "pythonjsonlogger.json.JsonFormatter",
    "format": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
    "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
    # gunicorn's access atoms are the record's args; keep them out of the JSON object.
    "reserved_attrs": [*logging.LogRecord("", 0, "", 0, "", (), None).__dict__.keys(), "request"],
}


def logging_config(*, fmt: str, level: str, extra_loggers: Mapping | None = None) -> dict:
    """A dictConfig: one console handler, plain or JSON, with the request id on every record."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_id": {"()": "portal.logging.RequestIdFilter"},
            "denied_one_line": {"()": "portal.logging.DeniedRequestFilter"},
        },
        "formatters": {"plain": {"format": PLAIN_FORMAT}, "json": JSON_FORMATTER},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": fmt,
                "filters": ["request_id", "denied_one_line"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {"django.db.backends": {"level": "INFO"}, **(extra_loggers or {})},
    }
