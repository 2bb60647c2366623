"""Referrals: the tracked hand-off, its log, and the spool that keeps it when the database can't."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from flask import Flask, current_app
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from portal.referrals import spool
from portal.referrals.routing import RouteTable
from portal.referrals.service import TagSettings, Visit, commit_or_spool
from portal.referrals.visitors import SaltKeeper
from portal.referrals.writer import ReferralWriter

log = logging.getLogger(__name__)

SPOOL_CHECK_SECONDS = 1.0


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

    def record(self, record: dict, visit: Visit, response=None) -> None:
        """Make the referral durable, then replay any spooled ones: after ``response`` is sent
        when there is one, else right away."""
        stored = commit_or_spool(
            self.writer, self.salts, self.sessions, record, visit, spool_path=self.spool_path
        )
        if not stored:
            self.spool_checked_at = None  # this worker spooled: look again at its next hand-off
        elif self._spool_due() and spool.has_pending(self.spool_path):
            if response is None:
                self._replay()
            else:
                response.call_on_close(self._replay)

    def _spool_due(self) -> bool:
        # Another worker's spool is found within a second; this worker's own, at once.
        now = time.monotonic()
        if self.spool_checked_at is not None and now - self.spool_checked_at < SPOOL_CHECK_SECONDS:
            return False
        self.spool_checked_at = now
        return True

    def _replay(self) -> None:
        with self.sessions() as session:
            try:
                added = spool.replay(session, self.spool_path, blocking=False)
            except SQLAlchemyError:
                log.warning("spool replay failed; it will be tried again")
                return
        if added:
            log.info("replayed %d spooled referrals", added)


def init_app(app: Flask) -> None:
    from portal.referrals import campaign, cli, views

    database = app.extensions["portal_db"]
    app.extensions["portal_referrals"] = ReferralDesk(
        routes=RouteTable(database.sessions, app.config["ROUTE_CACHE_SECONDS"]),
        salts=SaltKeeper(),
        tags=TagSettings(app.config["UTM_SOURCE"], app.config["REFERRAL_PARAM"]),
        spool_path=app.config["REFERRAL_SPOOL"],
        writer=ReferralWriter(database.engine),
        sessions=database.sessions,
    )
    campaign.init_app(app)
    app.register_blueprint(views.bp)
    cli.init_app(app)


def desk() -> ReferralDesk:
    return current_app.extensions["portal_referrals"]
