"""Backups an operator can restore: ``flask --app app backup PATH`` and ``restore PATH``.

SQLite is copied with its online backup API, page by page under SQLite's own locks, so the
portal keeps serving while it runs and the copy is a consistent snapshot (a plain file copy of
a WAL database is not). PostgreSQL goes through ``pg_dump``/``pg_restore`` in their custom
format; the password, when there is one, travels in the environment, never on a command line.
A restore only fills an empty database (a fresh one, or a new file), so it cannot silently
overwrite the ledger it was meant to rescue.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import Engine, inspect

from portal.db.session import database


class BackupError(Exception):
    """The backup or restore did not happen; the message says why, for the operator."""


def init_app(app: Flask) -> None:
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)


def backup(engine: Engine, path: Path) -> None:
    """Write a consistent snapshot of the whole database to ``path`` (replaced whole)."""
    staged = path.with_name(path.name + ".partial")
    staged.unlink(missing_ok=True)
    if engine.dialect.name == "sqlite":
        _sqlite_copy(engine, staged, into_engine=False)
    else:
        _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(staged)], engine)
    staged.replace(path)


def restore(engine: Engine, path: Path) -> None:
    """Load the snapshot at ``path`` into an empty database."""
    if not path.is_file():
        raise BackupError(f"{path} is not a backup file")
    if inspect(engine).get_table_names():
        raise BackupError("the database is not empty: restore only into a new, empty database")
    if engine.dialect.name == "sqlite":
        _sqlite_copy(engine, path, into_engine=True)
    else:
        _run(["pg_restore", "--no-owner", "--exit-on-error", str(path)], engine)


def _sqlite_copy(engine: Engine, file: Path, *, into_engine: bool) -> None:
    connection = engine.raw_connection()
    try:
        other = sqlite3.connect(file)
        try:
            source, target = (other, connection.driver_connection)
            if not into_engine:
                source, target = target, source
            source.backup(target)
        finally:
            other.close()
    finally:
        connection.close()


def _run(command: list[str], engine: Engine) -> None:
    url = engine.url
    env = {**os.environ, **({"PGPASSWORD": url.password} if url.password else {})}
    target = url.set(drivername="postgresql", password=None).render_as_string()
    try:
        subprocess.run(  # noqa: S603 — fixed programs; the database URL is the operator's own
            [*command, "--dbname", target], env=env, check=True, capture_output=True, text=True
        )
    except FileNotFoundError:
        raise BackupError(f"{command[0]} is not installed (Debian: postgresql-client)") from None
    except subprocess.CalledProcessError as exc:
        raise BackupError(f"{command[0]} failed: {exc.stderr.strip()[-500:]}") from None


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path: Path):
    """Write a consistent backup of the database to PATH (safe while the portal runs)."""
    try:
        backup(database().engine, path)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Backup written to {path} ({path.stat().st_size:,} bytes).")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def restore_command(path: Path):
    """Restore the backup at PATH into this (empty) database."""
    try:
        restore(database().engine, path)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo("Restored. Run `flask --app app init-db` if the code is newer than the backup.")
