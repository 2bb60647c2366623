"""The funnel staff and the member see: clicks by people, gifts reported, amounts by currency,
by campaign and channel — equal to what the test itself sent."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from portal.conversions.funnel import funnel
from portal.models import StaffRole
from portal.state import portal_state
from tests.helpers.statements import statements_sent

BOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


def _gift(ref: str, amount: str, currency: str) -> dict:
    return {"portal_ref": ref, "amount": amount, "currency": currency, "frequency": "one_time"}


def test_staff_see_clicks_gifts_and_amounts_by_campaign_and_channel(
    client,
    make_org,
    enable_postbacks,
    hand_off,
    report,
    login_as,
):
    org = make_org("ecopeace", name="EcoPeace")
    secret = enable_postbacks(org)
    gala = [hand_off(org, "?utm_campaign=gala") for _ in range(4)]
    embed = [hand_off(org, "?via=embed") for _ in range(3)]
    client.get("/go/ecopeace?utm_campaign=gala", headers={"User-Agent": BOT})
    sent = [(gala[0], "25", "USD"), (gala[1], "10.50", "USD"), (gala[2], "40", "EUR")]
    sent += [(embed[0], "100", "ILS")]
    for ref, amount, currency in sent:
        assert report("ecopeace", secret, _gift(ref, amount, currency)).status_code == 201
    login_as(StaffRole.ADMIN)

    response = client.get("/staff/conversions.csv")

    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    by_line = {(row["campaign"], row["channel"]): row for row in rows}
    assert set(by_line) == {("gala", "link"), ("", "embed")}
    gala_row, embed_row = by_line[("gala", "link")], by_line[("", "embed")]
    assert (gala_row["people"], gala_row["gifts"]) == (str(len(gala)), "3")
    assert (gala_row["amount_USD"], gala_row["amount_EUR"], gala_row["amount_ILS"]) == (
        "35.50",
        "40.00",
        "0.00",
    )
    assert (embed_row["people"], embed_row["gifts"], embed_row["amount_ILS"]) == (
        "3",
        "1",
        "100.00",
    )


def test_the_postback_page_is_for_admins_only(client, login_as):
    login_as(StaffRole.VIEWER)

    assert client.get("/staff/conversions").status_code == 403


def test_an_admin_sees_a_new_secret_once_and_it_signs_reports(
    client, make_org, hand_off, report, login_as
):
    import re

    org = make_org("ecopeace")
    login_as(StaffRole.ADMIN)
    page = client.get("/staff/conversions").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*?value="([^"]+)"', page)[1]

    shown = client.post(f"/staff/conversions/{org.id}/secret", data={"csrf_token": token})

    secret = re.search(
        r'id="postback-secret" type="text" value="([0-9a-f]{64})"', shown.get_data(as_text=True)
    )[1]
    assert shown.headers["Cache-Control"] == "no-store"
    assert secret not in client.get("/staff/conversions").get_data(as_text=True)
    assert report("ecopeace", secret, _gift(hand_off(org), "5", "USD")).status_code == 201


def test_the_funnel_reads_only_the_names_it_shows(app, db_session, make_org, add_referrals):
    shown = [make_org(f"clicked-{n}", name=f"Clicked {n}") for n in range(2)]
    for n in range(12):
        make_org(f"quiet-{n}")  # listed, but no clicks: not in the funnel
    for org in shown:
        add_referrals(org, datetime(2025, 6, 1, 12, tzinfo=UTC), n=2)
    db_session.expire_all()

    with statements_sent(portal_state(app).database.engine) as sent:
        lines = funnel(db_session)

    assert {(line.member, line.people) for line in lines} == {("Clicked 0", 2), ("Clicked 1", 2)}
    names_read = [s for s in sent if "organization.name" in s and "FROM organization" in s]
    assert len(names_read) == 1
    assert "IN" in names_read[0]  # by the shown members' ids, not every member's
