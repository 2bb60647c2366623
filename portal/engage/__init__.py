"""Engage: events and opportunities to volunteer or visit, with iCalendar files and feeds."""

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.engage import contact_views, staff_views, views
    from portal.engage.times import event_time

    app.register_blueprint(views.bp)
    app.register_blueprint(contact_views.bp)
    app.register_blueprint(staff_views.bp)
    app.add_template_filter(event_time, "event_time")
