"""Giving through the portal: the donation form and Stripe Checkout."""

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.donate import views

    app.register_blueprint(views.bp)
