"""Delivering the outbox: claim the due messages, send them, record what happened.

Messages are claimed by pushing their next attempt past a lease in one conditional UPDATE, so
two workers (or a worker and ``deliver-mail``) never send the same message at once. Delivery is at
least once: a process that dies between the server's "accepted" and the record of it sends again
once the lease ends (the Message-ID stays the same, so the receiving side can tell).
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from portal.db.writing import writing
from portal.mail.outbox import Message
from portal.mail.transport import PermanentFailure, TemporaryFailure, Wire, build_message
from portal.models import MailStatus, OutboxMail, utcnow

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=2)
# A batch stops starting new messages this long after its claim, well inside the lease.
SENDING_WITHIN = LEASE.total_seconds() / 2
FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=6)
BATCH = 50
# After a wake, the sender lets this long pass before its round, so that the commits of the
# next moment (a burst of webhooks, each queueing a thank-you) go out in one batch: two short
# write transactions for all of them instead of two for each.
GATHER_SECONDS = 0.2


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failure: 1, 2, 4 … minutes, at most 6 hours."""
    return min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_WAIT)


@dataclass
class Delivery:
    """What one run of the sender did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


# A renderer writes a ``Draft``'s message from its values, reading what it needs in the session.
Renderer = Callable[[Session, dict], Message]


def deliver_due(
    sessions: sessionmaker[Session],
    transport,
    sender: str,
    *,
    now=None,
    renderers: Mapping[str, Renderer] | None = None,
) -> Delivery:
    """Send every message that is due, up to ``BATCH`` a round: one short transaction claims
    them, drafts are written and the mail server is spoken to with no transaction open, and one
    more records what happened (two writes a batch, not two a message: the webhook's writers
    share the lock). Safe to run in several processes.
    """
    now = now or utcnow()
    result = Delivery()
    with sessions() as session:
        with writing(session):
            mails = _claim(session, now)
        if not mails:
            # Woken with nothing due (another worker's sender took it, or the wake-up was for
            # nothing): no second turn at the write lock to record an empty batch.
            return result
        # Read-only, and before any row changes: the record's write transaction starts clean.
        written = _write_drafts(session, mails, renderers or {})
        _end_reads(session)
        started, outcomes = time.monotonic(), {}
        with transport.conversation() as send:  # one connection to the mail server a batch
            for mail in mails:
                if time.monotonic() - started > SENDING_WITHIN:
                    break  # the rest go back to the outbox before their lease ends
                message = written.get(mail.id)
                if isinstance(message, Exception):
                    outcomes[mail.id] = message
                elif isinstance(built := _build(mail, sender, message), Exception):
                    outcomes[mail.id] = built  # this message only: the batch goes on
                else:
                    outcomes[mail.id] = _send(send, built, mail.id)
        changes = [_changes(mail, written, outcomes, now, result) for mail in mails]
        with writing(session):
            _store(session, changes)
    return result


def _changes(mail: OutboxMail, written, outcomes, now: datetime, result: Delivery) -> dict:
    """What one claimed row becomes, as column values (``mail_id`` names the row)."""
    change: dict = {"mail_id": mail.id}
    if isinstance(message := written.get(mail.id), Message):
        change["subject"] = message.subject[:300]  # what the row keeps once sent
    if mail.id in outcomes:
        change |= _record(mail, outcomes[mail.id], result)
    else:
        # Not tried: this claim does not count as an attempt.
        change |= {"attempts": mail.attempts - 1, "next_attempt_at": now}
    return change


def _store(session: Session, changes: list[dict]) -> None:
    """Write a batch's outcomes: one UPDATE a kind of outcome (sent, failed, retrying, not
    tried), each over all its rows at once (``executemany``), rather than the ORM's flush
    with its bookkeeping per object. Nothing else writes a row while this process leases it."""
    table = OutboxMail.__table__
    kinds: dict[tuple[str, ...], list[dict]] = {}
    for change in changes:
        kinds.setdefault(tuple(sorted(change)), []).append(change)
    for rows in kinds.values():
        # The SET clause comes from the rows' other keys.
        session.execute(update(table).where(table.c.id == bindparam("mail_id")), rows)


def _write_drafts(
    session: Session, mails: list[OutboxMail], renderers: Mapping[str, Renderer]
) -> dict[int, Message | Exception]:
    """Each draft's message, written by its renderer; or why it cannot be written: the database
    (tried again later), or a bug or a row its values name that is gone (retrying cannot help)."""
    written: dict[int, Message | Exception] = {}
    for mail in mails:
        if mail.render_values is None:
            continue
        try:
            draft = json.loads(mail.render_values)
            written[mail.id] = renderers[draft["renderer"]](session, draft["values"])
        except SQLAlchemyError as error:
            written[mail.id] = TemporaryFailure(f"not written: {type(error).__name__}: {error}")
        except Exception as error:
            log.exception("mail %s could not be written", mail.id)
            written[mail.id] = PermanentFailure(f"not written: {type(error).__name__}: {error}")
    return written


def _end_reads(session: Session) -> None:
    """End the transaction the renderers read in: none stays open while the server is spoken to
    (it would hold back SQLite's checkpoints, or idle in a PostgreSQL transaction)."""
    try:
        session.commit()  # nothing was changed; the claimed rows stay loaded
    except SQLAlchemyError:
        session.rollback()  # a read failed: its drafts are tried again later


def _record(mail: OutboxMail, error: Exception | None, result: Delivery) -> dict:
    if error is None:
        result.sent += 1
        return _settled(MailStatus.SENT) | {"sent_at": utcnow()}
    final = isinstance(error, PermanentFailure) or mail.attempts >= MAX_ATTEMPTS
    return _record_failure(mail, _describe(error), final=final, result=result)


def _build(mail: OutboxMail, sender: str, message: Message | None) -> Wire | Exception:
    """The message's bytes, or why it cannot have any: the same next time, so it is failed."""
    try:
        return build_message(mail, sender, message)
    except PermanentFailure as error:
        return error
    except Exception as error:
        # Its text may quote the address (a codec's error does): only its kind is kept, and the
        # log says where it was raised, which is what finds a bug in the building.
        frames = traceback.extract_tb(error.__traceback__)
        where = " < ".join(
            f"{f.name} ({os.path.basename(f.filename)}:{f.lineno})" for f in frames[::-1]
        )
        log.error("mail %s not built: %s in %s", mail.id, type(error).__name__, where)
        return PermanentFailure(f"not built: {type(error).__name__}")


def _send(send, message, mail_id: int) -> Exception | None:
    try:
        send(message, mail_id)
    except Exception as error:
        # Whatever the transport raised, the outbox keeps the message and decides what next.
        return error
    return None


def _claim(session: Session, now: datetime) -> list[OutboxMail]:
    """Lease up to ``BATCH`` due messages to this process: their next attempt moves past the
    lease, so no other sender takes them meanwhile. Only the rows this UPDATE changed are ours.
    Call it in a writer's transaction (``writing``)."""
    due = (
        select(OutboxMail.id)
        .where(OutboxMail.status == MailStatus.PENDING, OutboxMail.next_attempt_at <= now)
        .order_by(OutboxMail.next_attempt_at, OutboxMail.id)
        .limit(BATCH)
    )
    claimed = session.scalars(
        update(OutboxMail)
        .where(
            OutboxMail.id.in_(due.scalar_subquery()),
            OutboxMail.status == MailStatus.PENDING,
            OutboxMail.next_attempt_at <= now,
        )
        .values(attempts=OutboxMail.attempts + 1, next_attempt_at=utcnow() + LEASE)
        .returning(OutboxMail)  # the rows as this UPDATE left them: no second read
        .execution_options(synchronize_session=False, populate_existing=True)
    ).all()
    return sorted(claimed, key=lambda mail: mail.id)


def _record_failure(mail: OutboxMail, error: str, *, final: bool, result) -> dict:
    result.errors.append(error)
    log.warning("mail %s attempt %s failed: %s", mail.id, mail.attempts, error)
    if final:
        result.failed += 1
        return _settled(MailStatus.FAILED) | {"last_error": error[:500]}
    result.retrying += 1
    return {"last_error": error[:500], "next_attempt_at": utcnow() + retry_delay(mail.attempts)}


def _settled(status: MailStatus) -> dict:
    # Done with this message either way: the address and the body (which may hold a private
    # link) are no longer needed, so they are not kept.
    erased = ("recipient", "reply_to", "body_text", "body_html", "render_values")
    return {"status": status} | dict.fromkeys(erased)


def _describe(error: Exception) -> str:
    if isinstance(error, TemporaryFailure | PermanentFailure):
        return str(error)
    return f"{type(error).__name__}: {error}"


class BackgroundSender:
    """One thread per worker process that delivers the outbox when woken (after a commit that
    queued mail) and again when a retry falls due. Waking it never blocks the caller."""

    def __init__(self, deliver: Callable[[], Delivery], next_due: Callable[[], datetime | None]):
        self._deliver = deliver
        self._next_due = next_due
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid = os.getpid()
        self._start_lock = threading.Lock()

    def wake(self) -> None:
        self._ensure_running()
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None and self._pid == os.getpid():
            self._thread.join(timeout)
        self._thread = None

    def _ensure_running(self) -> None:
        with self._start_lock:
            # A forked worker inherits the object but not the thread: start its own.
            if self._thread is not None and self._pid == os.getpid() and self._thread.is_alive():
                return
            self._pid = os.getpid()
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="mail-sender", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            wait = self._round()
            if self._wake.wait(wait):
                self._stop.wait(GATHER_SECONDS)

    def _round(self) -> float | None:
        try:
            self._deliver()
            due = self._next_due()
        except Exception:
            # The database may be briefly unavailable: try again in a minute, never crash.
            log.exception("mail delivery round failed")
            return FIRST_RETRY.total_seconds()
        if due is None:
            return None
        return max(0.0, min((due - utcnow()).total_seconds(), LONGEST_WAIT.total_seconds()))


def next_due(sessions: sessionmaker[Session]) -> datetime | None:
    """When the earliest waiting message falls due; None when nothing waits."""
    with sessions() as session:
        return session.scalar(
            select(OutboxMail.next_attempt_at)
            .where(OutboxMail.status == MailStatus.PENDING)
            .order_by(OutboxMail.next_attempt_at)
            .limit(1)
        )
