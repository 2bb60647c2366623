"""The staff console: sign-in, the dashboard, directory management, imports and link checks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import Flask, current_app

from portal.models import utcnow

DEFAULTS = {
    "STAFF_IDLE_MINUTES": 30,
    "STAFF_SESSION_HOURS": 8,
    "LOGIN_ACCOUNT_LIMIT": 5,
    "LOGIN_VISITOR_LIMIT": 20,
    "LOGIN_WINDOW_MINUTES": 15,
    "LINK_CHECK_TIMEOUT": 10.0,
    # Donation URLs must be https; tests point the checker at a plain-http server on 127.0.0.1.
    "LINK_CHECK_ALLOW_HTTP_LOOPBACK": False,
    # The largest request body the portal reads; a directory CSV of a few hundred rows is ~0.5 MB.
    "STAFF_MAX_UPLOAD_BYTES": 4 * 1024 * 1024,
}


@dataclass(frozen=True)
class DashboardLink:
    endpoint: str
    label: str
    description: str = ""
    admin_only: bool = False


@dataclass
class StaffDesk:
    """Per-app settings of the console; ``clock`` is swapped in tests to move time."""

    idle: timedelta
    lifetime: timedelta
    clock: Callable[[], datetime] = utcnow
    links: list[DashboardLink] = field(default_factory=list)


def init_app(app: Flask) -> None:
    from portal.staff import auth, cli, directory_views, views

    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        app.config["MAX_CONTENT_LENGTH"] = app.config["STAFF_MAX_UPLOAD_BYTES"]
    app.extensions["portal_staff"] = StaffDesk(
        idle=timedelta(minutes=app.config["STAFF_IDLE_MINUTES"]),
        lifetime=timedelta(hours=app.config["STAFF_SESSION_HOURS"]),
        links=app.extensions.pop("portal_staff_links", []),
    )
    auth.init_app(app)
    app.register_blueprint(views.bp)
    app.register_blueprint(directory_views.bp)
    cli.init_app(app)


def add_dashboard_link(
    app: Flask, endpoint: str, label: str, description: str = "", *, admin_only: bool = False
) -> None:
    """Show a link to ``endpoint`` on the staff dashboard (reports and later features call this).

    Works before or after the console's own ``init_app``.
    """
    link = DashboardLink(endpoint, label, description, admin_only)
    desk = app.extensions.get("portal_staff")
    links = desk.links if desk else app.extensions.setdefault("portal_staff_links", [])
    links.append(link)


def staff_desk() -> StaffDesk:
    return current_app.extensions["portal_staff"]
