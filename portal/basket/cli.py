"""Staff command for baskets: pay Connect members their parts, reverse what went back."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from portal.basket.payouts import pay_out
from portal.db.session import database
from portal.stripe_gateway import gateway


def init_app(app: Flask) -> None:
    app.cli.add_command(pay_basket_transfers)


@click.command("pay-basket-transfers")
@with_appcontext
def pay_basket_transfers():
    """Transfer each Connect member its part of every paid basket payment, and reverse what
    refunds and disputes took back. Safe to run twice; run it after the webhook, e.g. hourly."""
    with database().sessions() as session:
        count = pay_out(session, gateway())
    click.echo(
        f"{count.sent} transfer(s) sent, {count.reversed} reversed, {count.failed} failed "
        "(failed ones are tried again on the next run)."
    )
    if count.failed:
        raise SystemExit(1)
