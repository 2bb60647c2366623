"""Console commands: keep the report roll-ups current, and fold old referrals into them."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from portal.db.session import database
from portal.models import utcnow
from portal.reports import retention, rollup


def init_app(app: Flask) -> None:
    app.cli.add_command(rollup_referrals)
    app.cli.add_command(prune_referrals)


@click.command("rollup-referrals")
@with_appcontext
def rollup_referrals():
    """Count every finished UTC day not yet in the report roll-ups. Safe to run at any time."""
    with database().sessions() as session:
        days = rollup.catch_up(session, today=utcnow().date())
    click.echo(f"{days} day(s) rolled up.")


@click.command("prune-referrals")
@click.option(
    "--older-than",
    default="13m",
    show_default=True,
    help="How old a referral must be to go: months (13m) or days (400d).",
)
@with_appcontext
def prune_referrals(older_than: str):
    """Fold old referrals into the report roll-ups and delete their raw rows."""
    today = utcnow().date()
    try:
        before = retention.horizon(today, older_than)
    except retention.AgeError as error:
        raise click.BadParameter(str(error), param_hint="--older-than") from None
    with database().sessions() as session:
        pruned = retention.prune(session, before=before, today=today)
    if pruned.before is None:
        click.echo("Nothing rolled up yet, so nothing pruned.")
        return
    click.echo(
        f"{pruned.deleted} referral(s) from before {pruned.before.isoformat()} folded into the"
        f" roll-ups and deleted; {pruned.kept} older one(s) kept (a gift points to them, or"
        " they arrived after their day was folded)."
    )
