"""Sign-in throttling counted in the database, so every worker refuses the same guesses."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
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
    """Keyed hashes of the typed email and of the visitor's address: neither is stored raw."""

    account: str
    visitor: str


def attempt_keys(secret: str, email: str, client_ip: str) -> AttemptKeys:
    digest = hmac.new(secret.encode(), f"staff-account\x1f{email}".encode(), hashlib.sha256)
    return AttemptKeys(
        account=f"staff-account:{digest.hexdigest()[:40]}",
        visitor=visitor_key(secret, "staff-login", client_ip),
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
            LoginAttempt.account_key == keys.account,
            LoginAttempt.outcome == LoginOutcome.SUCCEEDED,
        )
        .scalar_subquery()
    )
    account_failures = _failures(
        session, since, LoginAttempt.account_key == keys.account, LoginAttempt.id > last_success
    )
    if account_failures >= rules.account_limit:
        return True
    return (
        _failures(session, since, LoginAttempt.visitor_key == keys.visitor) >= rules.visitor_limit
    )


def record(session: Session, keys: AttemptKeys, outcome: LoginOutcome, now: datetime) -> None:
    """Count one attempt and forget attempts older than a day. Flushes, never commits."""
    session.add(
        LoginAttempt(
            created_at=now, account_key=keys.account, visitor_key=keys.visitor, outcome=outcome
        )
    )
    session.execute(delete(LoginAttempt).where(LoginAttempt.created_at < now - KEEP_FOR))
    session.flush()


def _failures(session: Session, since: datetime, *conditions) -> int:
    query = select(func.count(LoginAttempt.id)).where(
        LoginAttempt.outcome == LoginOutcome.FAILED, LoginAttempt.created_at >= since, *conditions
    )
    return session.scalar(query) or 0
