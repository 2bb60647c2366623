"""Password guessing throttled in the database: every worker refuses the same guesses.

An attempt is counted *before* its password is checked, in the same locked step that reads the
count, so simultaneous guesses queue on the lock and no more than the limit are ever checked,
however many workers they reach at once. It is counted as a failure until the password proves
right. Keys are keyed hashes under the day's rotating visitor salt: once that salt is deleted
(after two days) nothing stored can be matched to an email or an address again.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.orm import Session

from portal.models import LoginAttempt, LoginOutcome
from portal.ratelimit import visitor_key

# Attempts are only needed for the window; a day's worth is kept for reading the logs, no more.
KEEP_FOR = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Rules:
    account_limit: int
    visitor_limit: int
    window: timedelta


@dataclass(frozen=True, slots=True)
class AttemptKeys:
    """Keyed hashes of the typed email and of the visitor's address: neither is stored raw.

    One of each per kept salt, today's first: attempts just before midnight still count after it.
    """

    account: tuple[str, ...]
    visitor: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Claim:
    """One counted attempt: ``allowed`` says whether its password may be checked."""

    attempt_id: int
    allowed: bool


def attempt_keys(salts: tuple[str, ...], email: str, client_ip: str) -> AttemptKeys:
    """The keys of an attempt under each of ``salts`` (``ratelimit.day_salts``)."""
    return AttemptKeys(
        account=tuple(_account_key(salt, email) for salt in salts),
        visitor=tuple(visitor_key(salt, "staff-login", client_ip) for salt in salts),
    )


def _account_key(salt: str, email: str) -> str:
    digest = hmac.new(salt.encode(), f"staff-account\x1f{email}".encode(), hashlib.sha256)
    return f"staff-account:{digest.hexdigest()[:40]}"


def claim(session: Session, rules: Rules, keys: AttemptKeys, now: datetime) -> Claim:
    """Count one attempt, as failed, unless the keys are out of attempts. Flushes, never commits.

    Call it in a writer's transaction (``writing``). The keys stay locked until the caller
    commits: commit before checking the password, so the next guess on these keys sees this one
    and a slow hash holds no lock.
    """
    _lock(session, keys)
    allowed = not is_refused(session, rules, keys, now)
    outcome = LoginOutcome.FAILED if allowed else LoginOutcome.REFUSED
    attempt = LoginAttempt(
        created_at=now, account_key=keys.account[0], visitor_key=keys.visitor[0], outcome=outcome
    )
    session.add(attempt)
    session.execute(delete(LoginAttempt).where(LoginAttempt.created_at < now - KEEP_FOR))
    session.flush()
    return Claim(attempt.id, allowed)


def succeeded(session: Session, claimed: Claim) -> None:
    """The claimed attempt had the right password: it stops counting. Flushes, never commits."""
    session.execute(
        update(LoginAttempt)
        .where(LoginAttempt.id == claimed.attempt_id)
        .values(outcome=LoginOutcome.SUCCEEDED)
    )


def is_refused(session: Session, rules: Rules, keys: AttemptKeys, now: datetime) -> bool:
    """True while the account or the visitor has used up its failed attempts for the window.

    A successful sign-in clears the account's count (it needed the password); the visitor's
    count is never cleared, so one known account cannot buy more guesses at the others.
    """
    since = now - rules.window
    last_success = (
        select(func.coalesce(func.max(LoginAttempt.id), 0))
        .where(
            LoginAttempt.account_key.in_(keys.account),
            LoginAttempt.outcome == LoginOutcome.SUCCEEDED,
        )
        .scalar_subquery()
    )
    account_failures = _failures(
        session, since, LoginAttempt.account_key.in_(keys.account), LoginAttempt.id > last_success
    )
    if account_failures >= rules.account_limit:
        return True
    return (
        _failures(session, since, LoginAttempt.visitor_key.in_(keys.visitor)) >= rules.visitor_limit
    )


def _lock(session: Session, keys: AttemptKeys) -> None:
    # SQLite: a writer's transaction (BEGIN IMMEDIATE) already runs alone. PostgreSQL: one
    # transaction-scoped advisory lock per key, taken in a fixed order so two never deadlock.
    if session.get_bind().dialect.name != "postgresql":
        return
    for key in sorted({*keys.account, *keys.visitor}):
        session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key}
        )


def _failures(session: Session, since: datetime, *conditions) -> int:
    query = select(func.count(LoginAttempt.id)).where(
        LoginAttempt.outcome == LoginOutcome.FAILED, LoginAttempt.created_at >= since, *conditions
    )
    return session.scalar(query) or 0
