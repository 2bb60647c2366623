"""Logs an operator can search: one JSON object a line, each naming the request it belongs to,
and none carrying a client's address or a secret link's token.

Every request gets an id: the one nginx sent (``X-Request-Id``, when it looks like one), else a
new one; the response carries it back and every line logged while answering names it, gunicorn's
access line included. Under gunicorn (``logger_class`` in gunicorn.conf.py) the error log, the
access log and the portal's own loggers all write JSON; the development server keeps plain text.
"""

from __future__ import annotations

import logging
import re
import secrets
import sys
from contextvars import ContextVar

from flask import Flask, request
from gunicorn.glogging import Logger
from pythonjsonlogger.json import JsonFormatter

from portal.secret_links import redact

REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)
HEADER = "X-Request-Id"
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_ADDRESS = re.compile(r"ip=.*?: ")
# gunicorn's access line, as fields: which atom of its log format goes where.
_ACCESS_FIELDS = {"m": "method", "U": "path", "H": "protocol", "s": "status", "B": "bytes"}


def init_app(app: Flask) -> None:
    # First of all the request's hooks: a hook before it may answer on its own (the schema
    # guard's 503), and that answer and its log lines must name this request, not the last one.
    app.before_request_funcs.setdefault(None, []).insert(0, _take_request_id)
    app.after_request(_return_request_id)
    app.teardown_request(lambda _exc: REQUEST_ID.set(None))


def request_id_for(offered: str) -> str:
    """A request's id: the one nginx offered, when it looks like one, else a new one."""
    return offered if _VALID_ID.match(offered) else secrets.token_hex(8)


def _take_request_id() -> None:
    REQUEST_ID.set(request_id_for(request.headers.get(HEADER, "")))


def _return_request_id(response):
    if (request_id := REQUEST_ID.get()) is not None:
        response.headers[HEADER] = request_id
    return response


def clean(text: str) -> str:
    """``text`` without a client address gunicorn names, or a secret link's token."""
    return redact(_ADDRESS.sub("ip=[redacted]: ", text))


class Redact(logging.Filter):
    """Blank out addresses and tokens before any handler sees the record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, dict):  # gunicorn's access atoms: clean each value
            record.args = {k: clean(v) if isinstance(v, str) else v for k, v in record.args.items()}
        message = record.getMessage()
        cleaned = clean(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        if record.exc_info and not record.exc_text:
            # A traceback is written after the message: an exception's text may name the path.
            record.exc_text = clean(logging.Formatter().formatException(record.exc_info))
        return True


class Json(JsonFormatter):
    """One object a line: time (UTC), level, logger, message, request id, and for access lines
    the request's method, path, status, size and duration."""

    def __init__(self) -> None:
        super().__init__(
            "%(levelname)s %(name)s %(message)s",
            rename_fields={"levelname": "level", "name": "logger"},
            timestamp="time",
        )

    def add_fields(self, log_data, record, message_dict) -> None:
        super().add_fields(log_data, record, message_dict)
        atoms = record.args if isinstance(record.args, dict) else None
        if atoms is not None and record.name == "gunicorn.access":
            for atom, field in _ACCESS_FIELDS.items():
                log_data[field] = atoms.get(atom)
            log_data["duration_ms"] = atoms.get("M")
            log_data["request_id"] = atoms.get("{x-request-id}o") or None
        else:
            log_data["request_id"] = REQUEST_ID.get()


_JSON, _REDACT = Json(), Redact()


class GunicornLogger(Logger):
    """gunicorn's logger, writing JSON; the portal's own loggers write through its error log."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        formatter, redact_filter = _JSON, _REDACT
        for log in (self.error_log, self.access_log):
            log.addFilter(redact_filter)
            for handler in log.handlers:
                handler.setFormatter(formatter)
        portal = logging.getLogger("portal")
        portal.handlers = list(self.error_log.handlers) or [logging.StreamHandler(sys.stderr)]
        for handler in portal.handlers:
            handler.setFormatter(formatter)
        portal.addFilter(redact_filter)
        portal.setLevel(logging.INFO)
        portal.propagate = False
