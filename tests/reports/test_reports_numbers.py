"""The staff report's referral numbers equal counts made here from the same raw rows."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest

from portal.models import ArrivedVia, HandoffMode, StaffRole
from tests.helpers.pages import text_of
from tests.helpers.reports import (
    TODAY,
    at,
    count_by_member,
    csv_table,
    number,
    page_table,
    shown_day,
)

SINCE = TODAY - timedelta(days=29)


@pytest.fixture
def viewer(login_as):
    return login_as(StaffRole.VIEWER)


def members_on_page(response, orgs) -> dict[int, tuple]:
    by_slug = {org.slug: org.id for org in orgs}
    return {
        by_slug[slug]: tuple(number(cell) for cell in cells)
        for slug, _name, *cells in page_table(response, "members")
        if any(number(cell) for cell in cells)
    }


@pytest.mark.usefixtures("viewer")
def test_members_table_counts_people_bots_visitors_and_channels(client, varied):
    response = client.get("/staff/reports/")

    assert response.status_code == 200
    assert members_on_page(response, varied.orgs) == count_by_member(varied.referrals, SINCE, TODAY)


@pytest.mark.usefixtures("viewer", "varied")
def test_page_says_how_unique_visitors_are_counted(client):
    text = text_of(client.get("/staff/reports/"))

    assert "distinct hashes are counted for each recipient and each UTC day, then added up" in text


@pytest.mark.usefixtures("viewer")
def test_daily_table_counts_each_day(client, varied):
    response = client.get("/staff/reports/")

    rows = page_table(response, "daily")
    expected = {}
    for offset in range(30):
        day = SINCE + timedelta(days=offset)
        counts = count_by_member(varied.referrals, day, day).values()
        expected[shown_day(day)] = tuple(sum(c[i] for c in counts) for i in range(3))
    assert {day: tuple(number(c) for c in cells) for day, *cells in rows} == expected


@pytest.mark.parametrize(
    ("query", "filters"),
    [
        ("mode=stripe", {"mode": HandoffMode.STRIPE}),
        ("mode=external", {"mode": HandoffMode.EXTERNAL}),
        ("arrived=link", {"arrived_via": ArrivedVia.LINK}),
        ("arrived=portal", {"arrived_via": ArrivedVia.PORTAL}),
        ("campaign=spring-appeal", {"utm_campaign": "spring-appeal"}),
        (
            "arrived=portal&campaign=newsletter-may&mode=external",
            {
                "arrived_via": ArrivedVia.PORTAL,
                "utm_campaign": "newsletter-may",
                "mode": HandoffMode.EXTERNAL,
            },
        ),
    ],
)
@pytest.mark.usefixtures("viewer")
def test_filters_narrow_every_number(client, varied, query, filters):
    since = TODAY - timedelta(days=40)

    response = client.get(f"/staff/reports/?since={since}&until={TODAY}&{query}")

    assert members_on_page(response, varied.orgs) == count_by_member(
        varied.referrals, since, TODAY, **filters
    )


@pytest.mark.usefixtures("viewer")
def test_member_filter_shows_that_member_alone(client, varied):
    member = varied.orgs[2]

    response = client.get(f"/staff/reports/?member={member.slug}&since={SINCE}")

    rows = page_table(response, "members")
    assert [row[0] for row in rows] == [member.slug]
    expected = count_by_member(varied.referrals, SINCE, TODAY, organization_id=member.id)
    assert members_on_page(response, varied.orgs) == expected


@pytest.mark.parametrize(
    ("table", "column"), [("campaigns", "utm_campaign"), ("hosts", "referrer_host")]
)
@pytest.mark.usefixtures("viewer")
def test_top_sources_count_people_and_bots(client, varied, table, column):
    rows = page_table(client.get("/staff/reports/"), table)

    people, bots = Counter(), Counter()
    for row in varied.referrals:
        if SINCE <= row["created_at"].date() <= TODAY:
            (bots if row["is_bot"] else people)[row[column]] += 1
    expected = {key: (people[key], bots[key]) for key in people | bots}
    shown = {name: (number(h), number(b)) for name, h, b in rows}
    assert shown == {
        (key or ("(no campaign tag)" if table == "campaigns" else "(none)")): value
        for key, value in expected.items()
    }


@pytest.mark.parametrize("table", ["members", "daily", "campaigns", "hosts", "funnel", "amounts"])
@pytest.mark.usefixtures("viewer", "varied")
def test_each_csv_has_the_rows_of_its_table(client, table):
    query = f"since={TODAY - timedelta(days=40)}&until={TODAY}&mode=stripe"

    page = page_table(client.get(f"/staff/reports/?{query}"), table)
    header, rows = csv_table(client.get(f"/staff/reports/?{query}&format=csv&table={table}"))

    assert len(rows) == len(page) > 0
    assert len(header) == len(page[0])
    for shown, written in zip(page, rows, strict=True):
        for shown_cell, cell in zip(shown, written, strict=True):
            assert same_value(shown_cell, cell), (shown, written)


def same_value(shown: str, written: str) -> bool:
    """A CSV cell holds the plain value of what the page shows (labels and symbols aside)."""
    plain = shown.replace(",", "")
    if written.isdigit():
        return plain == written
    if written.replace(".", "", 1).isdigit():
        return written in plain  # "$1250.00" on the page, "1250.00" in the file
    return True


@pytest.mark.usefixtures("viewer", "varied")
def test_csv_link_on_the_page_repeats_the_filters(client):
    html = client.get(f"/staff/reports/?since={SINCE}&until={TODAY}&mode=stripe").get_data(
        as_text=True
    )

    assert (
        f"/staff/reports/?format=csv&amp;table=members&amp;since={SINCE}&amp;until={TODAY}"
        "&amp;mode=stripe"
    ) in html


@pytest.mark.usefixtures("viewer", "report_clock")
def test_the_last_day_is_included_to_its_last_microsecond(client, make_org, add_referrals):
    org = make_org("roots")
    first, last = TODAY - timedelta(days=3), TODAY - timedelta(days=1)
    add_referrals(org, at(first, 0, 0, 0), visitor_hash="starts-the-range")
    add_referrals(org, at(last, 23, 59, 59, 999999), visitor_hash="ends-the-range")
    add_referrals(org, at(first - timedelta(days=1), 23, 59, 59, 999999), visitor_hash="before")
    add_referrals(org, at(last + timedelta(days=1), 0, 0, 0), visitor_hash="after")

    response = client.get(f"/staff/reports/?since={first}&until={last}")

    assert members_on_page(response, [org]) == {org.id: (2, 0, 2, 2, 0, 0)}
    days = {day: number(people) for day, people, *_ in page_table(response, "daily")}
    assert days == {
        shown_day(first): 1,
        shown_day(first + timedelta(days=1)): 0,
        shown_day(last): 1,
    }


@pytest.mark.usefixtures("viewer", "report_clock")
def test_a_visitor_is_counted_once_a_day_and_again_the_next_day(client, make_org, add_referrals):
    org = make_org("roots")
    yesterday = TODAY - timedelta(days=1)
    add_referrals(org, at(yesterday, 9), n=3, visitor_hash="same-person")
    add_referrals(org, at(yesterday, 10), visitor_hash="same-person", arrived_via=ArrivedVia.LINK)
    add_referrals(org, at(TODAY, 8), visitor_hash="same-person")
    add_referrals(org, at(TODAY, 8), n=2, visitor_hash="a-crawler", is_bot=True)

    response = client.get("/staff/reports/")

    assert members_on_page(response, [org]) == {org.id: (5, 2, 2, 4, 1, 0)}


@pytest.mark.usefixtures("viewer", "report_clock")
def test_a_late_referral_for_a_finished_day_is_counted(client, make_org, add_referrals):
    org = make_org("roots")
    week_ago = TODAY - timedelta(days=7)
    add_referrals(org, at(week_ago, 9), visitor_hash="first")
    assert members_on_page(client.get("/staff/reports/"), [org]) == {org.id: (1, 0, 1, 1, 0, 0)}

    # A hand-off spooled during an outage arrives later, dated when it happened.
    add_referrals(org, at(week_ago, 10), visitor_hash="replayed")

    assert members_on_page(client.get("/staff/reports/"), [org]) == {org.id: (2, 0, 2, 2, 0, 0)}


@pytest.mark.usefixtures("viewer")
def test_referrals_of_the_coming_midnight_are_counted_the_next_day(
    client, make_org, add_referrals, report_clock
):
    org = make_org("roots")
    add_referrals(org, at(TODAY, 23, 59), visitor_hash="late-evening")
    client.get("/staff/reports/")

    report_clock.advance(days=1)
    add_referrals(org, at(TODAY + timedelta(days=1), 0, 1), visitor_hash="after-midnight")
    response = client.get("/staff/reports/")

    assert members_on_page(response, [org]) == {org.id: (2, 0, 2, 2, 0, 0)}


@pytest.mark.usefixtures("viewer", "report_clock")
def test_listed_recipients_without_referrals_show_zeros(client, make_org):
    make_org("roots", name="Roots")

    rows = page_table(client.get("/staff/reports/"), "members")

    assert rows == [["roots", "Roots", "0", "0", "0", "0", "0", "0"]]


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("since=2025-02-30", "From", "Not a valid date value"),
        ("until=yesterday", "Until", "Not a valid date value"),
        ("since=2025-06-10&until=2025-06-01", "Until", "must not end before it starts"),
        ("since=2020-01-01&until=2025-06-01", "Until", "at most three years"),
        (
            "member=nobody-by-that-name",
            "Recipient",
            "No recipient has the slug “nobody-by-that-name”",
        ),
        ("mode=carrier-pigeon", "Hand-off mode", "Not a valid choice"),
        ("arrived=teleport", "Arrived through", "Not a valid choice"),
        ("campaign=" + "x" * 101, "Campaign", "100"),
        ("format=xlsx", "Format", "Not a valid choice"),
        ("format=csv&table=everything", "Table", "Choose one of: members, daily"),
    ],
)
@pytest.mark.usefixtures("viewer", "report_clock")
def test_bad_filters_get_a_clear_400(client, query, field, message):
    response = client.get(f"/staff/reports/?{query}")

    assert response.status_code == 400
    text = text_of(response)
    assert f"{field}: " in text or f"{field} : " in text
    assert message in text


@pytest.mark.usefixtures("viewer", "report_clock")
def test_bad_fairness_range_gets_a_clear_400(client):
    response = client.get("/staff/reports/fairness?since=2025-06-10&until=2025-06-01")

    assert response.status_code == 400
    assert "must not end before it starts" in text_of(response)
