"""The giving basket: one gift split among several members, one Checkout, exact allocations."""

from flask import Flask, request


def init_app(app: Flask) -> None:
    from portal.basket import cart, cli, report, views
    from portal.donate.queries import add_export_parts
    from portal.extensions import csrf

    # Adding or removing a member only changes the visitor's own basket cookie; these posts are
    # checked by origin instead of a session token (views._refuse_other_sites says why).
    csrf.exempt(views.add)
    csrf.exempt(views.remove)
    app.register_blueprint(views.bp)
    cli.init_app(app)
    add_export_parts(app, report.part_rows)
    app.add_template_global(lambda: cart.slugs_in(request), "basket_slugs")
