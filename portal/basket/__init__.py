"""The giving basket: one gift split among several members, one Checkout, exact allocations."""

from flask import Flask, request


def init_app(app: Flask) -> None:
    from portal.basket import cart, cli, views

    app.register_blueprint(views.bp)
    cli.init_app(app)
    app.add_template_global(lambda: cart.slugs_in(request), "basket_slugs")
