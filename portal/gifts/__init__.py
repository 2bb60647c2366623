"""A donor's own gift, through its private manage link: see it, end it, change the card."""

from flask import Flask
from flask_babel import format_date
from flask_babel import lazy_gettext as _l

_PAYMENT_STATUS = {
    "open": _l("Not completed"),
    "processing": _l("Being confirmed"),
    "paid": _l("Paid"),
    "failed": _l("Failed"),
    "expired": _l("Not completed"),
    "refunded": _l("Refunded"),
}


def payment_status(status: str) -> str:
    """A payment's state in the donor's words."""
    return str(_PAYMENT_STATUS.get(str(status), status))


def init_app(app: Flask) -> None:
    from portal.gifts import staff_views, views
    from portal.staff.dashboard import add_dashboard_link

    app.register_blueprint(views.bp)
    app.register_blueprint(staff_views.bp)
    add_dashboard_link(
        app,
        "staff_gifts.index",
        _l("Monthly gifts"),
        _l("See the monthly gifts that are running, and cancel one at a donor's request."),
        admin_only=True,
    )
    app.add_template_filter(lambda moment: format_date(moment, "long"), "date_long")
    app.add_template_global(payment_status, "payment_status")
