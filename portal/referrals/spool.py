"""A durable local spool for referrals the database could not take, replayed exactly once.

Each line is one referral as JSON, appended and fsync'd under an exclusive file lock, so workers
never interleave half lines. Replay inserts by the referral's unique ``ref``: a line replayed
twice (say, a crash after the commit but before the truncate) is skipped by the database.
"""

from __future__ import annotations

import fcntl
import json
import os
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from portal.db import insert_ignore
from portal.models import Referral


def append(path: str | Path, record: dict) -> None:
    """Append one referral record and make it durable before returning."""
    line = json.dumps(record, default=_encode, separators=(",", ":")) + "\n"
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with _locked(path, blocking=True) as handle:
        handle.seek(0, os.SEEK_END)
        handle.write(line.encode())
        handle.flush()
        os.fsync(handle.fileno())


def has_pending(path: str | Path) -> bool:
    """Cheap check (one stat) for referrals waiting to be replayed."""
    try:
        return os.stat(path).st_size > 0
    except FileNotFoundError:
        return False


def replay(session: Session, path: str | Path, *, blocking: bool = True) -> int | None:
    """Insert every spooled referral not yet in the database, commit, then empty the spool.

    Returns how many rows were added, or None when another process holds the spool and
    ``blocking`` is false. Commits its own transaction: the spool may only be emptied once the
    rows are safely stored.
    """
    if not has_pending(path):
        return 0
    with _locked(path, blocking=blocking) as handle:
        if handle is None:
            return None
        records = [_decode(line) for line in handle.read().splitlines() if line.strip()]
        added = insert_ignore(session, Referral, records) if records else 0
        session.commit()
        handle.truncate(0)
        handle.flush()
        os.fsync(handle.fileno())
        return added


@contextmanager
def _locked(path: str | Path, *, blocking: bool):
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    with os.fdopen(fd, "r+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except BlockingIOError:
            yield None
            return
        try:
            yield handle
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _encode(value):
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot spool {type(value).__name__}")


def _decode(line: bytes) -> dict:
    record = json.loads(line)
    record["created_at"] = datetime.fromisoformat(record["created_at"])
    return record
