"""Daily roll-ups: closed days only, rebuilt when late rows arrive, exact either way."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import delete, func, select

from portal.models import ReferralRollup, RollupMark, Span
from portal.reports import facts, queries, rollup
from portal.reports.scope import Scope
from portal.state import portal_state
from tests.helpers.reports import TODAY, at, count_by_member
from tests.helpers.statements import statements_sent


def totals(session, scope) -> dict[int, tuple]:
    lines = queries.referrals_by_member(session, facts.plan(session, scope))
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


def test_catch_up_closes_past_days_once_and_rolls_today_up_to_its_mark(
    db_session, make_org, add_referrals
):
    org = make_org("roots")
    for back in range(5):
        rows = add_referrals(org, at(TODAY - timedelta(days=back)))

    first = rollup.catch_up(db_session, today=TODAY)
    second = rollup.catch_up(db_session, today=TODAY)

    assert (first, second) == (4, 0)
    closed = db_session.get(RollupMark, rollup.MARK)
    assert closed.closed_through == TODAY - timedelta(days=1)
    opened = db_session.get(RollupMark, rollup.OPEN)
    assert (opened.closed_through, opened.referral_id) == (TODAY, rows[-1]["id"])
    rolled_days = db_session.scalars(
        select(ReferralRollup.day).where(ReferralRollup.span == Span.DAY).distinct()
    ).all()
    assert sorted(rolled_days) == [TODAY - timedelta(days=back) for back in range(4, -1, -1)]


def test_roll_ups_and_raw_rows_give_the_same_numbers(db_session, varied):
    scope = Scope(TODAY - timedelta(days=40), TODAY)
    rolled = totals(db_session, scope)
    db_session.execute(delete(RollupMark))
    db_session.commit()
    raw = totals(db_session, scope)

    assert raw == rolled == count_by_member(varied.referrals, scope.since, scope.until)


def test_a_late_row_sends_its_day_back_to_the_raw_rows(db_session, make_org, add_referrals):
    org = make_org("roots")
    day = TODAY - timedelta(days=3)
    add_referrals(org, at(day), visitor_hash="early")
    rollup.catch_up(db_session, today=TODAY)

    add_referrals(org, at(day, 18), visitor_hash="replayed")
    scope = Scope(TODAY - timedelta(days=5), TODAY)

    assert day in facts.plan(db_session, scope).unsettled
    assert totals(db_session, scope) == {org.id: (2, 0, 2, 2, 0, 0)}
    assert rollup.catch_up(db_session, today=TODAY) == 1
    assert facts.plan(db_session, scope).unsettled == ()  # today: its roll-ups and their tail
    rolled = select(func.sum(ReferralRollup.humans)).where(
        ReferralRollup.mode_key == "*", ReferralRollup.arrived_key == "*"
    )
    assert db_session.scalar(rolled.where(ReferralRollup.span == Span.DAY)) == 2
    assert db_session.scalar(rolled.where(ReferralRollup.span == Span.MONTH)) == 2


def test_command_line_catch_up(runner, make_org, add_referrals):
    add_referrals(make_org("roots"), at(TODAY - timedelta(days=400)))

    result = runner.invoke(args=["rollup-referrals"])

    assert result.exit_code == 0, result.output
    assert result.output == "1 day(s) rolled up.\n"


def test_catch_up_reads_each_raw_row_once(app, db_session, make_org, add_referrals):
    orgs = [make_org("roots"), make_org("parents-circle")]
    for back in range(1, 22):  # three weeks of closed days: three chunks
        for org in orgs:
            add_referrals(org, at(TODAY - timedelta(days=back)), n=2, utm_campaign="spring")
    reads_rows = re.compile(r"\bFROM referral\b(?!_)")

    with statements_sent(portal_state(app).database.engine) as sent:
        days = rollup.catch_up(db_session, today=TODAY)

    rebuilds = [s for s in sent if s.lstrip().upper().startswith("INSERT") and reads_rows.search(s)]
    assert days == 21
    # One copy of each week's rows, and one of today's: the roll-ups are made from the copies.
    assert len(rebuilds) == 4
    assert totals(db_session, Scope(TODAY - timedelta(days=21), TODAY - timedelta(days=1))) == {
        org.id: (42, 0, 42, 42, 0, 0) for org in orgs
    }


def test_the_open_day_closes_at_midnight_with_its_later_rows_alone(
    app, db_session, make_org, add_referrals
):
    org = make_org("roots")
    yesterday = TODAY - timedelta(days=1)
    for visitor in ("a", "b"):
        add_referrals(org, at(yesterday, 9), visitor_hash=visitor)
    rollup.catch_up(db_session, today=yesterday)  # the timer's last run of the day
    for hour, visitor in ((20, "a"), (21, "c")):  # a returns; c is new
        add_referrals(org, at(yesterday, hour), visitor_hash=visitor)

    with statements_sent(portal_state(app).database.engine) as sent:
        closed = rollup.catch_up(db_session, today=TODAY)

    assert closed == 1
    assert not [s for s in sent if "date(referral.created_at) IN" in s]  # no day rebuilt whole
    scope = Scope(yesterday, yesterday)
    assert facts.plan(db_session, scope).unsettled == ()
    assert totals(db_session, scope) == {org.id: (4, 0, 3, 4, 0, 0)}


def test_a_catch_up_with_an_earlier_clock_leaves_the_open_day_alone(
    db_session, make_org, add_referrals
):
    org = make_org("roots")
    for back, visitor in ((1, "a"), (0, "a"), (0, "b")):
        add_referrals(org, at(TODAY - timedelta(days=back)), visitor_hash=visitor)
    rollup.catch_up(db_session, today=TODAY)
    add_referrals(org, at(TODAY, 15), visitor_hash="b")

    rollup.catch_up(db_session, today=TODAY - timedelta(days=1))  # a clock behind the others

    assert db_session.get(RollupMark, rollup.OPEN).closed_through == TODAY
    assert totals(db_session, Scope(TODAY, TODAY)) == {org.id: (3, 0, 2, 3, 0, 0)}
