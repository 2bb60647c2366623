"""Directory fairness: the page's exposure numbers equal a replay of the rotation made here."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from portal.directory.rotation import rotate
from portal.models import (
    ArrivedVia,
    AuditAction,
    AuditEntry,
    AuditSubject,
    AuditVia,
    OrgStatus,
    StaffRole,
)
from tests.helpers.pages import text_of
from tests.helpers.reports import TODAY, at, csv_table, page_table

SINCE = TODAY - timedelta(days=13)
PAGE_SIZE = 4


@pytest.fixture
def viewer(login_as):
    return login_as(StaffRole.VIEWER)


@pytest.fixture
def directory(app, make_org, make_coalition, db_session, report_clock):
    """Nine members: one joins during the range, one is suspended for a few days of it."""
    app.config["DIRECTORY_PAGE_SIZE"] = PAGE_SIZE
    long_ago = at(TODAY - timedelta(days=400))
    make_coalition(created_at=long_ago)
    members = [make_org(f"member-{n}", created_at=long_ago) for n in range(7)]
    late = make_org("newcomer", created_at=at(SINCE + timedelta(days=5), 10))
    paused = make_org("paused", created_at=long_ago)
    _status_change(
        db_session, paused, OrgStatus.ACTIVE, OrgStatus.SUSPENDED, at(SINCE + timedelta(days=3), 15)
    )
    _status_change(
        db_session, paused, OrgStatus.SUSPENDED, OrgStatus.ACTIVE, at(SINCE + timedelta(days=8), 9)
    )
    return members, late, paused


def _status_change(db_session, org, before, after, when):
    db_session.add(
        AuditEntry(
            created_at=when,
            actor="admin@coalition.example",
            via=AuditVia.FORM,
            subject_kind=AuditSubject.ORGANIZATION,
            subject_id=org.id,
            subject_label=org.slug,
            action=AuditAction.CHANGED,
            field="status",
            before=before.value,
            after=after.value,
        )
    )
    db_session.commit()


def replay(members, late, paused) -> dict[str, list]:
    """Independently: who was listed each day, where the rotation put them."""
    seen = {org.slug: [0, 0, 0.0, 0] for org in [*members, late, paused]}
    for offset in range(14):
        day = SINCE + timedelta(days=offset)
        listed = list(members)
        if offset >= 6:  # added during day 5: listed from the next day
            listed.append(late)
        if not 4 <= offset <= 8:  # suspended on day 3 after 00:00, back on day 8 after 00:00
            listed.append(paused)
        for position, org in enumerate(rotate(listed, day), start=1):
            line = seen[org.slug]
            line[0] += 1
            line[1] += position <= PAGE_SIZE
            line[2] += min(1.0, PAGE_SIZE / len(listed))
            line[3] += position
    return seen


@pytest.mark.usefixtures("viewer")
def test_exposure_matches_a_replay_of_the_rotation(client, directory):
    _header, rows = csv_table(
        client.get(f"/staff/reports/fairness?since={SINCE}&until={TODAY}&format=csv")
    )

    expected = replay(*directory)
    assert {row[0] for row in rows} == set(expected)
    for slug, _name, listed, first, chance, average, _expected_average, _clicks in rows:
        days, on_first, expected_first, positions = expected[slug]
        assert (int(listed), int(first)) == (days, on_first), slug
        assert float(chance) == pytest.approx(expected_first, abs=0.006)
        assert float(average) == pytest.approx(positions / days, abs=0.006)


@pytest.mark.usefixtures("viewer", "directory")
def test_first_page_days_add_up_to_the_page_size_each_day(client):
    _header, rows = csv_table(
        client.get(f"/staff/reports/fairness?since={SINCE}&until={TODAY}&format=csv")
    )

    assert sum(int(row[3]) for row in rows) == PAGE_SIZE * 14


@pytest.mark.usefixtures("viewer")
def test_clicks_are_portal_clicks_by_people(client, directory, add_referrals):
    members, _late, _paused = directory
    add_referrals(members[0], at(TODAY - timedelta(days=1)), n=3)
    add_referrals(members[0], at(TODAY), n=2, arrived_via=ArrivedVia.LINK)
    add_referrals(members[0], at(TODAY), n=4, is_bot=True)
    add_referrals(members[1], at(SINCE - timedelta(days=1)), n=5)

    rows = page_table(client.get(f"/staff/reports/fairness?since={SINCE}"), "fairness")

    clicks = {row[0]: row[-1] for row in rows}
    assert clicks["member-0"] == "3"
    assert clicks["member-1"] == "0"


@pytest.mark.usefixtures("viewer", "directory")
def test_page_states_how_past_listings_are_rebuilt(client):
    text = text_of(client.get("/staff/reports/fairness"))

    assert "Which members were listed on a past day:" in text
    assert "was active at that moment" in text
    assert "audit log" in text
    assert f"the first {PAGE_SIZE} members of the directory’s default listing" in text


@pytest.mark.usefixtures("viewer", "directory")
def test_today_matches_the_directory_first_page(client, report_clock):
    report_clock.now = datetime.now(UTC)
    today = report_clock.now.date()

    _header, rows = csv_table(
        client.get(f"/staff/reports/fairness?since={today}&until={today}&format=csv")
    )
    listing = client.get("/organizations").get_data(as_text=True)

    on_first_page = {row[0] for row in rows if row[3] == "1"}
    assert len(on_first_page) == PAGE_SIZE
    for slug in on_first_page:
        assert f"/organizations/{slug}" in listing
