"""The database: Base and naming (``base``), tuned engines (``engine``), a session per app
context (``session``), the write boundary (``writing``) and the hot paths' machinery
(``fastpath``)."""

from __future__ import annotations

from flask import Flask
from sqlalchemy.orm import sessionmaker

from portal.db.engine import make_engine
from portal.db.session import Database, close_session
from portal.state import portal_state


def init_app(app: Flask) -> None:
    """Create the engine lazily-connecting (no I/O here) and register the session teardown."""
    engine = make_engine(
        app.config["DATABASE_URL"], lock_timeout_ms=app.config["DB_LOCK_TIMEOUT_MS"]
    )
    portal_state(app).database = Database(engine, sessionmaker(engine, expire_on_commit=False))
    app.teardown_appcontext(close_session)
