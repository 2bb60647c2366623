"""Gunicorn settings for running the portal: ``gunicorn -c gunicorn.conf.py app:app``.

Privacy: no client address is ever written to a log. The access log is off unless
``PORTAL_ACCESS_LOG`` names a file (or ``-`` for stdout), and its format has no ``%(h)s``.
"""

import logging
import os
import re

bind = os.environ.get("PORTAL_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("PORTAL_WORKERS", 2 * (os.cpu_count() or 1) + 1))
worker_class = "sync"
# Each worker builds its own app, so nothing opened at start-up (database connections, the
# routing cache) is shared across a fork.
preload_app = False
timeout = 30
graceful_timeout = 20

accesslog = os.environ.get("PORTAL_ACCESS_LOG") or None
access_log_format = '%(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
errorlog = "-"
loglevel = os.environ.get("PORTAL_LOG_LEVEL", "info")


class _RedactAddresses(logging.Filter):
    """Gunicorn's own warnings name the client ("Invalid request from ip=…"): blank it out."""

    _address = re.compile(r"ip=.*?: ")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "ip=" in message:
            record.msg, record.args = self._address.sub("ip=[redacted]: ", message), ()
        return True


def on_starting(server) -> None:
    """Install the address filter in the master, so every forked worker inherits it."""
    logging.getLogger("gunicorn.error").addFilter(_RedactAddresses())
