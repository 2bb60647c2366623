"""Outages the fault tests inject: a database whose lock is held, a file that cannot be written."""

from __future__ import annotations

import sqlite3
import subprocess
from contextlib import contextmanager
from pathlib import Path


class DatabaseAway:
    """Holds the database's write lock from another connection, as an outage or a stuck
    migration would: every write from the portal times out until it is released."""

    def __init__(self, database_url: str):
        self.url = database_url

    def __enter__(self):
        if self.url.startswith("sqlite"):
            self.conn = sqlite3.connect(self.url.removeprefix("sqlite:///"))
            self.conn.execute("BEGIN EXCLUSIVE")
        else:
            import psycopg

            self.conn = psycopg.connect(self.url.replace("postgresql+psycopg", "postgresql"))
            self.conn.execute("LOCK TABLE referral, daily_salt IN ACCESS EXCLUSIVE MODE")
        return self

    def __exit__(self, *exc):
        self.conn.rollback()
        self.conn.close()


@contextmanager
def read_only(path: Path):
    """``path`` cannot be written, even by root, until the block ends (``chattr +i``)."""
    subprocess.run(["chattr", "+i", str(path)], check=True)
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)
