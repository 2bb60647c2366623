"""Gunicorn settings for running the portal: ``gunicorn -c gunicorn.conf.py app:app``.

Privacy: no client address and no secret link's token is ever written to a log. The access log
is off unless ``PORTAL_ACCESS_LOG`` names a file (or ``-`` for stdout), and its format has no
``%(h)s``; ``PORTAL_ERROR_LOG`` names the error log's file (stderr by default).
"""

import os

bind = os.environ.get("PORTAL_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("PORTAL_WORKERS", 2 * (os.cpu_count() or 1) + 1))
worker_class = "sync"
# Each worker builds its own app, so nothing opened at start-up (database connections, the
# routing cache) is shared across a fork.
preload_app = False
timeout = 30
graceful_timeout = 20

accesslog = os.environ.get("PORTAL_ACCESS_LOG") or None
access_log_format = '"%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms %({x-request-id}o)s'
errorlog = os.environ.get("PORTAL_ERROR_LOG") or "-"
loglevel = os.environ.get("PORTAL_LOG_LEVEL", "info")


# One JSON object a line (portal/logs.py), with no address and no secret token in any of them.
logger_class = "portal.logs.GunicornLogger"


# Prometheus counts each worker's numbers in files a scrape adds up (portal/metrics.py). The
# folder is set here, in the master, before any worker imports the portal; a given folder is
# emptied at start so that a restart does not add yesterday's counts to today's.
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    import tempfile

    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="portal-metrics-")


def when_ready(server) -> None:
    import glob

    for stale in glob.glob(os.path.join(os.environ["PROMETHEUS_MULTIPROC_DIR"], "*.db")):
        os.remove(stale)


def child_exit(server, worker) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
