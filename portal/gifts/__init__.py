"""A donor's own gift, through its private manage link: see it, end it, change the card."""

from flask import Flask, url_for
from flask_babel import format_date
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from portal.donate.ledger import set_notices
    from portal.gifts import staff_payments, staff_views, views
    from portal.gifts.notices import RENDERER, LedgerMail, NoticeRenderer, session_mail
    from portal.gifts.status import payment_status
    from portal.mail import register_renderer
    from portal.staff.dashboard import add_dashboard_link
    from portal.state import portal_state

    # The ledger queues the donor's notices as this package writes them.
    engine = portal_state(app).database.engine
    set_notices(app, on_cursor=LedgerMail(engine.dialect), on_session=session_mail)
    app.register_blueprint(views.bp)
    app.register_blueprint(staff_views.bp)
    app.register_blueprint(staff_payments.bp)
    add_dashboard_link(
        app,
        "staff_payments.index",
        _l("Payments"),
        _l("Find a payment by its number or Stripe id, see its refunds and disputes, refund it."),
    )
    register_renderer(app, RENDERER, NoticeRenderer())
    add_dashboard_link(
        app,
        "staff_gifts.index",
        _l("Monthly gifts"),
        _l("See the monthly gifts that are running, and cancel one at a donor's request."),
        admin_only=True,
    )
    app.add_template_filter(lambda moment: format_date(moment, "long"), "date_long")
    app.add_template_global(payment_status, "payment_status")
    from portal.donate.queries import set_payment_page

    # The ledger's Needs action links each row to the payment's page here.
    set_payment_page(app, lambda donation: url_for("staff_payments.show", donation_id=donation))
