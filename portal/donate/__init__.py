"""Giving through the portal: the donation form, Stripe Checkout and the donation ledger."""

from flask import Flask

from portal.donate.fastpath import LedgerWriter
from portal.state import portal_state


def init_app(app: Flask) -> None:
    from portal import stripe_gateway
    from portal.donate import cli, retention, views, webhook
    from portal.donate.queries import needs_action
    from portal.mail.cli import add_after_delivery
    from portal.staff.dashboard import add_dashboard_section

    stripe_gateway.init_app(app)
    state = portal_state(app)
    # The donor's notices are written by the gifts package, which sets them (``set_notices``).
    state.ledger = LedgerWriter(state.database.engine)
    app.register_blueprint(views.bp)
    app.register_blueprint(webhook.bp)
    cli.init_app(app)
    add_after_delivery(app, retention.after_delivery)
    add_dashboard_section(app, "donate/_needs_action.html", needs_action)
    from portal.donate.forms import payment_page_lacks_language
    from portal.donate.money import display, fee_cover

    app.context_processor(lambda: {"sandbox_banner": app.config["STRIPE_SANDBOX"]})
    app.add_template_filter(lambda minor, code: display(minor, code), "money")
    app.add_template_filter(fee_cover, "fee")
    app.add_template_global(payment_page_lacks_language, "payment_page_lacks_language")
