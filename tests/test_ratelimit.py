"""Rate-limit counters: keyed under the day's visitor salt, gone once their window is over."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from portal.db.writing import writing
from portal.models import RateCounter
from portal.ratelimit import hit, visitor_key
from portal.referrals.visitors import SaltKeeper
from tests.helpers.traces import kept_keys, traced

DAY = date(2026, 3, 1)
WINDOW = 600
VISITOR = "203.0.113.77"
NETWORK = "203.0.113.0/24"


def at(day: date, hour: int = 12) -> float:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC).timestamp()


def checkout(session, salts: SaltKeeper, address: str, day: date, hour: int = 12) -> bool:
    with writing(session):
        key = visitor_key(salts.salt_for(session, day), "checkout", address)
        return hit(session, key, limit=2, window_seconds=WINDOW, now=at(day, hour))


def counters(session) -> list[tuple[str, int]]:
    session.rollback()
    return list(session.execute(select(RateCounter.key, RateCounter.hits)))


def test_a_visitor_is_held_to_the_limit_within_a_window(db_session):
    salts = SaltKeeper()

    answers = [checkout(db_session, salts, VISITOR, DAY) for _ in range(3)]

    assert answers == [True, True, False]


def test_a_finished_windows_counters_are_deleted_at_the_next_hit_of_the_scope(db_session):
    salts = SaltKeeper()
    for address in (VISITOR, "203.0.113.78"):
        checkout(db_session, salts, address, DAY, hour=12)

    checkout(db_session, salts, "198.51.100.1", DAY, hour=13)

    [(key, hits)] = counters(db_session)
    assert key == visitor_key(salts.salt_for(db_session, DAY), "checkout", "198.51.100.1")
    assert hits == 1


def test_a_counter_leads_back_to_its_address_for_two_days_at_most(app, db_session):
    salts = SaltKeeper()
    checkout(db_session, salts, VISITOR, DAY)
    assert traced(db_session, kept_keys(db_session, app.secret_key), NETWORK) == {VISITOR}
    assert traced(db_session, [app.secret_key], NETWORK) == set()

    checkout(db_session, salts, "198.51.100.1", DAY + timedelta(days=2))

    assert traced(db_session, kept_keys(db_session, app.secret_key), NETWORK) == set()
