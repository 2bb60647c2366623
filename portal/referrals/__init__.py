"""Referrals: the tracked hand-off, its log, and the spool that keeps it when the database can't."""

from __future__ import annotations

from flask import Flask

from portal.state import portal_state


def init_app(app: Flask) -> None:
    from portal.referrals import campaign, cli, views
    from portal.referrals.pipeline import build_pipeline

    state = portal_state(app)
    state.referrals = build_pipeline(app.config, state.database)
    campaign.init_app(app)
    app.register_blueprint(views.bp)
    cli.init_app(app)
