"""Staff commands for the referral log: CSV export and spool replay."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from portal.csv_export import day_options, echo_csv
from portal.db.session import database
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
@click.option(
    "--from-log",
    "log_file",
    type=click.Path(exists=True, dir_okay=False),
    help="Bring back the referrals an error log kept when the spool could not be written.",
)
@with_appcontext
def replay_spool(log_file):
    """Move referrals spooled while the database was unavailable into the database."""
    if log_file:
        _replay_log(log_file)
        return
    path = current_app.config["REFERRAL_SPOOL"]
    with database().sessions() as session:
        replayed = spool.replay(session, path)
    click.echo(f"{replayed.added} spooled referral(s) added to the database.")
    if replayed.set_aside:
        click.echo(
            f"{replayed.set_aside} unreadable line(s) set aside in {spool.unreadable_path(path)}."
        )


def _replay_log(log_file: str) -> None:
    with database().sessions() as session:
        added, batch = spool.replay_log(session, log_file)
    click.echo(
        f"{added} referral(s) from the log added to the database "
        f"({len(batch.records) - added} already there)."
    )
    if batch.unreadable:
        click.echo(f"{len(batch.unreadable)} unreadable referral line(s) in the log skipped.")
