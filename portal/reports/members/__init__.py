"""Member reports: an admin signs a read-only link; with it a member sees only its own numbers
and proposes statements and events."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from portal.reports.members import proposals, views
    from portal.staff.dashboard import add_dashboard_link

    app.register_blueprint(views.bp)
    app.register_blueprint(proposals.bp)
    add_dashboard_link(
        app,
        "member_reports.links",
        _l("Member report links"),
        _l("Give a member a private, read-only link to its own numbers; withdraw links."),
        admin_only=True,
    )
