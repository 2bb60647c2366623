"""Staff commands for the referral log: CSV export and spool replay."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from portal.csv_export import day_options, echo_csv
from portal.db import database
from portal.referrals import queries, spool


def init_app(app: Flask) -> None:
    app.cli.add_command(export_referrals)
    app.cli.add_command(replay_spool)


@click.command("export-referrals")
@with_appcontext
@day_options
def export_referrals(since, until):
    """Print the referral log as CSV, one row per referral."""
    echo_csv(queries.EXPORT_HEADER, queries.referral_rows, since, until)


@click.command("replay-spool")
@with_appcontext
def replay_spool():
    """Move referrals spooled while the database was unavailable into the database."""
    path = current_app.config["REFERRAL_SPOOL"]
    with database().sessions() as session:
        replayed = spool.replay(session, path)
    click.echo(f"{replayed.added} spooled referral(s) added to the database.")
    if replayed.set_aside:
        click.echo(
            f"{replayed.set_aside} unreadable line(s) set aside in {spool.unreadable_path(path)}."
        )
