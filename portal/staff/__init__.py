"""The staff console: sign-in, the dashboard, directory management, imports and link checks."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask

from portal.state import StaffSessions, portal_state


def init_app(app: Flask) -> None:
    from portal.staff import auth, cli, directory_views, views

    portal_state(app).staff_sessions = StaffSessions(
        idle=timedelta(minutes=app.config["STAFF_IDLE_MINUTES"]),
        lifetime=timedelta(hours=app.config["STAFF_SESSION_HOURS"]),
    )
    auth.init_app(app)
    app.register_blueprint(views.bp)
    app.register_blueprint(directory_views.bp)
    cli.init_app(app)
