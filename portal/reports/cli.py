"""Console command: bring the report roll-ups up to date (after an import, or daily)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from portal.db.session import database
from portal.models import utcnow
from portal.reports import rollup


def init_app(app: Flask) -> None:
    app.cli.add_command(rollup_referrals)


@click.command("rollup-referrals")
@with_appcontext
def rollup_referrals():
    """Count every finished UTC day not yet in the report roll-ups. Safe to run at any time."""
    with database().sessions() as session:
        days = rollup.catch_up(session, today=utcnow().date())
    click.echo(f"{days} day(s) rolled up.")
