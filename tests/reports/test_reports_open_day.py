"""The day in progress is rolled up as it goes, and the reports add the rows after its mark:
whatever rows were rolled up and whichever came after, and whether the open day closed at
midnight in between, every number equals a plain count of the raw rows."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from portal.models import (
    ArrivedVia,
    HandoffMode,
    Organization,
    Referral,
    ReferralRollup,
    RollupMark,
    RollupVisitor,
    SourceRollup,
)
from portal.reports import facts, lifetime, queries, rollup
from portal.reports.scope import Scope
from tests.helpers.reports import TODAY, at, count_by_member

SINCE = TODAY - timedelta(days=3)

ROWS = st.lists(
    st.fixed_dictionaries(
        {
            "org": st.integers(0, 2),
            "back": st.sampled_from([0, 0, 0, 1, 3]),  # mostly today; some late for past days
            "arrived_via": st.sampled_from(list(ArrivedVia)),
            "utm_campaign": st.sampled_from([None, "spring", "gala"]),
            "is_bot": st.sampled_from([False, False, False, True]),
            "visitor": st.integers(1, 4),  # few visitors: the same one comes back
        }
    ),
    min_size=1,
    max_size=24,
)


def _start_empty(db_session) -> None:
    for table in (ReferralRollup, SourceRollup, RollupMark, RollupVisitor, Referral):
        db_session.execute(delete(table))
    db_session.commit()


def _members(db_session, make_org) -> list:
    """The three members, made by the first example and kept for the others."""
    found = {org.slug: org for org in db_session.scalars(select(Organization))}
    wanted = {"roots": {}, "parents-circle": {"handoff_mode": HandoffMode.STRIPE}, "combatants": {}}
    return [found.get(slug) or make_org(slug, **fields) for slug, fields in wanted.items()]


def _by_member(db_session, scope) -> dict[int, tuple]:
    lines = queries.referrals_by_member(db_session, facts.plan(db_session, scope))
    return {
        line.recipient.id: (
            line.humans,
            line.bots,
            line.visitors,
            line.portal,
            line.link,
            line.embed,
        )
        for line in lines
        if line.humans or line.bots
    }


def _by_day(db_session, scope) -> dict:
    lines = queries.referrals_by_day(db_session, facts.plan(db_session, scope))
    return {
        line.day: (line.humans, line.bots, line.visitors)
        for line in lines
        if line.humans or line.bots
    }


def _counted_by_day(written, **filters) -> dict:
    days = {}
    for back in range(4):
        day = TODAY - timedelta(days=back)
        counts = count_by_member(written, day, day, **filters).values()
        if counts:
            days[day] = tuple(sum(c[i] for c in counts) for i in range(3))
    return days


def _campaigns(db_session, scope) -> dict:
    lines = queries.top_sources(db_session, facts.plan(db_session, scope), "campaign")
    return {line.value: (line.humans, line.bots) for line in lines}


def _counted_campaigns(written) -> dict:
    people = Counter(r["utm_campaign"] or "" for r in written if not r["is_bot"])
    bots = Counter(r["utm_campaign"] or "" for r in written if r["is_bot"])
    return {value: (people[value], bots[value]) for value in people | bots}


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    rows=ROWS,
    runs=st.dictionaries(st.integers(0, 24), st.sampled_from([False, False, True]), max_size=4),
)
def test_any_split_between_roll_ups_and_raw_rows_gives_the_raw_counts(
    db_session, make_org, add_referrals, rows, runs
):
    orgs = _members(db_session, make_org)
    _start_empty(db_session)
    written: list[dict] = []
    clock = TODAY - timedelta(days=1)
    for n, row in enumerate(rows):
        if n in runs:  # the timer runs between these hand-offs, yesterday or (from then) today
            clock = TODAY if runs[n] or clock == TODAY else clock
            rollup.catch_up(db_session, today=clock)
        when = at(TODAY - timedelta(days=row["back"]), 0, n)
        written += add_referrals(
            orgs[row["org"]],
            when,
            arrived_via=row["arrived_via"],
            utm_campaign=row["utm_campaign"],
            is_bot=row["is_bot"],
            visitor_hash=f"visitor-{row['visitor']}",
        )

    scope = Scope(SINCE, TODAY)
    assert _by_member(db_session, scope) == count_by_member(written, SINCE, TODAY)
    assert _by_day(db_session, scope) == _counted_by_day(written)
    assert _campaigns(db_session, scope) == _counted_campaigns(written)
    for filters, narrowed in (
        ({"arrived_via": ArrivedVia.LINK}, Scope(SINCE, TODAY, arrived_via=ArrivedVia.LINK)),
        ({"mode": HandoffMode.STRIPE}, Scope(SINCE, TODAY, mode=HandoffMode.STRIPE)),
        ({"utm_campaign": "spring"}, Scope(SINCE, TODAY, campaign="spring")),
        ({"organization_id": orgs[0].id}, Scope(SINCE, TODAY, member=orgs[0])),
    ):
        assert _by_member(db_session, narrowed) == count_by_member(written, SINCE, TODAY, **filters)
        assert _by_day(db_session, narrowed) == _counted_by_day(written, **filters)
    people = Counter(
        (r["organization_id"], r["utm_campaign"] or "", str(r["arrived_via"]))
        for r in written
        if r["mode"] == HandoffMode.EXTERNAL and not r["is_bot"]
    )
    assert lifetime.people_by_campaign(db_session, HandoffMode.EXTERNAL) == dict(people)
