"""A durable local spool for referrals the database could not take, replayed exactly once.

Each line is one referral as JSON, appended and fsync'd under an exclusive file lock, so workers
never interleave half lines. Replay inserts by the referral's unique key (recipient, time,
``ref``): a line replayed twice (say, a crash after the commit but before the truncate) is
skipped by the database.

A line can still be torn (the disk filled mid-write, or someone edited the file). Such a line
never stops a replay: it is moved, as it was, to a side file (``<spool>.unreadable``) for an
operator to inspect, counted in the log, and every readable line around it is stored.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from portal.db.writing import insert_ignore
from portal.models import Referral
from portal.referrals.record import ReferralRecord

log = logging.getLogger(__name__)

_COLUMNS = {column.name: column for column in Referral.__table__.columns if column.name != "id"}
_ENUMS = {
    name: column.type.enum_class
    for name, column in _COLUMNS.items()
    if getattr(column.type, "enum_class", None) is not None
}
# What precedes a referral in the error log when not even the spool could take it.
LOG_MARKER = "unspooled-referral "
_LOG_MARKER = LOG_MARKER.encode()
_REQUIRED = {name for name, column in _COLUMNS.items() if not column.nullable}
_PLAIN = {
    name: column.type.python_type
    for name, column in _COLUMNS.items()
    if name != "created_at" and name not in _ENUMS
}


def append(path: str | Path, record: ReferralRecord) -> None:
    """Append one referral record and make it durable before returning."""
    line = encode(record).encode() + b"\n"
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with _locked(path, blocking=True) as handle:
        end = handle.seek(0, os.SEEK_END)
        if end and _last_byte(handle, end) != b"\n":
            # A torn line is at the end: start on a line of our own rather than be glued to it.
            line = b"\n" + line
        handle.write(line)
        handle.flush()
        os.fsync(handle.fileno())
    if not end:
        _sync_folder(Path(path).parent)  # a new file's name must survive a power cut too


def _sync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def encode(record: ReferralRecord) -> str:
    """One referral as one line of JSON (no newline), as the spool and the error log keep it."""
    return json.dumps(record, default=_encode, separators=(",", ":"))


def has_pending(path: str | Path) -> bool:
    """Cheap check (one stat) for referrals waiting to be replayed."""
    try:
        return os.stat(path).st_size > 0
    except FileNotFoundError:
        return False


def unreadable_path(path: str | Path) -> Path:
    """Where lines that could not be replayed are kept for inspection."""
    return Path(f"{path}.unreadable")


class Replayed(NamedTuple):
    added: int  # rows the database did not have yet
    set_aside: int  # unreadable lines moved to ``unreadable_path``


def replay(session: Session, path: str | Path, *, blocking: bool = True) -> Replayed | None:
    """Insert every spooled referral not yet in the database, commit, then empty the spool.

    Returns what was added and set aside, or None when another process holds the spool and
    ``blocking`` is false. Unreadable lines go to ``unreadable_path(path)``. Commits its own
    transaction: the spool may only be emptied once the rows are safely stored.
    """
    if not has_pending(path):
        return Replayed(0, 0)
    with _locked(path, blocking=blocking) as handle:
        if handle is None:
            return None
        batch = read_lines(handle.read().splitlines())
        added = store(session, batch)
        if batch.unreadable and not _set_aside(path, batch.unreadable):
            return Replayed(added, 0)  # the spool is kept: its stored lines are skipped next time
        handle.truncate(0)
        handle.flush()
        os.fsync(handle.fileno())
        return Replayed(added, len(batch.unreadable))


def replay_log(session: Session, path: str | Path) -> tuple[int, Batch]:
    """Store the referrals an error log kept (lines with ``LOG_MARKER``); safe to run twice.

    Returns how many rows were added, and what was read. The log itself is left as it is.
    """
    with open(path, "rb") as handle:
        batch = read_lines(_logged_record(line) for line in handle if _LOG_MARKER in line)
    return store(session, batch), batch


def _logged_record(line: bytes) -> bytes:
    # A log line is plain text, or (under gunicorn, portal/logs.py) one JSON object whose
    # "message" holds the text, the record's own JSON escaped inside it.
    stripped = line.strip()
    if stripped.startswith(b"{"):
        try:
            entry = json.loads(stripped)
        except ValueError:
            entry = None
        if isinstance(entry, dict) and isinstance(entry.get("message"), str):
            line = entry["message"].encode()
    return line.partition(_LOG_MARKER)[2]


@dataclass
class Batch:
    """Lines read back: the referrals they hold, and the lines that hold none."""

    records: list[ReferralRecord] = field(default_factory=list)
    lines: list[bytes] = field(default_factory=list)
    unreadable: list[bytes] = field(default_factory=list)


def read_lines(lines: Iterable[bytes]) -> Batch:
    """Decode spooled lines; blank ones are skipped, unreadable ones set apart."""
    batch = Batch()
    for line in lines:
        if not line.strip():
            continue
        try:
            batch.records.append(decode(line))
            batch.lines.append(line)
        except (ValueError, TypeError, KeyError, AttributeError):
            batch.unreadable.append(line)
    if batch.unreadable:
        log.warning("%d unreadable spooled referral line(s) set aside", len(batch.unreadable))
    return batch


def store(session: Session, batch: Batch) -> int:
    """Insert the batch's referrals, skipping those already stored, and commit.

    A row the database refuses (a recipient that no longer exists, a value too long) joins the
    unreadable lines instead of holding back the others; an unavailable database raises.
    """
    if not batch.records:
        return 0
    try:
        with session.begin_nested():
            added = insert_ignore(session, Referral, batch.records)
    except (IntegrityError, DataError):
        added = _store_one_by_one(session, batch)
    session.commit()
    return added


def _store_one_by_one(session: Session, batch: Batch) -> int:
    added = 0
    for record, line in zip(batch.records, batch.lines, strict=True):
        try:
            with session.begin_nested():
                added += insert_ignore(session, Referral, record)
        except (IntegrityError, DataError) as exc:
            log.warning("spooled referral refused by the database: %s", type(exc.orig).__name__)
            batch.unreadable.append(line)
    return added


def decode(line: bytes | str) -> ReferralRecord:
    """A referral record from one line; ValueError (or a kin) when the line is not one."""
    record = json.loads(line)
    if not isinstance(record, dict) or not _REQUIRED <= record.keys() <= _COLUMNS.keys():
        raise ValueError("not a referral record")
    record = {name: record.get(name) for name in _COLUMNS}
    if any(record[name] is None for name in _REQUIRED) or not all(
        record[name] is None or isinstance(record[name], kind) for name, kind in _PLAIN.items()
    ):
        raise ValueError("a referral field is missing or of the wrong kind")
    record["created_at"] = datetime.fromisoformat(record["created_at"])
    if record["created_at"].tzinfo is None:
        raise ValueError("a spooled time must say it is UTC")
    for name, enum in _ENUMS.items():
        record[name] = enum(record[name])
    return record


def _set_aside(path: str | Path, lines: list[bytes]) -> bool:
    try:
        with _locked(unreadable_path(path), blocking=True) as handle:
            handle.seek(0, os.SEEK_END)
            handle.write(b"".join(line + b"\n" for line in lines))
            handle.flush()
            os.fsync(handle.fileno())
    except OSError:
        log.exception("unreadable spooled lines could not be set aside; the spool is kept")
        return False
    return True


def _last_byte(handle, end: int) -> bytes:
    handle.seek(end - 1)
    last = handle.read(1)
    handle.seek(end)
    return last


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
