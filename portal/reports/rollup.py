"""Keeping the daily roll-ups in step with the referral log, one closed UTC day at a time.

A day is closed once it is over, rebuilt from all of its raw rows, so a closed day's roll-up row
is either exactly right or not used. The mark records the highest referral id counted: a referral
that arrives later for a day already rolled up (a spooled hand-off replayed after an outage) has
a higher id, which sends its day back to the raw rows until the next catch-up rebuilds it.

The day in progress is rolled up as it goes (the "open" mark: its day, and the id counted
through), its later rows added each run; reports add the rows after that id, so on a campaign
day they count a few minutes of hand-offs, not the whole day's. Unique visitors stay exact
through ``RollupVisitor``: a later row adds a visitor only if the day has not counted its hash.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    delete,
    func,
    insert,
    literal,
    not_,
    select,
    true,
    type_coerce,
    update,
)
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from portal.dates import day_of, day_range, month_end
from portal.db.writing import dialect_insert, insert_ignore, writing
from portal.models import (
    ANY,
    EVERY_RECIPIENT,
    Donation,
    Referral,
    ReferralRollup,
    RollupMark,
    RollupVisitor,
    SourceRollup,
    Span,
    created_within,
    utcnow,
)
from portal.reports.measures import SOURCES, bots, humans, new_visitors, visitors

MARK = "referrals"
# Its ``closed_through`` is the last day whose raw rows were pruned (``retention``): such days
# are never rebuilt, their roll-ups being all that is left of them.
PRUNED = "pruned"
# Its ``closed_through`` is the open day, rolled up through ``referral_id`` only.
OPEN = "open"
CHUNK_DAYS = 7
# Sources are rolled up for every recipient together, for each member, and for each campaign.
SOURCE_LEVELS = ("all", "member", "campaign")


@dataclass(frozen=True)
class Mark:
    referral_id: int = 0
    closed_through: date | None = None


def read_mark(session: Session, name: str = MARK) -> Mark:
    row = session.execute(
        select(RollupMark.referral_id, RollupMark.closed_through).where(RollupMark.name == name)
    ).first()
    return Mark(*row) if row else Mark()


def catch_up(session: Session, *, today: date) -> int:
    """Roll up every closed day the roll-ups have not fully counted; returns how many days.

    Commits, in short transactions of its own (a week of days each, so that hand-offs keep
    their turn to write): the roll-up is a cache, and a report reads it after. Does nothing
    when another writer holds the referral table: the reports are exact without it, only slower.
    Safe to call twice and from several workers at once.
    """
    attribute_donations(session)
    covered = coverage(session)
    waiting = pending_days(session, covered, today=today)
    newest = session.scalar(select(func.coalesce(func.max(Referral.id), 0)))
    session.rollback()
    if not waiting and covered.open == Mark(newest, today):
        return 0
    top = _settled_top_id(session)
    if top is None:
        return 0
    with writing(session):
        covered = coverage(session, top=top, mark=lock_mark(session))
        days = pending_days(session, covered, today=today)
    closing = covered.open_day
    if closing in days:  # counted as it went: only its rows after the open mark are missing
        roll_open_day(session, closing, top, start=False)
    for chunk in _chunks(day for day in days if day != closing):
        with writing(session):
            lock_mark(session)  # catch-ups take turns, chunk by chunk
            rebuild_days(session, chunk)
    with writing(session):
        mark = lock_mark(session)
        closed = max(today - timedelta(days=1), mark.closed_through or date.min)
        set_mark(session, MARK, referral_id=max(top, mark.referral_id), closed_through=closed)
    opened = roll_open_day(session, today, top, start=True)
    if days or opened:
        with writing(session):
            refresh_statistics(session)
    return len(days)


def roll_open_day(session: Session, day: date, top: int, *, start: bool) -> bool:
    """Add ``day``'s rows up to id ``top`` not yet counted to its day and month roll-ups, and
    move the open mark; True when ``day`` was not the open day and its roll-ups start now
    (only with ``start``, and only after the open day; otherwise another catch-up has closed
    it, or a later day is open, and nothing is done).

    Reads only the rows after the open mark, and commits every ``OPEN_STEP`` ids (a campaign
    day's first run, or a deployment's, would otherwise hold the write lock for all of them).
    """
    started = False
    while True:
        with writing(session):
            lock_mark(session)  # catch-ups take turns
            before = read_mark(session, OPEN)
            since = before.referral_id if before.closed_through == day else 0
            if before.closed_through != day and not (
                start and (before.closed_through or date.min) < day
            ):
                return False  # closed by another catch-up, or a later day is open already
            if before.closed_through != day:  # nothing of it counted yet; earlier days' are done
                session.execute(delete(RollupVisitor))
                _delete(session, Span.DAY, [day])
                started = True
            upto = _step_end(session, day, since, top)
            if upto > since:
                with _staged(session, _open_rows(day, since, upto)) as stage:
                    _add_open_rows(session, stage, day)
            insert_ignore(
                session, RollupMark, {"name": OPEN, "referral_id": 0, "updated_at": utcnow()}
            )
            set_mark(session, OPEN, referral_id=max(upto, since), closed_through=day)
        if upto >= top:
            return started


OPEN_STEP = 10_000


def _open_rows(day: date, since: int, upto: int):
    """``day``'s rows with ids in ``(since, upto]``, found by the id range alone (a recipient's
    index would walk the whole day's rows)."""
    start, end = day_range(day, day)
    return and_(
        Referral.id > since,
        Referral.id <= upto,
        Referral.created_at >= start,
        Referral.created_at < end,
    )


def _step_end(session: Session, day: date, since: int, top: int) -> int:
    """The last id of the next step: ``OPEN_STEP`` ids from ``day``'s first row after ``since``."""
    first = session.scalar(
        select(Referral.id).where(_open_rows(day, since, top)).order_by(Referral.id).limit(1)
    )
    return top if first is None else min(top, first - 1 + OPEN_STEP)


def _add_open_rows(session: Session, stage, day: date) -> None:
    """Add the staged rows of the open ``day`` to its day and month rows, then note their
    visitors as counted."""
    month = day.replace(day=1)
    for span, period in ((Span.DAY, day), (Span.MONTH, month)):
        for combo in _COMBOS:
            by_mode, by_arrival, by_campaign = combo
            counted = new_visitors(
                stage, day, mode=by_mode, arrived=by_arrival, campaign=by_campaign
            )
            query = _cube_query(stage, combo, span, literal(period, Date), counted)
            _add_into(session, ReferralRollup, _KEYS, ("humans", "bots", "visitors"), query)
        for kind, level in _SOURCE_PARTS:
            query = _source_query(stage, kind, level, span, literal(period, Date))
            _add_into(session, SourceRollup, _SOURCE_KEYS, ("humans", "bots"), query)
    seen = select(
        stage.day,
        stage.visitor_hash,
        stage.organization_id,
        stage.mode,
        stage.arrived_via,
        func.coalesce(stage.utm_campaign, ""),
    ).where(not_(stage.is_bot), stage.visitor_hash.is_not(None))
    insert = dialect_insert(session.get_bind().dialect)
    columns = ["day", "visitor_hash", "organization_id", "mode", "arrived_via", "campaign"]
    session.execute(
        insert(RollupVisitor).from_select(columns, seen.distinct()).on_conflict_do_nothing()
    )


def _add_into(session: Session, model, keys: list[str], sums: tuple[str, ...], query) -> None:
    """Insert ``query``'s rows into ``model``'s table, adding ``sums`` to a row already there."""
    table = model.__table__
    statement = dialect_insert(session.get_bind().dialect)(table).from_select([*keys, *sums], query)
    added = {name: table.c[name] + statement.excluded[name] for name in sums}
    session.execute(statement.on_conflict_do_update(index_elements=keys, set_=added))


def refresh_statistics(session: Session) -> None:
    """Tell the query planner what the roll-ups hold now that days were rebuilt.

    A report reads one recipient's rows through ``ix_referral_rollup_member`` and everyone's
    through the primary key; which is right depends on how many rows each key holds, which the
    planner only knows from statistics. Tables it has none for (created empty by a migration,
    filled by the first catch-up) are planned blind: SQLite then took the member index to save
    a sort and read every row of a span (the channel view's member table: 1.25 s at 1,000,000
    referrals instead of 15 ms), and PostgreSQL, until autovacuum's next turn, expected one row
    per key. SQLite samples at most ``analysis_limit`` rows per index, as its documentation
    advises for periodic runs.
    """
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA analysis_limit = 1000")
    for table in (ReferralRollup.__tablename__, SourceRollup.__tablename__):
        connection.exec_driver_sql(f"ANALYZE {table}")


def attribute_donations(session: Session) -> int:
    """Copy each new donation's referral channel and campaign onto it; returns how many.

    A referral never changes, so the copy stays right; the staff ledger filtered by channel or
    campaign then reads donations alone, and looks the referral up only for those not yet
    copied. Reads first, and takes the write lock only when there is something to copy.
    """
    waiting = and_(Donation.referral_id.is_not(None), Donation.referral_channel.is_(None))
    found = session.scalar(select(Donation.id).where(waiting).limit(1))
    session.rollback()
    if found is None:
        return 0

    def of_referral(column):
        return select(column).where(Referral.id == Donation.referral_id).scalar_subquery()

    with writing(session):
        result = session.execute(
            update(Donation)
            .where(waiting)
            .values(
                referral_channel=of_referral(_as_text(Referral.arrived_via)),
                referral_campaign=of_referral(Referral.utm_campaign),
            )
            .execution_options(synchronize_session=False)
        )
    return result.rowcount


@dataclass(frozen=True)
class Coverage:
    """Which days the roll-ups answer for, in one snapshot: every reader and the catch-up ask it.

    A day is unsettled when the roll-ups have not counted all of it as a closed day: it comes
    after the last closed day, or rows newer than the mark arrived for it (``late``). A pruned
    day never is: its roll-ups are all that is left (a row replayed for it later is not counted).
    An unsettled day is read from its raw rows, except the open day, which is read from its
    roll-ups plus its rows after ``open.referral_id`` (its tail).
    """

    mark: Mark
    pruned_through: date
    late: frozenset[date]
    open: Mark = Mark()

    def unsettled(self, day: date) -> bool:
        """Whether ``day`` is not (or no longer) fully counted as a closed day."""
        if day <= self.pruned_through:
            return False
        closed = self.mark.closed_through
        return closed is None or day > closed or day in self.late

    def raw(self, day: date) -> bool:
        """Whether ``day``'s numbers must come from all of its raw rows."""
        return self.unsettled(day) and day != self.open_day

    @property
    def open_day(self) -> date | None:
        """The day rolled up only through ``open.referral_id``, if it is still unsettled."""
        day, closed = self.open.closed_through, self.mark.closed_through
        if day is None or (closed is not None and day <= closed):
            return None
        return day


def coverage(session: Session, *, top: int | None = None, mark: Mark | None = None) -> Coverage:
    """What the roll-ups hold now, counting rows up to id ``top`` (all when None)."""
    mark = mark or read_mark(session)
    pruned = read_mark(session, PRUNED).closed_through or date.min
    if mark.closed_through is None:  # nothing rolled up yet: every day is raw, none is late
        return Coverage(mark, pruned, frozenset())
    # Few rows are newer than the mark (today's, and any replayed late): the id range finds them.
    newer = Referral.id > mark.referral_id
    if top is not None:
        newer = and_(newer, Referral.id <= top)
    late = session.scalars(select(day_of(Referral.created_at)).where(newer).distinct())
    return Coverage(mark, pruned, frozenset(late), read_mark(session, OPEN))


def pending_days(session: Session, covered: Coverage, *, today: date) -> list[date]:
    """Closed days the roll-ups have not fully counted, which the catch-up rebuilds."""
    today_start, _ = day_range(today, None)
    after = None
    if covered.mark.closed_through is not None:
        after, _ = day_range(covered.mark.closed_through + timedelta(days=1), None)
    unclosed = select(day_of(Referral.created_at)).where(*created_within(after, today_start))
    days = covered.late | set(session.scalars(unclosed.distinct()))
    return sorted(day for day in days if day < today and covered.unsettled(day))


def rebuild_days(session: Session, days: list[date]) -> None:
    """Replace the roll-up rows of ``days``, and of their months, with what the raw rows say.

    The days' raw rows are read once, into a temporary copy of the columns the roll-ups count
    by; the thirteen grouped inserts read that copy. Flushes, never commits.
    """
    start, end = day_range(min(days), max(days))
    rows = and_(*created_within(start, end), day_of(Referral.created_at).in_(days))
    _delete(session, Span.DAY, days)
    with _staged(session, rows) as stage:
        for combo in _COMBOS:
            session.execute(
                insert(ReferralRollup).from_select(
                    [*_KEYS, "humans", "bots", "visitors"],
                    _cube_query(stage, combo, Span.DAY, stage.day, visitors(stage)),
                )
            )
        for kind, level in _SOURCE_PARTS:
            session.execute(
                insert(SourceRollup).from_select(
                    [*_SOURCE_KEYS, "humans", "bots"],
                    _source_query(stage, kind, level, Span.DAY, stage.day),
                )
            )
    months = sorted({day.replace(day=1) for day in days})
    _delete(session, Span.MONTH, months)
    for month in months:
        _month_insert(session, month)


_COMBOS = list(itertools.product((False, True), repeat=3))  # by mode, by arrival, by campaign
# A campaign's own row is its value at the level of every recipient: not kept twice.
_SOURCE_PARTS = [
    (kind, level)
    for kind in SOURCES
    for level in SOURCE_LEVELS
    if not (level == "campaign" and kind == "campaign")
]


# The raw rows' columns the roll-ups count by, copied once per rebuild.
_STAGE = Table(
    "rollup_stage",
    MetaData(),
    Column("day", Date),
    Column("organization_id", Integer),
    Column("mode", String(20)),
    Column("arrived_via", String(20)),
    Column("utm_campaign", String(100)),
    Column("referrer_host", String(255)),
    Column("is_bot", Boolean),
    Column("visitor_hash", String(32)),
    prefixes=["TEMPORARY"],
)


@contextmanager
def _staged(session: Session, rows) -> Iterator:
    """The referrals ``rows`` selects, read once into a temporary table; its columns."""
    connection = session.connection()
    _STAGE.drop(connection, checkfirst=True)  # left by a catch-up that failed on this connection
    _STAGE.create(connection)
    copied = select(
        day_of(Referral.created_at),
        Referral.organization_id,
        _as_text(Referral.mode),
        _as_text(Referral.arrived_via),
        Referral.utm_campaign,
        Referral.referrer_host,
        Referral.is_bot,
        Referral.visitor_hash,
    ).where(rows)
    session.execute(insert(_STAGE).from_select([c.name for c in _STAGE.columns], copied))
    try:
        yield _STAGE.c
    finally:
        _STAGE.drop(connection)


def tagged(campaign):
    """Referrals that count under ``campaign`` as a roll-up key (``ANY`` is taken: never one)."""
    return and_(campaign.is_not(None), campaign != ANY)


def _delete(session: Session, span: Span, days: list[date]) -> None:
    session.execute(
        delete(ReferralRollup).where(ReferralRollup.span == span, ReferralRollup.day.in_(days))
    )
    session.execute(
        delete(SourceRollup).where(
            SourceRollup.span == span, SourceRollup.kind.in_(SOURCES), SourceRollup.day.in_(days)
        )
    )


def _cube_query(rows, combo, span: Span, period, counted):
    """The cube rows of ``rows`` for one combination of keys kept apart (``_COMBOS``), dated
    ``period``, with ``counted`` as the visitors measure."""
    by_mode, by_arrival, by_campaign = combo
    mode = rows.mode if by_mode else literal(ANY, String)
    arrived = rows.arrived_via if by_arrival else literal(ANY, String)
    campaign = rows.utm_campaign if by_campaign else literal(ANY, String)
    groups = [rows.day, rows.organization_id]
    groups += [rows.mode] if by_mode else []
    groups += [rows.arrived_via] if by_arrival else []
    groups += [rows.utm_campaign] if by_campaign else []
    query = select(
        literal(span.value, String),
        mode,
        arrived,
        campaign,
        period,
        rows.organization_id,
        humans(rows),
        bots(rows),
        counted,
    ).where(tagged(rows.utm_campaign) if by_campaign else true())
    return query.group_by(*groups)


_KEYS = ["span", "mode_key", "arrived_key", "campaign_key", "day", "organization_id"]
_SOURCE_KEYS = [
    "span",
    "kind",
    "organization_id",
    "campaign_key",
    "day",
    "value",
    "mode",
    "arrived_via",
]


def _source_query(rows, kind: str, level: str, span: Span, period):
    value = func.coalesce(getattr(rows, SOURCES[kind].key), "")
    recipient = rows.organization_id if level == "member" else literal(EVERY_RECIPIENT)
    campaign = rows.utm_campaign if level == "campaign" else literal(ANY, String)
    groups = [rows.day, value, rows.mode, rows.arrived_via]
    groups += [rows.organization_id] if level == "member" else []
    groups += [rows.utm_campaign] if level == "campaign" else []
    query = select(
        literal(span.value, String),
        literal(kind, String),
        recipient,
        campaign,
        period,
        value,
        rows.mode,
        rows.arrived_via,
        humans(rows),
        bots(rows),
    ).where(tagged(rows.utm_campaign) if level == "campaign" else true())
    return query.group_by(*groups)


def _month_insert(session: Session, month: date) -> None:
    """A month's rows: the sums of its day rows (visitor counts are per day, so they add up)."""
    for table, keys, sums in (
        (ReferralRollup, _KEYS, ("humans", "bots", "visitors")),
        (SourceRollup, _SOURCE_KEYS, ("humans", "bots")),
    ):
        grouped = [getattr(table, key) for key in keys if key not in ("span", "day")]
        columns = {key: getattr(table, key) for key in keys}
        columns |= {"span": literal(Span.MONTH.value, String), "day": literal(month, Date)}
        query = (
            select(*(columns[key] for key in keys), *(func.sum(getattr(table, n)) for n in sums))
            .where(table.span == Span.DAY.value, table.day.between(month, month_end(month)))
            .group_by(*grouped)
        )
        session.execute(insert(table).from_select([*keys, *sums], query))


def _as_text(column):
    return type_coerce(column, String)


def _settled_top_id(session: Session) -> int | None:
    """The highest referral id below which every insert has committed; None if not known now.

    On SQLite writers take turns, so ids commit in order. PostgreSQL hands out ids before
    commit: a SHARE lock waits out the inserts already running, so none below the id read under
    it is still to come. The wait is capped well under a donor's patience, and the lock is let
    go as soon as the id is read.
    """
    highest = select(func.coalesce(func.max(Referral.id), 0))
    if session.get_bind().dialect.name != "postgresql":
        top = session.scalar(highest)
        session.rollback()
        return top
    try:
        connection = session.connection()
        connection.exec_driver_sql("SET LOCAL lock_timeout = '200ms'")
        connection.exec_driver_sql("LOCK TABLE referral IN SHARE MODE")
        top = session.scalar(highest)
        session.commit()
    except OperationalError:
        session.rollback()
        return None
    return top


def lock_mark(session: Session, name: str = MARK) -> Mark:
    """The mark ``name``, locked until the transaction ends (made at zero when missing).

    Catch-ups and prunes take turns through it. Call inside ``writing``.
    """
    insert_ignore(session, RollupMark, {"name": name, "referral_id": 0, "updated_at": utcnow()})
    row = session.execute(
        select(RollupMark.referral_id, RollupMark.closed_through)
        .where(RollupMark.name == name)
        .with_for_update()
    ).one()
    return Mark(*row)


def set_mark(session: Session, name: str, *, referral_id: int, closed_through: date) -> None:
    """Move the mark ``name`` (locked by ``lock_mark`` in this transaction)."""
    session.execute(
        update(RollupMark)
        .where(RollupMark.name == name)
        .values(referral_id=referral_id, closed_through=closed_through, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def _chunks(days: Iterable[date]) -> Iterable[list[date]]:
    chunk: list[date] = []
    for day in days:
        if chunk and (day - chunk[0]).days >= CHUNK_DAYS:
            yield chunk
            chunk = []
        chunk.append(day)
    if chunk:
        yield chunk
