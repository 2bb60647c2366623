"""The portal's per-app state in one typed object, built once in ``create_app`` and reached
through ``portal_state()``: who owns the database, the hand-off pipeline, the ledger, the gateway,
the clocks and the mail sender is written here, not spread over string keys."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app

if TYPE_CHECKING:
    from portal.db.session import Database
    from portal.donate.fastpath import LedgerWriter
    from portal.donate.queries import ExportParts
    from portal.mail.cli import AfterDelivery
    from portal.mail.mailer import Mailer
    from portal.referrals.pipeline import ReferralPipeline
    from portal.security import SecurityHeaders
    from portal.staff.dashboard import DashboardLink, DashboardSection
    from portal.stripe_gateway import StripeGateway

_KEY = "portal"

# The donor's notices of one applied event: ``(store, cursor, event)`` on the webhook writer's
# cursor, or ``(store, event)`` from ``SessionNotices(session)``; each returns how many it queued.
CursorNotices = Callable[[Any, Any, dict], int]
SessionNotices = Callable[[Any], Callable[[Any, dict], int]]


@dataclass
class SchemaStatus:
    """Whether this worker has seen the database at the newest revision, and which that is."""

    checked: bool = False
    heads: set[str] | None = None


@dataclass
class Clocks:
    """The time as the staff console and the reports read it; tests swap either to move time."""

    staff: Callable[[], datetime]
    reports: Callable[[], datetime]


def _utc_clocks() -> Clocks:
    from portal.models import utcnow  # the models import the database, which imports this module

    return Clocks(staff=utcnow, reports=utcnow)


@dataclass
class PortalState:
    """Everything one app holds between requests. Fields without a default are filled by the
    feature that owns them, during ``create_app``; reading one earlier is a bug and raises."""

    database: Database = field(init=False)
    referrals: ReferralPipeline = field(init=False)
    ledger: LedgerWriter = field(init=False)
    gateway: StripeGateway = field(init=False)
    mail: Mailer = field(init=False)
    security_headers: SecurityHeaders = field(init=False)
    schema: SchemaStatus = field(default_factory=SchemaStatus)
    clocks: Clocks = field(default_factory=_utc_clocks)
    # Filled by any feature's init_app, in any order; the staff dashboard lists them.
    dashboard_links: list[DashboardLink] = field(default_factory=list)
    dashboard_sections: list[DashboardSection] = field(default_factory=list)
    # Filled the same way: what ``deliver-mail`` runs once the due mail is sent
    # (``mail.cli.add_after_delivery``), and who adds rows under a payment in the donations
    # export (``donate.queries.add_export_parts``).
    after_delivery: list[AfterDelivery] = field(default_factory=list)
    export_parts: list[ExportParts] = field(default_factory=list)
    # The staff page of one payment, by its donation id, where a feature shows one
    # (``donate.queries.set_payment_page``: gifts sets it; the ledger's Needs action links to it).
    payment_page: Callable[[int], str] | None = None
    # How the ledger queues the donor's notices on an ORM session (the thanks page, staff
    # commands); gifts sets it with the webhook writer's own (``donate.ledger.set_notices``).
    session_notices: SessionNotices | None = None

    def dispose(self) -> None:
        """Close the hot paths' held connections, stop the mail sender, release the pool."""
        self.referrals.writer.close()
        self.ledger.close()
        self.mail.background.stop()
        self.database.engine.dispose()


def init_app(app: Flask) -> PortalState:
    """Give ``app`` its state; the first thing ``create_app`` does after loading the config."""
    state = PortalState()
    app.extensions[_KEY] = state
    return state


def portal_state(app: Flask | None = None) -> PortalState:
    """The state of ``app``, or of the current app."""
    return (app or current_app).extensions[_KEY]
