"""Directory commands."""

import click
from flask import Flask
from flask.cli import with_appcontext

from portal.db.session import database
from portal.db.writing import writing
from portal.directory import service
from portal.engage.demo import load_demo_events
from portal.listen.demo import load_demo_podcast, load_demo_statements
from portal.models import utcnow


def init_app(app: Flask) -> None:
    app.cli.add_command(seed_demo)


@click.command("seed-demo")
@with_appcontext
def seed_demo():
    """Load the demo directory (marked as demo data). Running it twice changes nothing."""
    with database().sessions() as session, writing(session):
        added, filled = service.load_demo(session)
        statements = load_demo_statements(session, now=utcnow())
        episodes = load_demo_podcast(session)
        events = load_demo_events(session, now=utcnow())
    click.echo(f"{added} demo recipient(s) added.")
    if filled:
        click.echo(f"{filled} translated text(s) added to demo recipients already there.")
    click.echo(f"{statements} demo statement(s) added.")
    click.echo(f"{episodes.added} demo podcast episode(s) added.")
    click.echo(f"{events} demo event(s) and opportunities added.")
