"""Retention: pruning folds old referrals into the roll-ups, and no report changes a number."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import event, func, select

from portal.models import ArrivedVia, HandoffMode, Referral, StaffRole, utcnow
from portal.reports import facts, lifetime, queries, retention, rollup
from portal.reports.scope import Scope
from portal.state import portal_state
from tests.helpers.reports import TODAY, at, csv_table, number, page_table

BEFORE = TODAY - timedelta(days=12)
STAFF_TABLES = ("members", "daily", "campaigns", "hosts", "funnel", "amounts")
FILTERS = (
    "",
    "member=roots",
    "member=parents-circle&arrived=link",
    "campaign=spring-appeal",
    "campaign=newsletter-may&mode=external",
    "arrived=portal",
    "arrived=embed&mode=stripe",
)


def staff_views(client, since: date) -> dict[str, object]:
    """Every table of the staff report, as page and as CSV, for each filter."""
    seen = {}
    for filters in FILTERS:
        query = f"since={since}&until={TODAY}&{filters}"
        page = client.get(f"/staff/reports/?{query}")
        assert page.status_code == 200
        for table in STAFF_TABLES:
            seen[f"{filters} {table}"] = page_table(page, table)
            csv = client.get(f"/staff/reports/?{query}&format=csv&table={table}")
            seen[f"{filters} {table}.csv"] = csv_table(csv)
    return seen


def raw_days(session) -> set[date]:
    return {when.date() for when in session.scalars(select(Referral.created_at))}


@pytest.mark.parametrize("since", [TODAY - timedelta(days=40), BEFORE - timedelta(days=3)])
def test_pruning_changes_no_staff_report(client, login_as, db_session, varied, since):
    login_as(StaffRole.VIEWER)
    before = staff_views(client, since)

    pruned = retention.prune(db_session, before=BEFORE, today=TODAY)

    assert pruned.before == BEFORE
    assert pruned.deleted > 0
    assert min(raw_days(db_session)) == BEFORE
    assert staff_views(client, since) == before


def test_sources_of_one_member_or_one_campaign_come_from_the_roll_ups(db_session, varied, login_as):
    since = TODAY - timedelta(days=40)
    member, campaign = varied.orgs[0], "spring-appeal"
    retention.prune(db_session, before=TODAY, today=TODAY)  # nothing raw left before today

    for scope, keep in (
        (Scope(since, TODAY, member=member), lambda row: row["organization_id"] == member.id),
        (Scope(since, TODAY, campaign=campaign), lambda row: row["utm_campaign"] == campaign),
    ):
        sources = facts.plan(db_session, scope)
        for kind, column in (("campaign", "utm_campaign"), ("host", "referrer_host")):
            shown = _source_counts(db_session, sources, kind)
            assert shown == _counted(varied.referrals, since, keep, column), (scope, kind)


def _source_counts(session, sources, kind) -> dict[str, tuple[int, int]]:
    return {
        line.value: (line.humans, line.bots) for line in queries.top_sources(session, sources, kind)
    }


def _counted(rows, since, keep, column) -> dict[str, tuple[int, int]]:
    people, bots = Counter(), Counter()
    for row in rows:
        if since <= row["created_at"].date() <= TODAY and keep(row):
            (bots if row["is_bot"] else people)[row[column] or ""] += 1
    return {key: (people[key], bots[key]) for key in people | bots}


def test_a_pruned_day_is_never_rebuilt(db_session, make_org, add_referrals):
    org = make_org("roots")
    day = TODAY - timedelta(days=30)
    add_referrals(org, at(day), n=3)
    retention.prune(db_session, before=TODAY - timedelta(days=7), today=TODAY)

    add_referrals(org, at(day, 18), visitor_hash="replayed-after-the-fold")
    rollup.catch_up(db_session, today=TODAY)

    scope = Scope(day, day, member=org)
    [line] = _members(db_session, scope)
    assert (line.humans, line.visitors) == (3, 3)
    again = retention.prune(db_session, before=TODAY - timedelta(days=7), today=TODAY)
    assert (again.deleted, again.kept) == (0, 1)


def _members(session, scope):
    return queries.referrals_by_member(session, facts.plan(session, scope))


def test_referrals_a_gift_points_to_are_kept(db_session, make_org, add_referrals, add_donation):
    org = make_org("roots")
    [given, _] = add_referrals(org, at(TODAY - timedelta(days=30)), n=2)
    add_donation(org, at(TODAY - timedelta(days=30)), referral_id=given["id"])

    pruned = retention.prune(db_session, before=TODAY, today=TODAY)

    assert (pruned.deleted, pruned.kept) == (1, 1)
    assert db_session.scalars(select(Referral.id)).all() == [given["id"]]


def test_nothing_is_pruned_before_it_is_rolled_up(db_session, make_org, add_referrals):
    add_referrals(make_org("roots"), at(TODAY))  # today is never closed, only open

    pruned = retention.prune(db_session, before=TODAY + timedelta(days=5), today=TODAY)

    assert pruned == retention.Pruned(TODAY)  # the first day kept: today
    assert db_session.scalar(select(func.count(Referral.id))) == 1


def test_command_prunes_what_is_older_than_thirteen_months(
    runner, db_session, make_org, add_referrals
):
    org, today = make_org("roots"), utcnow().date()
    add_referrals(org, at(today - timedelta(days=420)), n=2)
    kept = add_referrals(org, at(today - timedelta(days=380)))

    result = runner.invoke(args=["prune-referrals", "--older-than", "13m"])

    assert result.exit_code == 0, result.output
    assert result.output.startswith("2 referral(s) from before ")
    assert db_session.scalars(select(Referral.id)).all() == [kept[0]["id"]]


def test_command_refuses_an_age_it_cannot_read(runner):
    result = runner.invoke(args=["prune-referrals", "--older-than", "a year"])

    assert result.exit_code == 2
    assert "give months or days, such as 13m or 400d" in result.output


@pytest.mark.parametrize(
    ("today", "older_than", "first_kept"),
    [
        (date(2026, 11, 30), "13m", date(2025, 10, 30)),
        (date(2026, 3, 31), "1m", date(2026, 2, 28)),
        (date(2026, 1, 15), "12m", date(2025, 1, 15)),
        (date(2026, 1, 15), "400d", date(2024, 12, 11)),
    ],
)
def test_horizon_counts_calendar_months_or_days(today, older_than, first_kept):
    assert retention.horizon(today, older_than) == first_kept


def test_report_pages_never_write(app, client, login_as, make_org, add_referrals, report_clock):
    org = make_org("roots")
    for back in range(1, 20):
        add_referrals(org, at(TODAY - timedelta(days=back)), arrived_via=ArrivedVia.LINK)
    login_as(StaffRole.VIEWER)
    written = []

    def note(conn, cursor, statement, parameters, context, executemany):
        verb = statement.lstrip().split()[0].upper()
        if verb in ("INSERT", "UPDATE", "DELETE") and (
            "rollup" in statement or "referral " in statement
        ):
            written.append(statement)

    engine = portal_state(app).database.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        for path in ("/staff/reports/", "/staff/reports/fairness", "/staff/reports/?member=roots"):
            assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", note)

    assert written == []
    assert number(page_table(client.get("/staff/reports/"), "members")[0][2]) == 19


def test_counts_since_the_start_agree_raw_rolled_and_with_a_late_row(
    db_session, make_org, add_referrals
):
    org = make_org("roots")
    for back, campaign in ((40, "spring"), (40, None), (3, "spring"), (0, None), (2, "*")):
        add_referrals(org, at(TODAY - timedelta(days=back)), utm_campaign=campaign)
    add_referrals(org, at(TODAY - timedelta(days=3)), is_bot=True)
    raw = lifetime.people_by_campaign(db_session, HandoffMode.EXTERNAL)
    rollup.catch_up(db_session, today=TODAY)
    rolled = lifetime.people_by_campaign(db_session, HandoffMode.EXTERNAL)
    add_referrals(org, at(TODAY - timedelta(days=3), 20), utm_campaign="spring")

    late = lifetime.people_by_campaign(db_session, HandoffMode.EXTERNAL, org.id)

    assert raw == rolled == {(org.id, "spring", "portal"): 2, (org.id, "", "portal"): 3}
    assert late == {(org.id, "spring", "portal"): 3, (org.id, "", "portal"): 3}
