"""Retention: raw referral rows past the horizon are folded into the roll-ups, then deleted.

What a pruned hand-off leaves behind is a count: per day and month, recipient, mode, channel,
campaign and referring host, people and bots apart, and unique visitors as a number. Its time to
the microsecond, reference, visitor hash, crawler name and destination are gone. A referral a
gift or a reported conversion points to is kept as long as that gift, as its attribution.

A pruned day is never rebuilt from raw rows again (they are gone): the roll-up catch-up skips
it, and every report reads only its roll-ups, so the numbers stay what they were.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import delete, exists, func, select
from sqlalchemy.orm import Session

from portal.dates import day_range, month_end, months_back
from portal.db.writing import writing
from portal.models import (
    ANY,
    Conversion,
    Donation,
    Referral,
    ReferralRollup,
    Span,
    created_within,
)
from portal.reports.rollup import CHUNK_DAYS, PRUNED, catch_up, lock_mark, read_mark, set_mark

AGE = re.compile(r"(\d{1,4})([dm])")


class AgeError(ValueError):
    """An ``--older-than`` the command cannot read; its message says what it expects."""


@dataclass(frozen=True)
class Pruned:
    before: date | None  # the first day whose raw rows are kept; None when nothing was rolled up
    deleted: int = 0
    kept: int = 0  # older rows kept: a gift points to them, or they arrived after the fold


def horizon(today: date, older_than: str) -> date:
    """The first day kept: ``older_than`` is months ("13m") or days ("400d") before ``today``."""
    found = AGE.fullmatch(older_than.strip())
    if not found:
        raise AgeError(f"{older_than!r}: give months or days, such as 13m or 400d")
    count, unit = int(found[1]), found[2]
    if unit == "d":
        return today - timedelta(days=count)
    first = months_back(today, count + 1)  # the first of the month ``count`` months back
    return min(first + timedelta(days=today.day - 1), month_end(first))


def prune(session: Session, *, before: date, today: date) -> Pruned:
    """Roll up every closed day, then delete the raw referrals of the days before ``before``.

    Commits, in short transactions (a week of days each) so that hand-offs keep their turn to
    write. Only days the roll-ups have counted are pruned. Safe to run again at any time.
    """
    catch_up(session, today=today)
    mark = read_mark(session)
    session.rollback()
    if mark.closed_through is None:
        return Pruned(None)
    before = min(before, mark.closed_through + timedelta(days=1))
    first = _first_rolled_day(session)
    pruned = read_mark(session, PRUNED).closed_through
    if first is not None and pruned is not None:
        first = max(first, pruned + timedelta(days=1))  # earlier days went in an earlier run
    if first is None or first >= before:
        return Pruned(before, kept=_older(session, before))
    # The mark comes first: from then on no catch-up rebuilds these days from a half-deleted log.
    _mark_pruned(session, before - timedelta(days=1), mark.referral_id)
    deleted, start = 0, first
    while start < before:
        end = min(start + timedelta(days=CHUNK_DAYS), before)
        with writing(session):
            deleted += _delete_folded(session, start, end, mark.referral_id)
        start = end
    return Pruned(before, deleted, _older(session, before))


def _delete_folded(session: Session, first: date, end: date, top_id: int) -> int:
    start, stop = day_range(first, end - timedelta(days=1))
    attributed = exists().where(Donation.referral_id == Referral.id)
    reported = exists().where(Conversion.referral_id == Referral.id)
    result = session.execute(
        delete(Referral).where(
            *created_within(start, stop), Referral.id <= top_id, ~attributed, ~reported
        )
    )
    return result.rowcount


def _mark_pruned(session: Session, last_day: date, top_id: int) -> None:
    with writing(session):
        mark = lock_mark(session, PRUNED)
        set_mark(
            session,
            PRUNED,
            referral_id=max(top_id, mark.referral_id),
            closed_through=max(last_day, mark.closed_through or date.min),
        )


def _first_rolled_day(session: Session) -> date | None:
    """The oldest day in the roll-ups (their key leads to it; the log has no time index)."""
    return session.scalar(
        select(func.min(ReferralRollup.day)).where(
            ReferralRollup.span == Span.DAY,
            ReferralRollup.mode_key == ANY,
            ReferralRollup.arrived_key == ANY,
            ReferralRollup.campaign_key == ANY,
        )
    )


def _older(session: Session, before: date) -> int:
    start, _ = day_range(before, None)
    return session.scalar(select(func.count(Referral.id)).where(*created_within(None, start)))
