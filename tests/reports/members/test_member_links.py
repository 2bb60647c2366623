"""Member report links: one member's own numbers, private, expiring, and withdrawn on request."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy import select

from portal.models import AuditEntry, DonationStatus, HandoffMode
from portal.reports.members.service import SALT
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
from tests.helpers.staff import fresh

PRIVATE = {
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex, nofollow",
}


def test_link_opens_the_members_own_numbers(outsider, issue_link, varied):
    member = varied.orgs[1]
    since = TODAY - timedelta(days=40)

    response = outsider.get(issue_link(member) + f"?since={since}&by=day")

    assert response.status_code == 200
    rows = page_table(response, "referrals")
    totals = count_by_member(varied.referrals, since, TODAY)[member.id]
    assert tuple(sum(number(row[i]) for row in rows) for i in range(1, 7)) == totals
    for day, *cells in rows:
        on = count_by_member(varied.referrals, *(2 * [_day(day)])).get(member.id, (0,) * 6)
        assert tuple(number(cell) for cell in cells) == on


def test_months_add_up_the_days(outsider, issue_link, varied):
    path = issue_link(varied.orgs[1])
    since = TODAY - timedelta(days=40)

    by_day = page_table(outsider.get(f"{path}?since={since}&by=day"), "referrals")
    by_month = page_table(outsider.get(f"{path}?since={since}&by=month"), "referrals")

    months = defaultdict(lambda: [0] * 6)
    for day, *cells in by_day:
        for i, cell in enumerate(cells):
            months[day[:7]][i] += number(cell)
    assert {month: [number(c) for c in cells] for month, *cells in by_month} == dict(months)


def test_gifts_are_counted_per_currency(outsider, issue_link, varied):
    path = issue_link(varied.orgs[1])
    since = TODAY - timedelta(days=40)

    _header, rows = csv_table(outsider.get(f"{path}?since={since}&format=csv&table=gift_totals"))

    expected = defaultdict(lambda: [0, 0, 0, 0])
    for gift in varied.donations:
        if gift.status in (DonationStatus.PAID, DonationStatus.REFUNDED):
            at_ = 0 if gift.status == DonationStatus.PAID else 2
            expected[gift.currency][at_] += 1
            expected[gift.currency][at_ + 1] += gift.amount
    assert {
        currency: [int(paid), round(float(amount) * 100), int(back), round(float(back_sum) * 100)]
        for currency, paid, amount, back, back_sum in rows
    } == dict(expected)


def test_shows_nothing_about_other_members_or_donors(outsider, issue_link, varied):
    member, others = varied.orgs[1], [varied.orgs[0], varied.orgs[2]]
    path = issue_link(member)
    since = TODAY - timedelta(days=40)

    responses = [outsider.get(f"{path}?since={since}&by=day")] + [
        outsider.get(f"{path}?since={since}&format=csv&table={table}")
        for table in ("referrals", "gifts", "gift_totals")
    ]

    for response in responses:
        text = response.get_data(as_text=True)
        assert response.status_code == 200
        for other in others:
            assert other.name not in text and other.slug not in text
        assert "donor@private.example" not in text
        assert "Grandmother Leah" not in text
        assert "visitor-" not in text
        assert "cs_test_" not in text and "in_test_" not in text


@pytest.mark.usefixtures("report_clock")
def test_page_and_csv_are_private(outsider, issue_link, make_org):
    path = issue_link(make_org("roots"))

    for response in (outsider.get(path), outsider.get(f"{path}?format=csv&table=referrals")):
        assert response.status_code == 200
        for name, value in PRIVATE.items():
            assert response.headers[name] == value


def test_csv_has_the_rows_of_the_table(outsider, issue_link, varied):
    path = issue_link(varied.orgs[1])
    since = TODAY - timedelta(days=40)

    page = page_table(outsider.get(f"{path}?since={since}&by=day"), "referrals")
    header, rows = csv_table(
        outsider.get(f"{path}?since={since}&by=day&format=csv&table=referrals")
    )

    assert header == [
        "period",
        "humans",
        "bots",
        "unique_visitors",
        "portal_clicks",
        "shared_link_visits",
        "embed_clicks",
    ]
    assert rows == [[cell.replace(",", "") for cell in row] for row in page]


def test_link_stops_working_after_its_last_day(outsider, issue_link, make_org, report_clock):
    path = issue_link(make_org("roots"), expires=TODAY + timedelta(days=1))

    report_clock.advance(days=1)
    last_day = outsider.get(path)
    report_clock.advance(days=1)
    after = outsider.get(path)

    assert last_day.status_code == 200
    assert after.status_code == 410
    assert f"This report link expired on {shown_day(TODAY + timedelta(days=1))}" in text_of(after)
    for name, value in PRIVATE.items():
        assert after.headers[name] == value


@pytest.mark.usefixtures("report_clock")
def test_withdrawing_stops_earlier_links_only(
    outsider, issue_link, post_form, make_org, audit_entries
):
    org = make_org("roots")
    earlier = issue_link(org)

    withdrawn = post_form(f"/staff/reports/links/{org.id}/withdraw", page="/staff/reports/links")
    later = issue_link(org)

    assert withdrawn.status_code == 303
    assert outsider.get(earlier).status_code == 410
    assert "has been withdrawn" in text_of(outsider.get(earlier))
    assert outsider.get(later).status_code == 200
    logged = [(e.subject_label, e.field, e.before, e.after) for e in audit_entries()]
    assert logged == [
        ("roots", "report_link", None, f"until {TODAY + timedelta(days=30)}, key 1"),
        ("roots", "report_key", "1", "2"),
        ("roots", "report_link", None, f"until {TODAY + timedelta(days=30)}, key 2"),
    ]


@pytest.mark.usefixtures("report_clock")
def test_the_link_itself_is_never_stored(client, issue_link, make_org, db_session):
    path = issue_link(make_org("roots"))
    token = path.rsplit("/", 1)[1]

    fresh(db_session)
    logged = " ".join(f"{e.before} {e.after}" for e in db_session.scalars(select(AuditEntry)))

    assert token not in logged
    assert token not in client.get("/staff/reports/links").get_data(as_text=True)


@pytest.mark.parametrize(
    "mangle",
    [
        lambda token: token[:-3] + ("abc" if not token.endswith("abc") else "xyz"),
        lambda token: "x" + token,
        lambda token: "not-a-token",
        lambda token: "a" * 500,
    ],
)
@pytest.mark.usefixtures("report_clock")
def test_a_tampered_link_is_not_found(outsider, issue_link, make_org, mangle):
    path = issue_link(make_org("roots"))
    base, token = path.rsplit("/", 1)

    response = outsider.get(f"{base}/{mangle(token)}")

    assert response.status_code == 404
    assert "This report link does not work" in text_of(response)
    assert response.headers["Referrer-Policy"] == "no-referrer"


@pytest.mark.usefixtures("report_clock")
def test_a_link_signed_with_another_secret_is_not_found(outsider, make_org):
    org = make_org("roots")
    forged = URLSafeSerializer("guessed-secret", salt=SALT).dumps(
        {"m": org.id, "v": 1, "x": "2099-01-01"}
    )

    assert outsider.get(f"/reports/member/{forged}").status_code == 404


@pytest.mark.parametrize(
    ("expires", "message"),
    [
        (TODAY - timedelta(days=1), "Choose today or a later day"),
        (TODAY + timedelta(days=400), "A link works for at most a year"),
    ],
)
@pytest.mark.usefixtures("admin", "report_clock")
def test_expiry_must_be_within_a_year(post_form, make_org, expires, message):
    org = make_org("roots")

    response = post_form(
        "/staff/reports/links",
        {"member": str(org.id), "expires": expires.isoformat()},
        page="/staff/reports/links",
    )

    assert response.status_code == 400
    assert message in text_of(response)


@pytest.mark.usefixtures("report_clock")
def test_bad_member_report_range_is_a_400(outsider, issue_link, make_org):
    path = issue_link(make_org("roots"))

    response = outsider.get(f"{path}?since=2025-06-10&until=2025-06-01")

    assert response.status_code == 400
    assert "must not end before it starts" in text_of(response)


def _day(text: str) -> date:
    return date.fromisoformat(text)


@pytest.mark.usefixtures("report_clock")
def test_the_member_sees_refunds_against_its_gifts(outsider, issue_link, make_org, add_donation):
    org = make_org("roots", handoff_mode=HandoffMode.STRIPE)
    add_donation(org, at(TODAY), amount=7725, currency="EUR", amount_refunded=1525)
    add_donation(org, at(TODAY), amount=5000, currency="EUR", amount_refunded=5000,
                 status=DonationStatus.REFUNDED)  # fmt: skip

    _header, rows = csv_table(outsider.get(f"{issue_link(org)}?format=csv&table=gift_totals"))

    # One gift still paid (partly refunded), one refunded in full: 65.25 of 127.25 went back.
    assert rows == [["EUR", "1", "77.25", "1", "65.25"]]
