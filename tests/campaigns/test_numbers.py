"""Each link's numbers: people, link previews and other bots apart, unique visitors and gifts,
equal on the page and in the CSV to what the test itself sent."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from portal.models import (
    Donation,
    DonationStatus,
    Frequency,
    HandoffMode,
    Referral,
    ReferralStatus,
)

PERSON = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/130.0 Safari/537.36"
OTHER_PERSON = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Safari/605.1"
PREVIEW = "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)"
CRAWLER = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


def _csv(client) -> list[dict[str, str]]:
    response = client.get("/staff/campaigns.csv")
    assert response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_visits_are_counted_per_link_with_bots_and_previews_apart(client, make_org, build_link):
    org = make_org("ecopeace")
    poster = build_link(org, campaign="gala", source="poster")
    newsletter = build_link(org, campaign="gala", source="newsletter")
    visits = [(PERSON, "poster")] * 3 + [(OTHER_PERSON, "poster")]
    visits += [(PREVIEW, "poster")] * 2 + [(CRAWLER, "poster"), (PERSON, "newsletter")]
    visits += [(PERSON, "elsewhere")]  # tags no saved link has

    for agent, source in visits:
        response = client.get(
            f"/go/ecopeace?utm_campaign=gala&utm_source={source}", headers={"User-Agent": agent}
        )
        assert response.status_code == 302

    rows = {row["source"]: row for row in _csv(client)}
    assert set(rows) == {"poster", "newsletter"}
    people = sum(
        1 for agent, source in visits if source == "poster" and agent in (PERSON, OTHER_PERSON)
    )
    assert rows["poster"]["people"] == str(people)
    assert rows["poster"]["unique_visitors"] == "2"
    assert rows["poster"]["previews"] == "2"
    assert rows["poster"]["bots"] == "1"
    assert (rows["newsletter"]["people"], rows["newsletter"]["previews"]) == ("1", "0")
    assert rows["poster"]["url"].endswith("/go/ecopeace?utm_campaign=gala&utm_source=poster")
    assert {poster.code, newsletter.code}


def test_gifts_through_a_link_are_counted_with_amounts_by_currency(
    client, db_session, make_org, build_link
):
    org = make_org("roots", handoff_mode=HandoffMode.STRIPE)
    build_link(org, campaign="gala")
    paid = [(5000, "USD"), (2500, "USD"), (4000, "EUR")]
    for n, (amount, currency) in enumerate([*paid, (9900, "USD")]):
        referral = Referral(
            ref=f"ref{n}",
            organization_id=org.id,
            mode=HandoffMode.STRIPE,
            status=ReferralStatus.CHECKOUT_STARTED,
            arrived_via="link",
            utm_campaign="gala",
            destination_url="https://checkout.stripe.test/",
        )
        db_session.add(referral)
        db_session.flush()
        status = DonationStatus.PAID if n < len(paid) else DonationStatus.EXPIRED
        db_session.add(
            Donation(
                referral_id=referral.id,
                organization_id=org.id,
                amount=amount,
                currency=currency,
                frequency=Frequency.ONE_TIME,
                status=status,
            )
        )
    db_session.commit()

    [row] = _csv(client)

    assert row["gifts"] == "3"
    assert row["amount_USD"] == "75.00"
    assert row["amount_EUR"] == "40.00"
    assert row["people"] == str(len(db_session.scalars(select(Referral)).all()))
    page = client.get("/staff/campaigns").get_data(as_text=True)
    assert "$75.00" in page and "€40.00" in page
