"""A referral record is the row a hand-off leaves: planned from the route and the donor's visit,
it reaches the database (or a spool or log line) column for column, and carries no address."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from portal.models import ArrivedVia, Referral, ReferralStatus
from portal.referrals import spool
from portal.referrals.service import Visit, plan_handoff
from portal.state import portal_state
from tests.helpers.workers import BROWSER_UA

COLUMNS = {column.name for column in Referral.__table__.columns} - {"id"}  # the id is the db's
AGENTS = [BROWSER_UA, "facebookexternalhit/1.1", "Googlebot/2.1 (+http://www.google.com/bot.html)"]


def handed_off(app, slug: str, visit: Visit):
    """Plan ``visit``'s hand-off to ``slug`` as the portal does and make its referral durable."""
    pipeline = portal_state(app).referrals
    handoff = plan_handoff(
        pipeline.routes.lookup(slug), visit, coalition=None, tags=pipeline.tags, form_url=None
    )
    pipeline.record(handoff.record, visit)
    return handoff


def stored(db_session, ref: str) -> dict:
    db_session.rollback()  # the pipeline committed on its own connection
    row = db_session.scalar(select(Referral).filter_by(ref=ref))
    return {name: getattr(row, name) for name in COLUMNS}


@pytest.fixture
def roots(make_org):
    return make_org("roots", donation_url="https://roots.example.org/give")


@pytest.mark.usefixtures("roots")
def test_a_referral_reaches_its_row_as_it_was_planned(app, db_session):
    visit = Visit(
        ArrivedVia.LINK,
        user_agent=BROWSER_UA,
        client_ip="203.0.113.7",
        referrer_host="news.example.org",
        campaign={"utm_source": "newsletter", "utm_medium": "email", "utm_campaign": "spring"},
    )

    with app.app_context():
        handoff = handed_off(app, "roots", visit)

    record = handoff.record
    assert set(record) == COLUMNS  # every column is set from the start, none left to a default
    assert stored(db_session, record["ref"]) == record
    assert record["destination_url"] == handoff.url
    assert f"portal_ref={record['ref']}" in handoff.url
    assert (record["status"], record["arrived_via"], record["is_bot"]) == (
        ReferralStatus.REDIRECTED,
        ArrivedVia.LINK,
        False,
    )
    assert (record["utm_source"], record["utm_medium"], record["utm_campaign"]) == (
        "newsletter",
        "email",
        "spring",
    )
    assert record["referrer_host"] == "news.example.org"
    assert len(record["visitor_hash"]) == 32


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(address=st.ip_addresses().map(str), agent=st.sampled_from(AGENTS))
@pytest.mark.usefixtures("roots")
def test_no_address_reaches_the_row_nor_a_spool_line(app, db_session, address, agent):
    visit = Visit(ArrivedVia.LINK, user_agent=agent, client_ip=address)

    with app.app_context():
        record = handed_off(app, "roots", visit).record

    row = stored(db_session, record["ref"])
    assert all(address not in str(value) for value in row.values())
    assert address not in spool.encode(record)  # what a spool or error-log line would hold
