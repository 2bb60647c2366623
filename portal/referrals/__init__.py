"""Referrals: the tracked hand-off, its log, and the spool that keeps it when the database can't."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from portal import metrics
from portal.referrals import spool
from portal.referrals.prepared_store import ReferralWriter
from portal.referrals.routing import RouteTable
from portal.referrals.service import TagSettings, Visit, commit_or_spool
from portal.referrals.visitors import SaltKeeper
from portal.state import portal_state

log = logging.getLogger(__name__)

SPOOL_CHECK_SECONDS = 1.0
ROUTE_SNAPSHOT = "route-snapshot.json"


@dataclass
class ReferralDesk:
    """Per-worker state of the hand-off path, built once per app."""

    routes: RouteTable
    salts: SaltKeeper
    tags: TagSettings
    spool_path: str
    writer: ReferralWriter
    sessions: sessionmaker[Session]
    spool_checked_at: float | None = None

    def record(self, record: dict, visit: Visit) -> bool:
        """Make the referral durable; True when the spool should be replayed once the donor's
        response is on its way (``replay_spool``)."""
        stored = commit_or_spool(
            self.writer, self.salts, self.sessions, record, visit, spool_path=self.spool_path
        )
        if not stored:
            self.spool_checked_at = None  # this worker spooled: look again at its next hand-off
            return False
        return self._spool_due() and spool.has_pending(self.spool_path)

    def replay_spool(self) -> None:
        """Move spooled referrals into the database. Never raises: it runs after a donor's
        response, and nothing in the spool may fail a request."""
        try:
            with self.sessions() as session:
                replayed = spool.replay(session, self.spool_path, blocking=False)
        except SQLAlchemyError:
            log.warning("spool replay failed; it will be tried again")
            return
        except Exception:
            log.exception("spool replay failed; it will be tried again")
            return
        if replayed and replayed.added:
            metrics.REPLAYED.inc(replayed.added)
            log.info("replayed %d spooled referrals", replayed.added)

    def _spool_due(self) -> bool:
        # Another worker's spool is found within a second; this worker's own, at once.
        now = time.monotonic()
        if self.spool_checked_at is not None and now - self.spool_checked_at < SPOOL_CHECK_SECONDS:
            return False
        self.spool_checked_at = now
        return True


def init_app(app: Flask) -> None:
    from portal.referrals import campaign, cli, views

    database = portal_state(app).database
    app.extensions["portal_referrals"] = ReferralDesk(
        routes=RouteTable(
            database.sessions, app.config["ROUTE_CACHE_SECONDS"], snapshot=_snapshot_path(app)
        ),
        salts=SaltKeeper(),
        tags=TagSettings(app.config["UTM_SOURCE"], app.config["REFERRAL_PARAM"]),
        spool_path=app.config["REFERRAL_SPOOL"],
        writer=ReferralWriter(database.engine),
        sessions=database.sessions,
    )
    campaign.init_app(app)
    app.register_blueprint(views.bp)
    cli.init_app(app)


def _snapshot_path(app: Flask) -> Path:
    # Beside the spool (``instance/`` by default): both are what a worker has without a database.
    return Path(app.config["REFERRAL_SPOOL"]).with_name(ROUTE_SNAPSHOT)


def desk() -> ReferralDesk:
    return current_app.extensions["portal_referrals"]
