"""Queueing a message: one row in the caller's transaction; queueing its key again is a no-op."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from portal.db.writing import dialect_insert
from portal.models import MailStatus, OutboxMail, utcnow

# Set on a session that queued mail, so that its commit can wake the sender.
QUEUED = "portal_mail_queued"


@dataclass(frozen=True)
class Message:
    """What one recipient receives. ``text`` is required; ``html`` is an optional alternative."""

    to: str
    subject: str
    text: str
    html: str | None = None
    reply_to: str | None = None
    language: str = "en"


@dataclass(frozen=True)
class Draft:
    """A message written when it is sent: ``renderer`` (registered with ``register_renderer``)
    writes its subject and body from ``values`` (JSON-able). For a hot writer, whose lock should
    not wait for templates; the row is queued, and unique, exactly as a ``Message``'s."""

    to: str
    renderer: str
    values: dict = field(default_factory=dict)
    language: str = "en"


def queue(target: Session | Connection, key: str, message: Message | Draft) -> bool:
    """Put ``message`` in the outbox under ``key``; True if it was added, False if ``key`` was
    already queued (then nothing changes). Runs in the caller's transaction: flushes, never
    commits, so the mail goes out only if the caller's change is committed too.
    """
    values = _values(key, message)
    table = OutboxMail.__table__
    dialect = target.dialect if isinstance(target, Connection) else target.get_bind().dialect
    statement = (
        dialect_insert(dialect)(table)
        .values(**_defaults(), **values)
        .on_conflict_do_nothing(index_elements=[table.c.key])
        .returning(table.c.id)
    )
    added = target.execute(statement).first() is not None
    if added:
        target.info[QUEUED] = True
    return added


class CursorOutbox:
    """``queue`` for a hot writer that holds a bare DBAPI cursor (the webhook's ledger writer):
    the same row and the same unique key, through a statement compiled once."""

    def __init__(self, dialect) -> None:
        from portal.db.fastpath import Prepared

        table = OutboxMail.__table__
        statement = dialect_insert(dialect)(table).on_conflict_do_nothing(
            index_elements=[table.c.key]
        )
        columns = [column.name for column in table.columns if column.name != "id"]
        self._insert = Prepared(statement, dialect, column_keys=columns)

    def queue(self, cursor, key: str, message: Message | Draft) -> None:
        """Add ``message`` under ``key`` in the cursor's transaction (nothing if ``key`` exists);
        the caller commits, then calls ``portal.mail.wake()``."""
        self._insert.execute(cursor, **_values(key, message), **_defaults())


def _values(key: str, message: Message | Draft) -> dict:
    if isinstance(message, Draft):
        # Its subject and body are written by the sender (``render_values``).
        render = json.dumps({"renderer": message.renderer, "values": message.values})
        written = {"subject": "", "body_text": None, "render_values": render}
    else:
        written = {"subject": message.subject[:300], "body_text": message.text}
        written |= {"render_values": None}
    return {
        "key": key,
        "recipient": message.to,
        "reply_to": getattr(message, "reply_to", None),
        "body_html": getattr(message, "html", None),
        "language": message.language,
        "last_error": None,
        "sent_at": None,
        **written,
    }


def _defaults() -> dict:
    now = utcnow()
    return {"status": MailStatus.PENDING, "attempts": 0, "next_attempt_at": now, "created_at": now}
