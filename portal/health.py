"""Probes for load balancers and orchestrators: is the process alive, and may it take traffic.

``/healthz`` answers from the process alone, so a database outage never gets workers restarted
(hand-offs keep working from the routing table and the spool). ``/readyz`` says whether this
instance can do everything: the database answers at the current schema and the referral spool
is not piling up. Neither carries anything a visitor could use: no versions, no errors' text.
"""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, jsonify

from portal import schema
from portal.db.session import database

bp = Blueprint("health", __name__)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


@bp.get("/healthz")
def healthz():
    return _answer({"status": "ok"}, 200)


@bp.get("/readyz")
def readyz():
    current = schema.is_current(database().engine)
    backlog = spool_backlog(current_app.config["REFERRAL_SPOOL"])
    checks = {
        "database": "unreachable" if current is None else "ok",
        "schema": "current" if current else ("behind" if current is False else "unknown"),
        "spool_backlog": backlog,
    }
    ready = bool(current) and backlog <= current_app.config["READY_SPOOL_MAX"]
    return _answer({"status": "ready" if ready else "not ready", **checks}, 200 if ready else 503)


def spool_backlog(path: str, *, chunk: int = 1 << 16) -> int:
    """How many referrals wait in the spool (its lines), read in chunks without loading it."""
    count = 0
    try:
        with open(path, "rb") as handle:
            while block := handle.read(chunk):
                count += block.count(b"\n")
    except FileNotFoundError:
        return 0
    return count


def _answer(body: dict, status: int):
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response
