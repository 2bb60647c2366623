"""Referrals: the tracked hand-off, its log, and the spool that keeps it when the database can't."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import Flask, current_app
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from portal.referrals import spool
from portal.referrals.routing import RouteTable
from portal.referrals.service import TagSettings
from portal.referrals.visitors import SaltKeeper

log = logging.getLogger(__name__)


@dataclass
class ReferralDesk:
    """Per-worker state of the hand-off path, built once per app."""

    routes: RouteTable
    salts: SaltKeeper
    tags: TagSettings
    spool_path: str

    def replay_when_closed(self, response, sessions: sessionmaker[Session]):
        """After the donor's response is sent, replay the spool if anything waits in it."""
        if spool.has_pending(self.spool_path):
            response.call_on_close(lambda: self._replay(sessions))
        return response

    def _replay(self, sessions: sessionmaker[Session]) -> None:
        with sessions() as session:
            try:
                added = spool.replay(session, self.spool_path, blocking=False)
            except SQLAlchemyError:
                log.warning("spool replay failed; it will be tried again")
                return
        if added:
            log.info("replayed %d spooled referrals", added)


def init_app(app: Flask) -> None:
    from portal.referrals import campaign, cli, views

    app.extensions["portal_referrals"] = ReferralDesk(
        routes=RouteTable(app.config["ROUTE_CACHE_SECONDS"]),
        salts=SaltKeeper(),
        tags=TagSettings(app.config["UTM_SOURCE"], app.config["REFERRAL_PARAM"]),
        spool_path=app.config["REFERRAL_SPOOL"],
    )
    campaign.init_app(app)
    app.register_blueprint(views.bp)
    cli.init_app(app)


def desk() -> ReferralDesk:
    return current_app.extensions["portal_referrals"]
