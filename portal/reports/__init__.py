"""Staff reports: referrals and Stripe gifts by recipient, day and source; directory fairness."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from portal.reports import cli, members, views
    from portal.staff.dashboard import add_dashboard_link

    app.register_blueprint(views.bp)
    cli.init_app(app)
    add_dashboard_link(
        app,
        "reports.overview",
        _l("Referrals and gifts"),
        _l("Per recipient, day, channel and campaign, people and bots apart; CSV for every table."),
    )
    add_dashboard_link(
        app,
        "reports.fairness",
        _l("Directory fairness"),
        _l("How often the daily rotation put each member on the first page, beside its clicks."),
    )
    members.init_app(app)
