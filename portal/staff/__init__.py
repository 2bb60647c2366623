"""The staff console: sign-in, the dashboard, directory management, imports and link checks."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.staff import auth, cli, directory_views, views

    auth.init_app(app)
    app.register_blueprint(views.bp)
    app.register_blueprint(directory_views.bp)
    cli.init_app(app)
