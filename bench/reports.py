"""`make bench`: the staff report's queries over a year of traffic, at 1M and 5M referrals.

Run as ``.venv/bin/python -m bench.reports [--sizes 1000000 5000000] [--repeat 7]``.
Each size gets a fresh SQLite file built by the portal's own migrations; rows go in through
``sqlite3`` in large transactions, shaped like real traffic (170 members, bots, campaigns,
referring sites, returning visitors, today's rows still open). The roll-ups then catch up once,
and the report is timed through the same functions the page calls. Exits non-zero only when the
run itself is broken; a missed target is printed as MISSED.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from bench.harness import print_load_after, print_machine, verdict
from portal import create_app, dispose
from portal.db.session import database
from portal.models import Referral
from portal.reports import queries, rollup, staff_tables
from portal.reports.scope import Scope
from portal.schema import upgrade

TARGET_MS = 300.0
MEMBERS = 170
DONATIONS = 50_000
CAMPAIGNS = [f"campaign-{n:02d}" for n in range(20)]
HOSTS = [f"site-{n:02d}.example" for n in range(60)]
BATCH = 200_000
STAMP = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy keeps a DateTime in SQLite


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 5_000_000])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    print_machine(
        f"SQLite, {', '.join(f'{size:,}' for size in args.sizes)} referrals, "
        f"median of {args.repeat} timed runs after one warm-up"
    )
    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-reports-") as folder:
        for size in args.sizes:
            results[size] = run(Path(folder) / f"reports-{size}.db", size, args.repeat)
    return report(results)


def run(path: Path, size: int, repeat: int) -> float:
    today = datetime.now(UTC).date()
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE_URL": f"sqlite:///{path}"})
    with app.app_context():
        upgrade(database().engine)
    started = time.perf_counter()
    load(path, size, today)
    seconds, megabytes = time.perf_counter() - started, path.stat().st_size / 1e6
    print(f"\n{size:,} referrals, {DONATIONS:,} donations:", end=" ")
    print(f"loaded in {seconds:.0f} s ({megabytes:.0f} MB)")
    with app.test_request_context(), database().sessions() as session:
        started = time.perf_counter()
        days = rollup.catch_up(session, today=today)
        print(
            f"  roll-up catch-up, first time: {days} days in {time.perf_counter() - started:.1f} s"
        )
        scope = Scope(today - timedelta(days=364), today)
        timings = time_report(session, scope, today, repeat)
        check(session, scope)
        for label, extra in (
            (
                "the busiest member (roll-ups, its own raw rows for sources)",
                {"member": _busiest(session)},
            ),
            ("one campaign (raw rows: campaigns are not rolled up)", {"campaign": CAMPAIGNS[0]}),
        ):
            narrowed = Scope(scope.since, scope.until, **extra)
            ms = _median_ms(
                lambda s=narrowed: staff_tables.staff_report(_fresh(session), s), repeat
            )
            print(f"  report for {label}: {ms:.0f} ms")
        ms = _median_ms(
            lambda: staff_tables.fairness_table(_fresh(session), scope, page_size=12),
            max(3, repeat // 2),
        )
        print(f"  fairness page, one year (170 members replayed daily): {ms:.0f} ms")
    dispose(app)
    path.unlink()
    return timings


def time_report(session, scope: Scope, today: date, repeat: int) -> float:
    """The page's queries as the view runs them: catch-up check, member list, every table."""

    def page() -> None:
        _fresh(session)
        rollup.catch_up(session, today=today)
        queries.recipients(session)
        staff_tables.staff_report(session, scope)

    total = _median_ms(page, repeat)
    fastest, slowest = min(SAMPLES[-1]), max(SAMPLES[-1])
    steps = {
        "catch-up check": lambda: rollup.catch_up(_fresh(session), today=today),
        "all tables": lambda: staff_tables.staff_report(_fresh(session), scope),
    }
    for label, step in steps.items():
        print(f"  {label}: {_median_ms(step, repeat):.1f} ms")
    print(
        f"  report, one year, no filter: {total:.0f} ms"
        f" (median of {repeat}; fastest {fastest:.0f}, slowest {slowest:.0f})"
    )
    return total


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


def load(path: Path, size: int, today: date) -> None:
    rnd = random.Random(size)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")
    db.execute("PRAGMA cache_size=-400000")
    orgs = _organizations(db, rnd)
    weights = [rnd.paretovariate(1.5) for _ in orgs]
    per_day = size // 365
    rows_left, number = size, 0
    buffer: list[tuple] = []
    for back in range(364, -1, -1):
        day = today - timedelta(days=back)
        count = (
            rows_left
            if back == 0
            else min(per_day + rnd.randint(-per_day // 5, per_day // 5), rows_left)
        )
        rows_left -= count
        seconds = sorted(rnd.randrange(86_400 if back else 43_200) for _ in range(count))
        picked = rnd.choices(orgs, weights=weights, k=count)
        start = datetime.combine(day, datetime.min.time())
        for second, (org_id, mode) in zip(seconds, picked, strict=True):
            number += 1
            buffer.append(
                _referral(
                    rnd,
                    number,
                    start + timedelta(seconds=second, microseconds=number % 1_000_000),
                    org_id,
                    mode,
                )
            )
            if len(buffer) >= BATCH:
                _insert(db, buffer)
                buffer = []
    _insert(db, buffer)
    _donations(db, rnd, orgs, today)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.execute("ANALYZE")
    db.close()


def _organizations(db, rnd) -> list[tuple[int, str]]:
    now = datetime(2020, 1, 1).strftime(STAMP)
    rows = []
    for n in range(MEMBERS + 1):
        mode = "stripe" if n % 3 == 0 else "external"
        kind = "coalition" if n == 0 else "member"
        slug = "allmep" if n == 0 else f"member-{n:03d}"
        rows.append((slug, slug.title(), kind, "", "", "", "", mode, "active", "", 0, now, now))
    db.execute("BEGIN")
    db.executemany(
        "INSERT INTO organization (slug, name, kind, short_description, long_description, region,"
        " country, handoff_mode, status, receipt_note, is_demo, created_at, updated_at)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        rows,
    )
    db.execute("COMMIT")
    return [
        (org_id, mode) for org_id, mode in db.execute("SELECT id, handoff_mode FROM organization")
    ]


def _referral(rnd, number: int, when: datetime, org_id: int, mode: str) -> tuple:
    bot = rnd.random() < 0.2
    return (
        f"{number:016x}",
        when.strftime(STAMP),
        org_id,
        mode,
        "checkout_started" if mode == "stripe" else "redirected",
        "portal" if rnd.random() < 0.55 else "link",
        rnd.choice(CAMPAIGNS) if rnd.random() < 0.3 else None,
        rnd.choice(HOSTS) if rnd.random() < 0.5 else None,
        bot,
        "crawler: bench" if bot else None,
        f"{rnd.getrandbits(20):032x}",  # a small pool per day: visitors come back
        "https://member.example.org/donate",
    )


def _insert(db, rows: list[tuple]) -> None:
    db.execute("BEGIN")
    db.executemany(
        "INSERT INTO referral (ref, created_at, organization_id, mode, status, arrived_via,"
        " utm_campaign, referrer_host, is_bot, bot_reason, visitor_hash, destination_url)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        rows,
    )
    db.execute("COMMIT")


def _donations(db, rnd, orgs, today: date) -> None:
    stripe = [org_id for org_id, mode in orgs if mode == "stripe"]
    statuses = ["paid"] * 12 + ["open", "processing", "expired", "expired", "failed", "refunded"]
    rows = []
    for n in range(DONATIONS):
        when = datetime.combine(today - timedelta(days=rnd.randrange(365)), datetime.min.time())
        stamp = (when + timedelta(seconds=rnd.randrange(86_400))).strftime(STAMP)
        renewal = rnd.random() < 0.15
        rows.append(
            (
                rnd.choice(stripe),
                rnd.choice([2500, 5000, 10000, 18000]),
                0,
                rnd.choice(["USD", "USD", "EUR", "GBP", "ILS"]),
                "monthly" if renewal or rnd.random() < 0.3 else "one_time",
                rnd.choice(statuses),
                0,
                None if renewal else f"cs_bench_{n}",
                f"in_bench_{n}" if renewal else None,
                stamp,
                stamp,
            )
        )
    db.execute("BEGIN")
    db.executemany(
        "INSERT INTO donation (organization_id, amount, fee_cover, currency, frequency, status,"
        " share_email, stripe_checkout_session_id, stripe_invoice_id, created_at, updated_at)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        rows,
    )
    db.execute("COMMIT")


def report(results: dict[int, float]) -> int:
    print("\nsummary (report page queries, one-year range)")
    base = results.get(min(results))
    for size, ms in results.items():
        target = TARGET_MS if size == min(results) else 2 * base
        limit = (
            f"target {target:.0f} ms"
            if size == min(results)
            else f"at most 2x the {min(results):,} figure ({target:.0f} ms)"
        )
        print(f"  {size:>10,} referrals: {ms:6.0f} ms  ({limit}: {verdict(ms <= target)})")
    print_load_after()
    return 0


def _busiest(session):
    from portal.models import Organization

    busiest = (
        select(Referral.organization_id)
        .group_by(Referral.organization_id)
        .order_by(func.count().desc())
        .limit(1)
    )
    return session.get(Organization, session.scalar(busiest))


def _fresh(session):
    session.rollback()
    return session


def _median_ms(step, repeat: int) -> float:
    step()  # warm the caches once, as a page that has been opened before
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        step()
        samples.append((time.perf_counter() - started) * 1000)
    SAMPLES.append(samples)
    return statistics.median(samples)


SAMPLES: list[list[float]] = []


if __name__ == "__main__":
    sys.exit(main())
