"""Where report numbers come from: the roll-ups for settled days, raw rows for the rest.

Each function returns a subquery with the same columns whichever source a day comes from, so the
queries above it never need to know; a report read in one snapshot is exact either way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import String, and_, func, literal, select, type_coerce, union_all
from sqlalchemy.orm import Session

from portal.csv_export import day_range
from portal.models import ANY, Referral, ReferralDaily, ReferralSourceDaily
from portal.reports.rollup import SOURCES, Mark, bots, day_of, humans, read_mark, visitors
from portal.reports.scope import Scope


@dataclass(frozen=True)
class Sources:
    """Which days of a scope are read from raw rows; every other day comes from the roll-ups."""

    scope: Scope
    raw_days: tuple[date, ...]

    @property
    def all_raw(self) -> bool:
        return self.scope.reads_raw_rows or len(self.raw_days) == len(self.scope.days)


def plan(session: Session, scope: Scope) -> Sources:
    """Decide, for the current snapshot, which days the roll-ups cannot answer for."""
    if scope.reads_raw_rows:
        return Sources(scope, tuple(scope.days))
    return Sources(scope, tuple(_unsettled_days(session, scope, read_mark(session))))


def _unsettled_days(session: Session, scope: Scope, mark: Mark) -> list[date]:
    start, end = scope.bounds
    late = select(day_of(Referral.created_at)).where(
        Referral.id > mark.referral_id, Referral.created_at >= start, Referral.created_at < end
    )
    days = set(session.scalars(late.distinct()))
    closed = mark.closed_through or date.min
    days |= {day for day in scope.days if day > closed}
    return sorted(days)


def member_facts(sources: Sources, keys: tuple[str, ...]):
    """Per day, recipient and arrival key: ``humans``, ``bots`` and human ``visitors``.

    ``keys`` are arrival channels to report apart, or ``ANY`` for both counted together.
    """
    parts = []
    if not sources.all_raw:
        scope = sources.scope
        rolled = select(
            ReferralDaily.day,
            ReferralDaily.organization_id,
            ReferralDaily.arrived_key,
            ReferralDaily.humans,
            ReferralDaily.bots,
            ReferralDaily.visitors,
        ).where(
            ReferralDaily.mode_key == (scope.mode.value if scope.mode else ANY),
            ReferralDaily.arrived_key.in_(keys),
            ReferralDaily.day.between(scope.since, scope.until),
        )
        if sources.raw_days:
            rolled = rolled.where(ReferralDaily.day.not_in(sources.raw_days))
        parts.append(rolled)
    if sources.raw_days:
        parts.extend(_raw_member_facts(sources, keys))
    return _union(parts)


def _raw_member_facts(sources: Sources, keys: tuple[str, ...]) -> list:
    rows, day = _raw_rows(sources), day_of(Referral.created_at)
    measures = (humans().label("humans"), bots().label("bots"), visitors().label("visitors"))
    parts = []
    if ANY in keys:
        together = literal(ANY, String).label("arrived_key")
        parts.append(
            select(day.label("day"), Referral.organization_id, together, *measures)
            .where(rows)
            .group_by(day, Referral.organization_id)
        )
    apart = [key for key in keys if key != ANY]
    if apart:
        channel = type_coerce(Referral.arrived_via, String).label("arrived_key")
        parts.append(
            select(day.label("day"), Referral.organization_id, channel, *measures)
            .where(rows, Referral.arrived_via.in_(apart))
            .group_by(day, Referral.organization_id, Referral.arrived_via)
        )
    return parts


def source_facts(sources: Sources, kind: str):
    """Per inbound campaign or referring host (``""`` for none): ``humans`` and ``bots``."""
    scope, parts = sources.scope, []
    if not sources.all_raw:
        rolled = select(
            ReferralSourceDaily.value, ReferralSourceDaily.humans, ReferralSourceDaily.bots
        ).where(
            ReferralSourceDaily.kind == kind,
            ReferralSourceDaily.day.between(scope.since, scope.until),
        )
        if scope.mode:
            rolled = rolled.where(ReferralSourceDaily.mode == scope.mode.value)
        if scope.arrived_via:
            rolled = rolled.where(ReferralSourceDaily.arrived_via == scope.arrived_via.value)
        if sources.raw_days:
            rolled = rolled.where(ReferralSourceDaily.day.not_in(sources.raw_days))
        parts.append(rolled)
    if sources.raw_days:
        value = func.coalesce(SOURCES[kind], "")
        parts.append(
            select(value.label("value"), humans().label("humans"), bots().label("bots"))
            .where(_raw_rows(sources))
            .where(*([Referral.arrived_via == scope.arrived_via] if scope.arrived_via else []))
            .group_by(value)
        )
    return _union(parts)


def _raw_rows(sources: Sources):
    """The raw referrals of the scope's filters on the days read raw (arrival is keyed apart)."""
    scope = sources.scope
    first, last = min(sources.raw_days), max(sources.raw_days)
    start, end = day_range(first, last)
    conditions = [Referral.created_at >= start, Referral.created_at < end]
    if not sources.all_raw:
        conditions.append(day_of(Referral.created_at).in_(sources.raw_days))
    if scope.member is not None:
        conditions.append(Referral.organization_id == scope.member.id)
    if scope.mode:
        conditions.append(Referral.mode == scope.mode)
    if scope.campaign:
        conditions.append(Referral.utm_campaign == scope.campaign)
    return and_(*conditions)


def _union(parts: list):
    if len(parts) == 1:
        return parts[0].subquery()
    return union_all(*parts).subquery()
