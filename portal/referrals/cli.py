"""Staff commands for the referral log: CSV export and spool replay."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from portal.csv_export import csv_lines, day_range
from portal.db import database
from portal.referrals import queries, spool

DAY = click.DateTime(formats=["%Y-%m-%d"])


def init_app(app: Flask) -> None:
    app.cli.add_command(export_referrals)
    app.cli.add_command(replay_spool)


@click.command("export-referrals")
@with_appcontext
@click.option("--since", type=DAY, help="First day to include (UTC, YYYY-MM-DD).")
@click.option("--until", type=DAY, help="Last day to include (UTC, YYYY-MM-DD).")
def export_referrals(since, until):
    """Print the referral log as CSV, one row per referral."""
    start, end = day_range(since and since.date(), until and until.date())
    if start and end and start >= end:
        raise click.BadParameter("--since must not be after --until")
    with database().sessions() as session:
        rows = queries.referral_rows(session, start=start, end=end)
        for line in csv_lines(queries.EXPORT_HEADER, rows):
            click.echo(line, nl=False)


@click.command("replay-spool")
@with_appcontext
def replay_spool():
    """Move referrals spooled while the database was unavailable into the database."""
    with database().sessions() as session:
        added = spool.replay(session, current_app.config["REFERRAL_SPOOL"])
    click.echo(f"{added} spooled referral(s) added to the database.")
