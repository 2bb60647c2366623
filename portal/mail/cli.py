"""``flask --app app deliver-mail``: send the outbox's due messages from a shell or a timer, then
run the upkeep other features registered (``add_after_delivery``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from portal.state import portal_state

# ``job(session, now)``: flushes, never commits; answers a line for the operator, or None.
AfterDelivery = Callable[[Session, datetime], str | None]


def init_app(app: Flask) -> None:
    app.cli.add_command(deliver_mail)


def add_after_delivery(app: Flask, job: AfterDelivery) -> None:
    """Have ``deliver-mail`` run ``job`` once the due mail is sent, each job in its own write
    transaction, printing the line it answers (the ledger erases donor addresses no longer
    needed this way). Works before or after mail's own ``init_app``."""
    portal_state(app).after_delivery.append(job)


@click.command("deliver-mail")
@with_appcontext
def deliver_mail():
    """Send every message that is due, then run the features' upkeep (such as erasing donor
    addresses no longer needed). Safe to run alongside the web workers."""
    from portal.db.session import database
    from portal.db.writing import writing
    from portal.mail import deliver
    from portal.models import utcnow

    result = deliver()
    said = []
    for job in portal_state().after_delivery:
        with database().sessions() as session, writing(session):
            said.append(job(session, utcnow()))
    click.echo(f"{result.sent} sent, {result.retrying} to retry later, {result.failed} given up.")
    for line in said:
        if line:
            click.echo(line)
    for error in result.errors:
        click.echo(f"  {error}", err=True)
