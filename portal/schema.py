"""Schema upgrades through Alembic, and the guard that refuses to serve an un-migrated database."""

from __future__ import annotations

from pathlib import Path

import click
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask, abort, request
from flask.cli import with_appcontext
from sqlalchemy import Engine

from portal.db.session import database
from portal.state import portal_state

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine) -> None:
    """Create or upgrade the database to the newest revision. Safe to call twice."""
    command.upgrade(alembic_config(engine), "heads")


def init_app(app: Flask) -> None:
    app.cli.add_command(init_db)
    app.before_request(_require_current_schema)


@click.command("init-db")
@with_appcontext
def init_db():
    """Create the database, or upgrade it to the current schema."""
    upgrade(database().engine)
    click.echo("Database is at the current schema.")


# Probes answer for themselves: a load balancer must hear "not ready" from /readyz, not the
# schema guard's page, and /healthz must answer whatever state the database is in.
UNGUARDED_ENDPOINTS = frozenset({"health.healthz", "health.readyz"})


def is_current(engine: Engine) -> bool | None:
    """Whether the database is at the newest revision; None when it cannot be reached."""
    status = portal_state().schema
    if status.heads is None:
        status.heads = set(ScriptDirectory.from_config(alembic_config(engine)).get_heads())
    try:
        with engine.connect() as conn:
            current = set(MigrationContext.configure(conn).get_current_heads())
    except Exception:
        return None
    return current == status.heads


def _require_current_schema() -> None:
    # Checked on a worker's first request (never at import or in create_app), and on every
    # request while the database is behind: one small SELECT, the scripts' heads being read once.
    status = portal_state().schema
    if status.checked or request.endpoint in UNGUARDED_ENDPOINTS:
        return
    current = is_current(database().engine)
    if current is None:
        return
    if not current:
        abort(
            503,
            description="The database has not been set up or upgraded. "
            "Run: flask --app app init-db",
        )
    status.checked = True
