"""Conversions: members' own donation pages report the gifts that followed a portal referral."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from portal import csrf
    from portal.conversions import views

    csrf.exempt(views.postback)  # signed with the member's secret instead of a session
    app.register_blueprint(views.bp)
