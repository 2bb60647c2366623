"""Listen's command: import or refresh the podcast from its feed."""

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from portal.db.session import database
from portal.db.writing import writing
from portal.listen import episodes
from portal.listen.podcast import PodcastError


def init_app(app: Flask) -> None:
    app.cli.add_command(import_podcast)


@click.command("import-podcast")
@click.argument("url", required=False)
@with_appcontext
def import_podcast(url: str | None):
    """Import the podcast's episodes from URL (default: PODCAST_FEED_URL). Safe to run again."""
    url = url or current_app.config["PODCAST_FEED_URL"]
    if not url:
        raise click.UsageError("Give the feed's URL, or set PODCAST_FEED_URL.")
    try:
        feed = episodes.fetch_feed(url, **feed_limits(current_app.config))
    except PodcastError as error:
        raise click.ClickException(str(error)) from error
    with database().sessions() as session, writing(session):
        result = episodes.import_feed(session, feed)
    click.echo(summary(result))


def feed_limits(config) -> dict:
    return {"max_bytes": config["PODCAST_MAX_BYTES"], "timeout": config["PODCAST_TIMEOUT"]}


def summary(result: episodes.ImportResult) -> str:
    return (
        f"{result.added} episode(s) added, {result.updated} updated, "
        f"{result.unchanged} unchanged, {result.skipped} skipped (no title, id or date)."
    )
