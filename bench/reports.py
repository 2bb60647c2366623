"""`make bench`: every staff report view over a year of traffic, on SQLite or PostgreSQL.

Run as ``.venv/bin/python -m bench.reports [--sizes 1000000 5000000] [--repeat 7]``; add
``--database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench`` for PostgreSQL (one database
per size is made beside it, named ``<name>_<size>``) and ``--keep DIR`` to keep the SQLite files
between runs; ``--today N`` puts N of each size's rows in today so far (a campaign day: ``--sizes
1000000 --today 300000``), ``--tail N`` adds N in the five minutes after the roll-up catch-up
(read raw until its next run). A database already holding the size's rows is reused: building 20
million rows takes a while. Rows go in set-based (one INSERT … SELECT over a generated series),
shaped like real traffic: 171 recipients, a few much busier than the rest, bots, campaigns,
referring sites, returning visitors, today's rows still open. The roll-ups then catch up, and each
view is timed through the functions its page calls: the whole dashboard, one member, one campaign,
one channel, and a member's report link page. Exits non-zero only when the run itself is broken (a
report that disagrees with the raw rows); a missed target is printed as MISSED.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from bench.harness import load_average, print_load_after, print_machine, verdict
from portal import create_app, dispose
from portal.campaigns.views import member_section
from portal.db.session import database
from portal.db.writing import writing
from portal.models import (
    ANY,
    ArrivedVia,
    HandoffMode,
    Organization,
    Referral,
    ReferralRollup,
)
from portal.reports import queries, rollup, staff_tables
from portal.reports.members.report import member_report
from portal.reports.scope import Scope
from portal.schema import upgrade

TARGET_MS = 300.0
MEMBERS = 170
DONATIONS = 50_000
CAMPAIGN = "campaign-00"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 5_000_000])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--database-url", help="a PostgreSQL URL; SQLite files when left out")
    parser.add_argument("--keep", type=Path, help="keep (and reuse) the SQLite files here")
    parser.add_argument(
        "--today", type=int, default=0, help="rows of each size that arrive today (campaign day)"
    )
    parser.add_argument(
        "--tail", type=int, default=0, help="rows that arrive after the catch-up, read raw"
    )
    args = parser.parse_args()
    backend = "PostgreSQL" if args.database_url else "SQLite"
    probe = print_machine(
        f"{backend}, {', '.join(f'{size:,}' for size in args.sizes)} referrals"
        f"{f' ({args.today:,} of them today)' if args.today else ''}, "
        f"median of {args.repeat} timed runs after one warm-up"
    )
    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-reports-") as folder:
        for size in args.sizes:
            url = _url(args, Path(folder), size)
            results[size] = run(url, size, args.repeat, args.today, args.tail)
            if args.keep is None and url.startswith("sqlite"):
                Path(make_url(url).database).unlink()
    code = report(results)
    print_load_after(probe)
    return code


def _url(args, folder: Path, size: int) -> str:
    if args.database_url:
        url = make_url(args.database_url)
        name = f"{url.database}_{size}" + (f"_today{args.today}" if args.today else "")
        admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            found = connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
            )
            if not found:
                connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        admin.dispose()
        return url.set(database=name).render_as_string(hide_password=False)
    place = args.keep or folder
    place.mkdir(parents=True, exist_ok=True)
    shape = f"-today{args.today}" if args.today else ""
    return f"sqlite:///{place / f'reports-{size}{shape}.db'}"


def run(url: str, size: int, repeat: int, today_rows: int = 0, tail: int = 0) -> dict[str, float]:
    today = datetime.now(UTC).date()
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE_URL": url})
    backend = make_url(url).get_backend_name()
    with app.app_context():
        engine = database().engine
        upgrade(engine)
        print(f"\n{backend}, {size:,} referrals, {DONATIONS:,} donations:")
        with engine.connect() as connection:
            stored = connection.scalar(select(func.count()).select_from(Referral))
        # Reused when it holds about the size's rows (an older loader dropped a few).
        if stored < size * 0.99:
            started = time.perf_counter()
            load(engine, size, today, today_rows)
            print(f"  loaded in {time.perf_counter() - started:.0f} s; {_load()}")
        else:
            print(f"  reusing the {stored:,} rows already loaded")
        _attribute_donations(engine)
    with app.test_request_context(), database().sessions() as session:
        started = time.perf_counter()
        days = rollup.catch_up(session, today=today)
        seconds = time.perf_counter() - started
        print(f"  roll-up catch-up: {days} days in {seconds:.1f} s; {_load()}")
        if not days:  # a database the catch-up filled before it refreshed statistics
            with writing(session):
                rollup.refresh_statistics(session)
        _vacuum_without_autovacuum(engine)
        if tail:
            _arrive_after_catch_up(engine, size, tail)
            print(f"  {tail:,} more rows arrived today after the catch-up; {_load()}")
        year = Scope(today - timedelta(days=364), today)
        check(session, year)
        busiest = _busiest(session, None)
        external = _busiest(session, HandoffMode.EXTERNAL)
        views = {
            "whole dashboard": _staff(year),
            f"one member ({busiest.slug}, the busiest)": _staff(_narrowed(year, member=busiest)),
            f"one campaign ({CAMPAIGN})": _staff(_narrowed(year, campaign=CAMPAIGN)),
            "one channel (shared links)": _staff(_narrowed(year, arrived_via=ArrivedVia.LINK)),
            f"member report link page ({busiest.slug}, 12 months)": _member(year, busiest),
            f"member report link page ({external.slug}, 12 months, external: with its funnel)": (
                _member(year, external)
            ),
        }
        timings = {}
        server = _server_cpu(make_url(url)) if backend == "postgresql" else None
        for label, view in views.items():
            ms, spread = _median_ms(lambda v=view: v(_fresh(session)), repeat, server)
            timings[label] = ms
            print(f"  {label}: {ms:.0f} ms (median of {repeat}; {spread}); {_load()}")
    dispose(app)
    return timings


def _staff(scope: Scope):
    def view(session) -> None:
        queries.recipients(session)
        staff_tables.staff_report(session, scope)

    return view


def _member(year: Scope, org: Organization):
    scope = Scope(year.since.replace(day=1), year.until, member=org)

    def view(session) -> None:
        member_report(session, scope, "month")
        member_section(session, org)

    return view


def _narrowed(scope: Scope, **filters) -> Scope:
    return Scope(scope.since, scope.until, **filters)


def check(session, scope: Scope) -> None:
    """The report's people count must equal a plain count of the raw rows."""
    report = staff_tables.staff_report(_fresh(session), scope)
    shown = report.tables["members"].totals[2]
    start, end = scope.bounds
    counted = session.scalar(
        select(func.count(Referral.id)).where(
            Referral.created_at >= start, Referral.created_at < end, Referral.is_bot.is_(False)
        )
    )
    status = "same" if shown == counted else "DIFFERENT"
    print(
        f"  check: report says {shown:,} referrals by people, raw rows say {counted:,} ({status})"
    )
    if shown != counted:
        raise SystemExit(2)


# One row per number of the series: its time spreads the rows evenly over the year up to now, a
# skewed draw picks the recipient (the first few get most of the traffic), the rest is drawn
# independently per row. ``:u`` expressions are uniform draws in [0, 1).
_REFERRALS = """
WITH {series}, draw AS MATERIALIZED (
    SELECT n, {u} AS who, {u} AS arrival, {u} AS campaign, {u} AS host, {u} AS bot FROM s
)
INSERT INTO referral (ref, created_at, organization_id, mode, status, arrived_via, utm_campaign,
                      referrer_host, is_bot, bot_reason, visitor_hash, destination_url)
SELECT {ref}, {created_at}, organization.id, organization.handoff_mode,
       CASE WHEN organization.handoff_mode = 'stripe' THEN 'checkout_started'
            ELSE 'redirected' END,
       CASE WHEN draw.arrival < 0.55 THEN 'portal' WHEN draw.arrival < 0.95 THEN 'link'
            ELSE 'embed' END,
       CASE WHEN draw.campaign < 0.3 THEN {campaign} END,
       CASE WHEN draw.host < 0.5 THEN {host} END,
       draw.bot < 0.2,
       CASE WHEN draw.bot < 0.2 THEN 'crawler: bench' END,
       {visitor},
       'https://member.example.org/donate'
FROM draw
JOIN organization ON organization.id = 1 + {recipient}
"""

_SQL = {
    "postgresql": {
        "series": "s AS (SELECT n FROM generate_series(CAST(:first AS bigint),"
        " CAST(:last AS bigint)) AS n)",
        "u": "random()",
        "recipient": "CAST(floor({members} * draw.who * draw.who) AS INTEGER)",
        "ref": "lpad(to_hex(n), 16, '0')",
        "created_at": "CAST(:start AS timestamp) + n * CAST(:step AS double precision)"
        " * interval '1 microsecond'",
        "campaign": "'campaign-' || lpad(CAST(floor(random() * 20) AS text), 2, '0')",
        "host": "'site-' || lpad(CAST(floor(random() * 60) AS text), 2, '0') || '.example'",
        "visitor": "lpad(to_hex(floor(random() * 1048576)::int), 32, '0')",
    },
    "sqlite": {
        "series": "RECURSIVE s(n) AS (SELECT :first UNION ALL SELECT n + 1 FROM s WHERE n < :last)",
        "u": "((random() & 9007199254740991) / 9007199254740992.0)",
        "recipient": "CAST({members} * draw.who * draw.who AS INTEGER)",  # truncates
        "ref": "printf('%016x', n)",
        "created_at": "strftime('%Y-%m-%d %H:%M:%f', julianday(:start)"
        " + n * :step / 86400000000.0) || '000'",
        "campaign": "printf('campaign-%02d', abs(random()) % 20)",
        "host": "printf('site-%02d.example', abs(random()) % 60)",
        "visitor": "printf('%032x', abs(random()) % 1048576)",
    },
}


def load(engine, size: int, today: date, today_rows: int = 0) -> None:
    """Organizations, ``size`` referrals over the last 365 days (``today_rows`` of them today)
    and the donations, set-based."""
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM referral_rollup"))
        connection.execute(text("DELETE FROM referral_source_rollup"))
        connection.execute(text("DELETE FROM rollup_mark"))
        connection.execute(text("DELETE FROM referral_rollup_visitor"))
        connection.execute(text("DELETE FROM donation"))
        connection.execute(text("DELETE FROM referral"))
        if not connection.scalar(select(func.count()).select_from(Organization)):
            _organizations(connection)
    insert_referrals(engine, size, today, members=MEMBERS, today_rows=today_rows)
    with engine.begin() as connection:
        _donations(connection, today)
        connection.exec_driver_sql("ANALYZE")


def insert_referrals(engine, size: int, today: date, *, members: int, today_rows: int = 0) -> None:
    """``size`` referrals over the last 365 days to organizations 1 … ``members`` + 1 (the
    busiest first), set-based, a million a transaction; ``today_rows`` of them fall today, from
    midnight to now, the rest evenly before (a campaign day), or all evenly when it is 0."""
    start = datetime.combine(today - timedelta(days=364), datetime.min.time())
    midnight = datetime.combine(today, datetime.min.time())
    now = datetime.now(UTC).replace(tzinfo=None)
    if today_rows:
        windows = [
            (1, size - today_rows, start, midnight),
            (size - today_rows + 1, size, midnight, now),
        ]
    else:
        windows = [(1, size, start, now)]
    for lowest, highest, since, until in windows:
        _insert_window(engine, members, lowest, highest, since, until)


def _insert_window(engine, members: int, lowest: int, highest: int, since, until) -> None:
    """Rows ``lowest`` … ``highest`` of the series, spread evenly over ``[since, until)``."""
    sql = _SQL[engine.dialect.name]
    recipient = sql["recipient"].format(members=members + 1)
    statement = text(_REFERRALS.format(**{**sql, "recipient": recipient}))
    # Row n of the window is at ``since + (n - lowest + 1) * step``.
    step = (until - since) / timedelta(microseconds=1) / (highest - lowest + 2)
    origin = since - timedelta(microseconds=(lowest - 1) * step)
    for first in range(lowest, highest + 1, 1_000_000):  # a million a transaction
        with engine.begin() as connection:
            last = min(first + 1_000_000 - 1, highest)
            parameters = {"first": first, "last": last, "step": step}
            connection.execute(statement, {**parameters, "start": origin.isoformat(" ")})
        print(f"  {last:,} rows; {_load()}", flush=True)


def _arrive_after_catch_up(engine, size: int, tail: int) -> None:
    """``tail`` more hand-offs today, in the last five minutes, after the catch-up's run: the
    rows a report reads raw until the timer's next run."""
    now = datetime.now(UTC).replace(tzinfo=None)
    with engine.connect() as connection:
        highest = connection.scalar(text("SELECT max(id) FROM referral"))
    lowest = max(size, highest) + 1
    _insert_window(engine, MEMBERS, lowest, lowest + tail - 1, now - timedelta(minutes=5), now)


def _attribute_donations(engine) -> None:
    """Point each checkout's donation at a referral, as the donation form does, so that a report
    filtered by campaign or channel looks up each gift's referral as it must with real data.
    Spread over the log by the donation's id; done once (databases loaded before had none)."""
    with engine.begin() as connection:
        lowest, highest = connection.execute(text("SELECT min(id), max(id) FROM referral")).one()
        connection.execute(
            text(
                "UPDATE donation SET referral_id = (SELECT min(referral.id) FROM referral"
                " WHERE referral.id >= :lowest + (donation.id * 7919) % :span)"
                " WHERE referral_id IS NULL AND stripe_checkout_session_id IS NOT NULL"
            ),
            {"lowest": lowest, "span": highest - lowest + 1},
        )
        connection.exec_driver_sql("ANALYZE donation")


def _vacuum_without_autovacuum(engine) -> None:
    """On a PostgreSQL server whose autovacuum is off, do what it would have done by now: the
    statistics, and the visibility map that lets a report read an index alone."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect() as connection:
        if connection.exec_driver_sql("SHOW autovacuum").scalar() == "on":
            return
    started = time.perf_counter()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for table in ("referral_rollup", "referral_source_rollup", "donation"):
            connection.exec_driver_sql(f"VACUUM (ANALYZE) {table}")
    seconds = time.perf_counter() - started
    print(f"  autovacuum is off here: vacuumed the roll-ups and donations in {seconds:.0f} s")


def _organizations(connection) -> None:
    now = datetime(2020, 1, 1)
    rows = []
    for n in range(MEMBERS + 1):
        slug = "allmep" if n == 0 else f"member-{n:03d}"
        rows.append(
            {
                "slug": slug,
                "name": slug.title(),
                "kind": "coalition" if n == 0 else "member",
                "mode": "stripe" if n % 3 == 0 else "external",
                "now": now,
            }
        )
    connection.execute(
        text(
            "INSERT INTO organization (slug, name, kind, short_description, long_description,"
            " region, country, handoff_mode, status, receipt_note, is_demo, created_at,"
            " updated_at) VALUES (:slug, :name, :kind, '', '', '', '', :mode, 'active', '',"
            " false, :now, :now)"
        ),
        rows,
    )


def _donations(connection, today: date) -> None:
    rnd = random.Random(DONATIONS)
    connection.execute(text("DELETE FROM donation"))
    stripe = list(
        connection.scalars(text("SELECT id FROM organization WHERE handoff_mode = 'stripe'"))
    )
    statuses = ["paid"] * 12 + ["open", "processing", "expired", "expired", "failed", "refunded"]
    rows = []
    for n in range(DONATIONS):
        when = datetime.combine(today - timedelta(days=rnd.randrange(365)), datetime.min.time())
        stamp = when + timedelta(seconds=rnd.randrange(86_400))
        renewal = rnd.random() < 0.15
        rows.append(
            {
                "org": rnd.choice(stripe),
                "amount": rnd.choice([2500, 5000, 10000, 18000]),
                "currency": rnd.choice(["USD", "USD", "EUR", "GBP", "ILS"]),
                "frequency": "monthly" if renewal or rnd.random() < 0.3 else "one_time",
                "status": rnd.choice(statuses),
                "session": None if renewal else f"cs_bench_{n}",
                "invoice": f"in_bench_{n}" if renewal else None,
                "at": stamp,
            }
        )
    connection.execute(
        text(
            "INSERT INTO donation (organization_id, amount, fee_cover, currency, frequency,"
            " status, share_email, stripe_checkout_session_id, stripe_invoice_id, created_at,"
            " updated_at) VALUES (:org, :amount, 0, :currency, :frequency, :status, false,"
            " :session, :invoice, :at, :at)"
        ),
        rows,
    )


def report(results: dict[int, dict[str, float]]) -> int:
    print(f"\nsummary (median ms per view, one-year range); {_load()}")
    smallest = min(results)
    for size, timings in results.items():
        for label, ms in timings.items():
            if size == smallest:
                target, limit = TARGET_MS, f"target {TARGET_MS:.0f} ms"
            else:
                target = max(TARGET_MS, 2 * results[smallest][label])
                limit = f"at most 2x the {smallest:,} figure or {TARGET_MS:.0f} ms"
            print(f"  {size:>11,}  {ms:6.0f} ms  {label} ({limit}: {verdict(ms <= target)})")
    return 0


def _busiest(session, mode: HandoffMode | None) -> Organization:
    """The member with the most referrals in the roll-ups (the month rows say it quickly)."""
    query = (
        select(ReferralRollup.organization_id)
        .where(
            ReferralRollup.span == "month",
            ReferralRollup.mode_key == (mode.value if mode else ANY),
            ReferralRollup.arrived_key == ANY,
            ReferralRollup.campaign_key == ANY,
        )
        .group_by(ReferralRollup.organization_id)
        .order_by(func.sum(ReferralRollup.humans + ReferralRollup.bots).desc())
        .limit(1)
    )
    return session.get(Organization, session.scalar(query))


def _fresh(session):
    session.rollback()
    return session


def _median_ms(step, repeat: int, server=None) -> tuple[float, str]:
    """Median wall time, and this process's median CPU time: on a shared, loaded machine the
    CPU time (which holds SQLite's own work, not PostgreSQL's) says more than the wall time.
    ``server`` reads the CPU seconds PostgreSQL's backends for the database have used so far."""
    step()  # warm the caches once, as a page that has been opened before
    samples, cpu, served = [], [], []
    for _ in range(repeat):
        before = server() if server else 0.0
        started, used = time.perf_counter(), time.process_time()
        step()
        samples.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - used) * 1000)
        served.append(((server() if server else 0.0) - before) * 1000)
    spread = f"fastest {min(samples):.0f}, slowest {max(samples):.0f}"
    spent = f"CPU here {statistics.median(cpu):.0f} ms"
    if server:
        spent += f", in PostgreSQL {statistics.median(served):.0f} ms"
    return statistics.median(samples), f"{spread}; {spent}"


def _server_cpu(url):
    """CPU seconds used so far by the PostgreSQL backends serving ``url``'s database, from
    /proc (the server runs on this machine in the bench; parallel workers are not counted)."""
    tag, tick = f" {url.database} ", os.sysconf("SC_CLK_TCK")

    def used() -> float:
        total = 0
        for proc in Path("/proc").iterdir():
            try:
                if tag in (proc / "cmdline").read_bytes().decode(errors="replace"):
                    fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
                    total += int(fields[11]) + int(fields[12])  # utime, stime
            except (OSError, IndexError, ValueError):
                continue
        return total / tick

    return used


def _load() -> str:
    return f"load average {load_average()}"


if __name__ == "__main__":
    sys.exit(main())
