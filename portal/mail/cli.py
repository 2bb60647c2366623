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
    """Send every message that is due. Safe to run alongside the web workers."""
    from portal.mail import deliver

    result = deliver()
    click.echo(f"{result.sent} sent, {result.retrying} to retry later, {result.failed} given up.")
    for error in result.errors:
        click.echo(f"  {error}", err=True)
