"""The hand-off's per-worker pipeline: routes, salts, tags, and a referral made durable in the
database or, failing that, in the spool, which a later hand-off replays after its response."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from portal import metrics
from portal.db.session import Database
from portal.referrals import spool
from portal.referrals.prepared_store import ReferralWriter
from portal.referrals.record import ReferralRecord
from portal.referrals.routing import RouteTable
from portal.referrals.service import TagSettings, Visit, commit_or_spool
from portal.referrals.visitors import SaltKeeper

log = logging.getLogger(__name__)

SPOOL_CHECK_SECONDS = 1.0
ROUTE_SNAPSHOT = "route-snapshot.json"


@dataclass
class ReferralPipeline:
    """Per-worker state of the hand-off path, built once per app: where a donor is routed, the
    day's salts, the outbound tags, and how the referral is made durable (database or spool)."""

    routes: RouteTable
    salts: SaltKeeper
    tags: TagSettings
    spool_path: str
    writer: ReferralWriter
    sessions: sessionmaker[Session]
    spool_checked_at: float | None = None

    def record(self, record: ReferralRecord, visit: Visit) -> bool:
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


def build_pipeline(config, database: Database) -> ReferralPipeline:
    """The pipeline for this configuration; opens nothing (the database is reached on use)."""
    return ReferralPipeline(
        routes=RouteTable(
            database.sessions, config["ROUTE_CACHE_SECONDS"], snapshot=_snapshot_path(config)
        ),
        salts=SaltKeeper(),
        tags=TagSettings(config["UTM_SOURCE"], config["REFERRAL_PARAM"]),
        spool_path=config["REFERRAL_SPOOL"],
        writer=ReferralWriter(database.engine),
        sessions=database.sessions,
    )


def _snapshot_path(config) -> Path:
    # Beside the spool (``instance/`` by default): both are what a worker has without a database.
    return Path(config["REFERRAL_SPOOL"]).with_name(ROUTE_SNAPSHOT)
