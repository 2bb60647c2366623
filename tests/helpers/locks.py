"""Whether a unit of work holds SQLite's write lock at a given moment, seen from outside."""

from __future__ import annotations

import sqlite3


def other_writer_gets_the_lock(database_url: str) -> bool:
    """Whether another connection could start writing at once (always True off SQLite)."""
    if not database_url.startswith("sqlite"):
        return True
    connection = sqlite3.connect(database_url.removeprefix("sqlite:///"), timeout=0)
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.rollback()
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        connection.close()
