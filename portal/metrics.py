"""Numbers for the operator, in Prometheus's format: what the hand-offs, the spool, the webhook
and the mail outbox are doing, and how long requests take.

Under gunicorn every worker counts into files under ``PROMETHEUS_MULTIPROC_DIR`` (set by
``gunicorn.conf.py`` before any worker starts) and a scrape adds them up; elsewhere (the
development server, tests) the counts live in the process. What is read from disk or the database
(the spool's backlog, mail waiting) is measured at scrape time by the worker answering.

``GET /metrics`` is never public: it answers only a request carrying ``METRICS_TOKEN`` as a
bearer token, and 404 (as if it did not exist) to everyone else, or to all when no token is set.
No label ever holds an address, a reference or anything a donor typed.
"""

from __future__ import annotations

import hmac
import os
import time
from typing import TYPE_CHECKING

from flask import Blueprint, Flask, Response, abort, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from portal.db.session import database
from portal.models import MailStatus, OutboxMail

if TYPE_CHECKING:  # the referrals package imports this module
    from portal.referrals.record import ReferralRecord

HANDOFFS = Counter(
    "portal_handoffs_total",
    "Hand-offs answered with a redirect and logged, by mode, arrival channel and bot flag.",
    ["mode", "channel", "bot"],
)
SPOOLED = Counter(
    "portal_referrals_spooled_total", "Referrals the database could not take, kept in the spool."
)
LOGGED = Counter(
    "portal_referrals_logged_total",
    "Referrals neither the database nor the spool took, kept as a line in the error log.",
)
REPLAYED = Counter("portal_referrals_replayed_total", "Spooled referrals stored on replay.")
WEBHOOKS = Counter("portal_webhooks_total", "Stripe webhook deliveries, by outcome.", ["outcome"])
REQUESTS = Histogram(
    "portal_request_seconds",
    "Time to answer a request through Flask, and Stripe's webhook (plain shared links are"
    " answered before Flask and not timed here).",
    ["method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)

bp = Blueprint("metrics", __name__)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.before_request(_start_clock)
    app.after_request(_observe)


def count_handoff(record: ReferralRecord) -> None:
    """One logged hand-off, whatever store took it."""
    HANDOFFS.labels(
        mode=str(record["mode"]),
        channel=str(record["arrived_via"]),
        bot="yes" if record["is_bot"] else "no",
    ).inc()


@bp.get("/metrics")
def metrics():
    token = current_app.config.get("METRICS_TOKEN") or ""
    offered = request.headers.get("Authorization", "").removeprefix("Bearer ")
    if not token or not hmac.compare_digest(offered.encode(), token.encode()):
        abort(404)
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)
    else:
        from prometheus_client import REGISTRY

        registry = REGISTRY
    body = generate_latest(registry) + generate_latest(_Backlogs(current_app._get_current_object()))
    return Response(body, content_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})


class _Backlogs(CollectorRegistry):
    """What waits, measured when scraped: referrals in the spool, mail in the outbox."""

    def __init__(self, app: Flask) -> None:
        super().__init__(auto_describe=False)
        self._app = app

    def collect(self):
        from portal.health import spool_backlog

        spool = GaugeMetricFamily(
            "portal_spool_backlog", "Referrals waiting in this instance's spool for replay."
        )
        spool.add_metric([], spool_backlog(self._app.config["REFERRAL_SPOOL"]))
        yield spool
        mail = GaugeMetricFamily(
            "portal_mail", "Messages in the outbox by status (sent ones are erased later).",
            labels=["status"],
        )  # fmt: skip
        for status, count in _mail_by_status():
            mail.add_metric([status], count)
        yield mail


def _mail_by_status() -> list[tuple[str, int]]:
    try:
        with database().sessions() as session:
            rows = session.execute(
                select(OutboxMail.status, func.count()).group_by(OutboxMail.status)
            ).all()
    except SQLAlchemyError:
        return []
    counts = {status.value: 0 for status in MailStatus} | {str(s): n for s, n in rows}
    return sorted(counts.items())


def _start_clock() -> None:
    g.metrics_started = time.perf_counter()


def _observe(response):
    started = g.pop("metrics_started", None)
    if started is not None:
        REQUESTS.labels(method=request.method, status=str(response.status_code)).observe(
            time.perf_counter() - started
        )
    if request.endpoint == "stripe.webhook":
        payload = response.get_json(silent=True) or {}
        WEBHOOKS.labels(outcome=webhook_outcome(response.status_code, payload)).inc()
    return response


def webhook_outcome(status: int, payload: dict) -> str:
    """The metric's label for one webhook answer: its own word for what became of the event,
    or what its status says."""
    if status == 200:
        return str(payload.get("outcome", "stored"))
    return "unavailable" if status >= 500 else "refused"
