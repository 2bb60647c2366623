"""One session per app context, opened on first use and closed at teardown."""

from __future__ import annotations

from dataclasses import dataclass

from flask import g
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from portal.state import portal_state


@dataclass
class Database:
    """An app's engine and the sessions bound to it."""

    engine: Engine
    sessions: sessionmaker[Session]


def database() -> Database:
    """The current app's database (a shortcut for ``portal_state().database``)."""
    return portal_state().database


def get_session() -> Session:
    """The session of the current app context, created on first use."""
    if "db_session" not in g:
        g.db_session = database().sessions()
    return g.db_session


def close_session(_exc: BaseException | None) -> None:
    """Close the app context's session, if it opened one (a teardown handler)."""
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
