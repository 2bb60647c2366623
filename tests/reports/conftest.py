"""Report fixtures: a varied dataset of referrals and gifts, to count again in Python.

Rows written one at a time come from ``tests.helpers.reports``, shared with the browser tests.

The data set and its roll-ups are written by the portal's own code once per test process; later
tests on SQLite get the same rows copied in (``_Replay``), which is what most of the reports'
set-up time was: rolling up 40 days again for every test."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from portal.db.base import Base
from portal.db.writing import writing
from portal.models import ArrivedVia, Donation, DonationStatus, HandoffMode, Organization
from portal.reports import rollup
from tests.helpers.reports import TODAY, at


@dataclass
class Dataset:
    """What a test wrote, to count again independently of the portal's queries."""

    orgs: list
    referrals: list[dict] = field(default_factory=list)
    donations: list[Donation] = field(default_factory=list)


Tables = dict[str, list[dict]]


def _contents(session: Session, names=None) -> Tables:
    """Every row of the named tables (all of them by default), in primary-key order."""
    tables = [t for t in Base.metadata.sorted_tables if names is None or t.name in names]
    return {
        t.name: [
            dict(row) for row in session.execute(select(t).order_by(*t.primary_key)).mappings()
        ]
        for t in tables
    }


@dataclass
class _Replay:
    """The tables the data set changed, as they were before and after it was written, and the
    ids the ``Dataset`` refers to. Copying ``after`` in is the same as writing the data set again
    only when those tables are exactly as ``before``; otherwise the test writes it itself."""

    before: Tables
    after: Tables
    referrals: list[dict]
    org_ids: list[int]
    donation_ids: list[int]

    @classmethod
    def of(cls, before: Tables, session: Session, data: Dataset) -> _Replay:
        after = _contents(session)
        session.rollback()  # no read transaction left open, as after writing it
        changed = {name for name, rows in after.items() if rows != before[name]}
        return cls(
            before={name: before[name] for name in changed},
            after={name: after[name] for name in changed},
            referrals=data.referrals,
            org_ids=[org.id for org in data.orgs],
            donation_ids=[donation.id for donation in data.donations],
        )

    def apply(self, session: Session) -> Dataset | None:
        """The data set copied into ``session``'s database, or None when it cannot be."""
        if _contents(session, self.before) != self.before:
            session.rollback()
            return None
        tables = [t for t in Base.metadata.sorted_tables if t.name in self.after]
        with writing(session):
            for table in reversed(tables):
                session.execute(delete(table))
            for table in tables:
                if self.after[table.name]:
                    session.execute(insert(table), self.after[table.name])
            # As the catch-up left them: the planner's statistics of the roll-ups.
            rollup.refresh_statistics(session)
        data = Dataset(
            orgs=[session.get(Organization, id_) for id_ in self.org_ids],
            referrals=[dict(row) for row in self.referrals],
            donations=[session.get(Donation, id_) for id_ in self.donation_ids],
        )
        session.rollback()  # no read transaction left open, as after writing it
        return data


@pytest.fixture(scope="session")
def varied_replays() -> dict[str, _Replay]:
    """The data set's replay for SQLite, once a test of this process has written it."""
    return {}


@pytest.fixture
def varied(
    make_org, add_referrals, add_donation, db_session, report_clock, varied_replays
) -> Dataset:
    """Three members and the coalition, 40 days of mixed traffic and gifts ending today."""
    # PostgreSQL's sequences would not follow ids copied in: there it is always written.
    sqlite = db_session.get_bind().dialect.name == "sqlite"
    replay = varied_replays.get("sqlite") if sqlite else None
    if replay is not None and (data := replay.apply(db_session)) is not None:
        return data
    before = _contents(db_session) if sqlite else {}
    data = _write_varied(make_org, add_referrals, add_donation, db_session)
    if sqlite:
        varied_replays["sqlite"] = _Replay.of(before, db_session, data)
    return data


def _write_varied(make_org, add_referrals, add_donation, db_session) -> Dataset:
    rnd = random.Random(20250615)
    orgs = [
        make_org("roots", name="Roots", created_at=at(TODAY - timedelta(days=400))),
        make_org(
            "parents-circle",
            name="Parents Circle",
            handoff_mode=HandoffMode.STRIPE,
            created_at=at(TODAY - timedelta(days=400)),
        ),
        make_org(
            "combatants", name="Combatants for Peace", created_at=at(TODAY - timedelta(days=400))
        ),
    ]
    data = Dataset(orgs)
    for _ in range(260):
        org = rnd.choice(orgs)
        day = TODAY - timedelta(days=rnd.randint(0, 40))
        when = at(day, rnd.randint(0, 23), rnd.randint(0, 59), rnd.randint(0, 59))
        data.referrals += add_referrals(
            org,
            when,
            arrived_via=rnd.choice(list(ArrivedVia)),
            utm_campaign=rnd.choice([None, None, "spring-appeal", "newsletter-may"]),
            referrer_host=rnd.choice([None, "news.example", "social.example"]),
            is_bot=rnd.random() < 0.25,
            # Few distinct visitors, so that the same one comes back the same day and later.
            visitor_hash=f"visitor-{rnd.randint(1, 12)}",
            commit=False,
        )
    for _ in range(40):
        day = TODAY - timedelta(days=rnd.randint(0, 40))
        data.donations.append(
            add_donation(
                orgs[1],
                at(day, rnd.randint(0, 23)),
                amount=rnd.choice([2500, 5000, 18000]),
                currency=rnd.choice(["USD", "EUR", "ILS"]),
                status=rnd.choice(list(DonationStatus)),
                renewal=rnd.random() < 0.2,
                dedication="In memory of Grandmother Leah",
                share_email=True,
                donor_email="donor@private.example",
                commit=False,
            )
        )
    db_session.commit()  # one transaction for the whole data set, as fast as one row
    # As in steady use: every finished day already rolled up, today still read from raw rows.
    rollup.catch_up(db_session, today=TODAY)
    return data
