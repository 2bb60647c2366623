"""Conversions: members' own donation pages report the gifts that followed a portal referral."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.conversions import views
    from portal.extensions import csrf

    csrf.exempt(views.postback)  # signed with the member's secret instead of a session
    app.register_blueprint(views.bp)
