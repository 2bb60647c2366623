"""The portal's per-app state in one typed object, built once in ``create_app`` and reached
through ``portal_state()``: who owns the database, the hand-off pipeline, the ledger, the gateway,
the clocks and the mail sender is written here, not spread over string keys."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flask import Flask, current_app

if TYPE_CHECKING:
    from portal.db.session import Database
    from portal.security import SecurityHeaders
    from portal.stripe_gateway import StripeGateway

_KEY = "portal"


@dataclass
class SchemaStatus:
    """Whether this worker has seen the database at the newest revision, and which that is."""

    checked: bool = False
    heads: set[str] | None = None


@dataclass
class PortalState:
    """Everything one app holds between requests. Fields without a default are filled by the
    feature that owns them, during ``create_app``; reading one earlier is a bug and raises."""

    database: Database = field(init=False)
    security_headers: SecurityHeaders = field(init=False)
    gateway: StripeGateway = field(init=False)
    schema: SchemaStatus = field(default_factory=SchemaStatus)


def init_app(app: Flask) -> PortalState:
    """Give ``app`` its state; the first thing ``create_app`` does after loading the config."""
    state = PortalState()
    app.extensions[_KEY] = state
    return state


def portal_state(app: Flask | None = None) -> PortalState:
    """The state of ``app``, or of the current app."""
    return (app or current_app).extensions[_KEY]
