"""A test's own database from the worker's migrated template."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import text

from portal.db.base import Base
from portal.db.engine import make_engine


def fresh_database(template: Path | str, folder: Path) -> str:
    """The URL of an empty migrated database: a copy of the SQLite ``template`` in ``folder``,
    or on PostgreSQL (``template`` is then the worker's database URL) that database emptied."""
    if isinstance(template, str):
        engine = make_engine(template)
        tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        engine.dispose()
        return template
    path = folder / "portal.db"
    shutil.copyfile(template, path)
    return f"sqlite:///{path}"
