"""Staff commands for the donation ledger: CSV export and reconciliation with Stripe."""

from __future__ import annotations

import re
import time

import click
from flask import Flask
from flask.cli import with_appcontext

from portal.csv_export import day_options, echo_csv
from portal.db.session import database
from portal.db.writing import writing
from portal.donate import queries
from portal.donate.ledger import DUPLICATE, HANDLED_TYPES, record_stripe_event
from portal.stripe_gateway import GatewayError, gateway

_WINDOW = re.compile(r"^(\d{1,4})([dh])$")


def init_app(app: Flask) -> None:
    app.cli.add_command(export_donations)
    app.cli.add_command(reconcile_stripe)


@click.command("export-donations")
@with_appcontext
@day_options
def export_donations(since, until):
    """Print the donation ledger as CSV, one row per payment or attempt."""
    echo_csv(queries.EXPORT_HEADER, queries.donation_rows, since, until)


@click.command("reconcile-stripe")
@with_appcontext
@click.option(
    "--since",
    "window",
    default="3d",
    show_default=True,
    help="How far back to look: 3d (days) or 12h (hours), at most 30d.",
)
def reconcile_stripe(window: str):
    """Apply every Stripe event of the window that the webhook missed. Safe to run twice."""
    match = _WINDOW.match(window)
    seconds = match and int(match[1]) * (86_400 if match[2] == "d" else 3_600)
    if not seconds or seconds > 30 * 86_400:
        raise click.BadParameter(
            "use a number of days or hours, like 3d or 12h (at most 30d)", param_hint="--since"
        )
    counts: dict[str, int] = {}
    try:
        events = list(gateway().events_since(int(time.time()) - seconds, HANDLED_TYPES))
    except GatewayError as error:
        raise click.ClickException(f"Stripe did not answer: {error.reason}") from None
    with database().sessions() as session:
        for event in events:
            with writing(session):
                outcome = record_stripe_event(session, event)
            counts[outcome] = counts.get(outcome, 0) + 1
    missed = len(events) - counts.get(DUPLICATE, 0)
    click.echo(f"{len(events)} event(s) from Stripe; {missed} were missing and are now applied.")
    for outcome, count in sorted(counts.items()):
        click.echo(f"  {outcome}: {count}")
