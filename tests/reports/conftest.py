"""Report fixtures: a varied dataset of referrals and gifts, to count again in Python.

Rows written one at a time come from ``tests.helpers.reports``, shared with the browser tests."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from portal.models import ArrivedVia, Donation, DonationStatus, HandoffMode
from portal.reports import rollup
from tests.helpers.reports import TODAY, at


@dataclass
class Dataset:
    """What a test wrote, to count again independently of the portal's queries."""

    orgs: list
    referrals: list[dict] = field(default_factory=list)
    donations: list[Donation] = field(default_factory=list)


@pytest.fixture
def varied(make_org, add_referrals, add_donation, db_session, report_clock) -> Dataset:
    """Three members and the coalition, 40 days of mixed traffic and gifts ending today."""
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
