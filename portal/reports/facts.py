"""Where report numbers come from: the roll-ups for settled days, raw rows for the rest.

Each function returns a subquery with the same columns whichever source a day comes from, so the
queries above it never need to know; a report read in one snapshot is exact either way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import String, and_, func, literal, select, type_coerce, union_all
from sqlalchemy.orm import Session

from portal.dates import day_of, day_range, month_days, whole_months
from portal.models import (
    ANY,
    EVERY_RECIPIENT,
    Referral,
    ReferralRollup,
    SourceRollup,
    Span,
    created_within,
)
from portal.reports.measures import SOURCES, bots, humans, new_visitors, visitors
from portal.reports.rollup import coverage
from portal.reports.scope import Scope


@dataclass(frozen=True)
class Sources:
    """Which days of a scope the roll-ups cannot answer for; those are read from raw rows. The
    open day, when in the scope, is read from its roll-ups plus its ``tail``: its rows with an
    id above the one given."""

    scope: Scope
    unsettled: tuple[date, ...]
    tail: tuple[date, int] | None = None

    def tail_for(self, raw_days) -> tuple[date, int] | None:
        """The open day's tail to add, unless that day is read whole from raw rows anyway."""
        if self.tail is None or self.tail[0] in raw_days:
            return None
        return self.tail

    def raw_days(self, kind: str | None = None) -> tuple[date, ...]:
        """The days to read raw rows for: every day when no roll-up is kept for the filters.

        The only such view is a member's referring hosts within one campaign (``kind`` "host").
        """
        scope = self.scope
        if kind == "host" and scope.member is not None and scope.campaign:
            return tuple(scope.days)
        return self.unsettled

    def rolled(self, raw_days, *, months: bool) -> tuple[list[date], list[tuple[date, date]]]:
        """Whole months to read month rows for, and runs of days to read day rows for."""
        scope, raw, whole = self.scope, set(raw_days), []
        if months:
            whole = [
                m for m in whole_months(scope.since, scope.until) if not raw & set(month_days(m))
            ]
        taken = raw | {day for month in whole for day in month_days(month)}
        runs: list[tuple[date, date]] = []
        for day in scope.days:
            if day in taken:
                continue
            if runs and runs[-1][1] == day - timedelta(days=1):
                runs[-1] = (runs[-1][0], day)
            else:
                runs.append((day, day))
        return whole, runs


def plan(session: Session, scope: Scope) -> Sources:
    """Decide, for the current snapshot, which days the roll-ups cannot answer for."""
    if scope.campaign == ANY:  # ANY is never a campaign's key
        return Sources(scope, tuple(scope.days))
    covered = coverage(session)
    raw = tuple(day for day in scope.days if covered.raw(day))
    day = covered.open_day
    tail = (day, covered.open.referral_id) if day is not None and day in scope.days else None
    return Sources(scope, raw, tail)


def referral_counts(sources: Sources, keys: tuple[str, ...], dims: tuple[str, ...]):
    """``humans``, ``bots`` and human ``visitors`` by ``dims``, in parts to be added up.

    ``dims`` are among ``day``, ``organization_id`` and ``arrived_key``; ``keys`` are arrival
    channels to report apart, or ``ANY`` for both counted together.
    """
    scope, parts = sources.scope, []
    raw_days = sources.raw_days()
    if len(raw_days) < len(scope.days):
        months, runs = sources.rolled(raw_days, months="day" not in dims)
        table, mode = ReferralRollup, scope.mode.value if scope.mode else ANY
        columns = [getattr(table, dim) for dim in dims]
        for span, period in _periods(table.day, months, runs):
            query = (
                select(*columns, *_sums(table.humans, table.bots, table.visitors))
                .where(table.span == span, table.mode_key == mode, table.arrived_key.in_(keys))
                .where(table.campaign_key == (scope.campaign or ANY), period)
            )
            if scope.member is not None:
                query = query.where(table.organization_id == scope.member.id)
            parts.append(query.group_by(*columns))
    if raw_days:
        parts.extend(_raw_referral_counts(sources, raw_days, keys, dims))
    if tail := sources.tail_for(raw_days):
        parts.extend(_raw_referral_counts(sources, (tail[0],), keys, dims, after=tail[1]))
    return _union(parts)


def _raw_referral_counts(sources: Sources, raw_days, keys, dims, *, after=None) -> list:
    """Counts from raw rows of ``raw_days``, or of the open day's rows with ids ``after`` one."""
    rows, parts = _raw_rows(sources, raw_days, after=after), []
    expressions = {
        "day": day_of(Referral.created_at).label("day"),
        "organization_id": Referral.organization_id,
    }
    for together in (True, False):
        wanted = [key for key in keys if (key == ANY) == together]
        if not wanted:
            continue
        arrived = literal(ANY, String) if together else type_coerce(Referral.arrived_via, String)
        columns = {**expressions, "arrived_key": arrived.label("arrived_key")}
        selected = [columns[dim] for dim in dims]
        # Always by day and recipient as well, as the roll-ups count: a visitor hash counts once
        # per day and recipient, never once per range or across recipients.
        groups = [expressions["day"], Referral.organization_id]
        if after is None:
            counted = visitors()
        else:  # the tail: only visitors the open day's roll-ups have not counted
            scope = sources.scope
            counted = new_visitors(
                Referral,
                raw_days[0],
                mode=scope.mode is not None,
                arrived=not together,
                campaign=bool(scope.campaign),
            )
        measures = (humans().label("humans"), bots().label("bots"), counted.label("visitors"))
        query = select(*selected, *measures).where(rows)
        if not together:
            query = query.where(Referral.arrived_via.in_(wanted))
            groups.append(Referral.arrived_via)
        parts.append(query.group_by(*groups))
    return parts


def source_counts(sources: Sources, kind: str):
    """``humans`` and ``bots`` per campaign or referring host (``""`` for none), in parts."""
    scope, parts = sources.scope, []
    raw_days = sources.raw_days(kind)
    if len(raw_days) < len(scope.days):
        months, runs = sources.rolled(raw_days, months=True)
        table = SourceRollup
        for span, period in _periods(table.day, months, runs):
            query = select(table.value, *_sums(table.humans, table.bots)).where(
                table.span == span, table.kind == kind, *_source_level(scope, kind), period
            )
            if scope.mode:
                query = query.where(table.mode == scope.mode.value)
            if scope.arrived_via:
                query = query.where(table.arrived_via == scope.arrived_via.value)
            parts.append(query.group_by(table.value))
    tail = sources.tail_for(raw_days)
    for days, after in ((raw_days, None), *([((tail[0],), tail[1])] if tail else [])):
        if not days:
            continue
        value = func.coalesce(SOURCES[kind], "")
        query = select(value.label("value"), humans().label("humans"), bots().label("bots"))
        query = query.where(_raw_rows(sources, days, after=after))
        if scope.arrived_via:
            query = query.where(Referral.arrived_via == scope.arrived_via)
        parts.append(query.group_by(value))
    return _union(parts)


def _source_level(scope: Scope, kind: str) -> list:
    """Which of the source roll-up's levels answers ``scope``, as conditions."""
    table = SourceRollup
    if scope.member is not None:
        level = [table.organization_id == scope.member.id, table.campaign_key == ANY]
    elif scope.campaign and kind == "host":
        level = [table.organization_id == EVERY_RECIPIENT, table.campaign_key == scope.campaign]
    else:
        level = [table.organization_id == EVERY_RECIPIENT, table.campaign_key == ANY]
    if scope.campaign and kind == "campaign":
        level.append(table.value == scope.campaign)
    return level


def _periods(column, months: list[date], runs: list[tuple[date, date]]):
    """The roll-up rows to read, one part per run of days: a range each index search can use."""
    if months:
        yield Span.MONTH.value, column.in_(months)
    for first, last in runs:
        yield Span.DAY.value, column.between(first, last)


def _sums(*columns) -> list:
    return [func.sum(column).label(column.key) for column in columns]


def _raw_rows(sources: Sources, raw_days: tuple[date, ...], *, after: int | None = None):
    """The raw referrals of the scope's filters on ``raw_days`` (arrival is keyed apart), or,
    ``after`` an id, the open day's rows above it."""
    scope = sources.scope
    start, end = day_range(min(raw_days), max(raw_days))
    if after is not None:
        # The tail is the newest rows: the id range finds them. A recipient's or a campaign's
        # index would walk the whole day's rows instead, so the filters are written as
        # expressions no index serves (``+ 0``, ``|| ''``: same values, another plan).
        conditions = [Referral.id > after, Referral.created_at >= start, Referral.created_at < end]
        if scope.member is not None:
            conditions.append(Referral.organization_id + 0 == scope.member.id)
        if scope.campaign:
            conditions.append(Referral.utm_campaign + "" == scope.campaign)
    elif scope.member is not None:
        conditions = created_within(start, end, organization_id=scope.member.id)
    elif scope.campaign:
        # The campaign's own index finds its rows; naming every recipient would steer away from it.
        conditions = [Referral.created_at >= start, Referral.created_at < end]
    else:
        conditions = created_within(start, end)
    if after is None and len(raw_days) < len(scope.days):
        conditions.append(day_of(Referral.created_at).in_(raw_days))
    if scope.mode:
        conditions.append(Referral.mode == scope.mode)
    if scope.campaign and after is None:
        conditions.append(Referral.utm_campaign == scope.campaign)
    return and_(*conditions)


def _union(parts: list):
    if len(parts) == 1:
        return parts[0].subquery()
    return union_all(*parts).subquery()
