"""Campaign links: tagged hand-off links, their QR codes and posters, and their numbers."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.campaigns import views

    app.register_blueprint(views.bp)
