"""``flask --app app deliver-mail``: send the outbox's due messages from a shell or a timer."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext


def init_app(app: Flask) -> None:
    app.cli.add_command(deliver_mail)


@click.command("deliver-mail")
@with_appcontext
def deliver_mail():
    """Send every message that is due, and erase donor addresses no longer needed (180 days
    after a gift's last payment). Safe to run alongside the web workers."""
    from portal.db.session import database
    from portal.db.writing import writing
    from portal.donate.retention import forget_addresses
    from portal.mail import deliver
    from portal.models import utcnow

    result = deliver()
    with database().sessions() as session, writing(session):
        forgotten = forget_addresses(session, utcnow())
    click.echo(f"{result.sent} sent, {result.retrying} to retry later, {result.failed} given up.")
    if forgotten:
        click.echo(f"{forgotten} donor address(es) no longer needed were erased.")
    for error in result.errors:
        click.echo(f"  {error}", err=True)
