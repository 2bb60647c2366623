"""The tracked hand-off as a donor, a shared link, a crawler and a browser prefetch see it."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from portal.models import ArrivedVia, OrgStatus, Referral, ReferralStatus

BROWSER_UA = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0 Safari/537.36"
)


@pytest.fixture
def browser(client):
    client.environ_base["HTTP_USER_AGENT"] = BROWSER_UA
    return client


def referrals(db_session) -> list[Referral]:
    db_session.rollback()  # a new transaction sees what other connections committed
    return list(db_session.scalars(select(Referral).order_by(Referral.id)))


def query_of(location: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(location).query, keep_blank_values=True)


def test_donate_button_logs_referral_and_answers_303_to_tagged_url(
    browser, make_org, csrf_token, db_session
):
    make_org("hand-in-hand", donation_url="https://hand.example.org/give")
    token = csrf_token("/organizations/hand-in-hand")

    response = browser.post("/go/hand-in-hand", data={"csrf_token": token})

    assert response.status_code == 303
    location = response.headers["Location"]
    assert location.startswith("https://hand.example.org/give?")
    [row] = referrals(db_session)
    assert query_of(location) == {
        "utm_source": ["coalition-portal"],
        "utm_medium": ["donate-button"],
        "utm_campaign": ["portal"],
        "portal_ref": [row.ref],
    }
    assert row.arrived_via == ArrivedVia.PORTAL
    assert row.status == ReferralStatus.REDIRECTED
    assert row.destination_url == location
    assert not row.is_bot


def test_handoff_headers_forbid_caching_and_leak_only_the_origin(browser, make_org):
    make_org("roots")

    response = browser.get("/go/roots")

    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "origin"


def test_post_without_csrf_token_is_refused_and_logs_nothing(browser, make_org, db_session):
    make_org("roots")

    response = browser.post("/go/roots")

    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)
    assert referrals(db_session) == []


def test_post_with_wrong_csrf_token_is_refused(browser, make_org, csrf_token, db_session):
    make_org("roots")
    csrf_token("/organizations/roots")

    response = browser.post("/go/roots", data={"csrf_token": "forged"})

    assert response.status_code == 400
    assert referrals(db_session) == []


def test_shared_link_answers_302_and_logs_a_link_visit_with_inbound_tags(
    browser, make_org, db_session
):
    make_org("roots", donation_url="https://roots.example.org/donate")

    response = browser.get(
        "/go/roots?utm_source=newsletter&utm_medium=email&utm_campaign=spring",
        headers={"Referer": "https://mail.example.net/inbox"},
    )

    assert response.status_code == 302
    tags = query_of(response.headers["Location"])
    assert tags["utm_campaign"] == ["spring"]
    assert tags["utm_content"] == ["newsletter"]
    assert tags["utm_medium"] == ["shared-link"]
    [row] = referrals(db_session)
    assert (row.arrived_via, row.utm_source, row.utm_medium, row.utm_campaign) == (
        ArrivedVia.LINK,
        "newsletter",
        "email",
        "spring",
    )
    assert row.referrer_host == "mail.example.net"


def test_campaign_tags_from_the_landing_page_reach_the_donate_button(
    browser, make_org, csrf_token, db_session
):
    make_org("roots")
    browser.get("/?utm_source=partner-blog&utm_campaign=winter")
    token = csrf_token("/organizations/roots")

    response = browser.post("/go/roots", data={"csrf_token": token})

    assert query_of(response.headers["Location"])["utm_campaign"] == ["winter"]
    [row] = referrals(db_session)
    assert (row.utm_source, row.utm_campaign) == ("partner-blog", "winter")


def test_member_tags_in_its_own_url_win(browser, make_org):
    make_org("roots", donation_url="https://roots.example.org/d?utm_source=own&x=1#form")

    location = browser.get("/go/roots").headers["Location"]

    assert query_of(location)["utm_source"] == ["own"]
    assert query_of(location)["x"] == ["1"]
    assert location.endswith("#form")


def test_head_request_is_redirected_but_not_logged(browser, make_org, db_session):
    make_org("roots")

    response = browser.head("/go/roots")

    assert response.status_code == 302
    assert referrals(db_session) == []


@pytest.mark.parametrize(
    "header",
    [
        ("Sec-Purpose", "prefetch"),
        ("Sec-Purpose", "prefetch;prerender"),
        ("Purpose", "prefetch"),
        ("X-Moz", "prefetch"),
    ],
)
def test_prefetch_is_redirected_but_not_logged(browser, make_org, db_session, header):
    make_org("roots")

    response = browser.get("/go/roots", headers=[header])

    assert response.status_code == 302
    assert referrals(db_session) == []


@pytest.mark.parametrize(
    ("user_agent", "reason"),
    [
        (
            "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
            "facebookexternalhit",
        ),
        ("WhatsApp/2.23.20.0", "WhatsApp"),
        ("Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", "Slackbot"),
        ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "Googlebot"),
        ("", "no user agent"),
    ],
)
def test_crawlers_and_link_previews_are_logged_with_a_bot_flag(
    client, make_org, db_session, user_agent, reason
):
    make_org("roots")

    response = client.get("/go/roots", headers={"User-Agent": user_agent})

    assert response.status_code == 302
    [row] = referrals(db_session)
    assert row.is_bot
    assert reason in row.bot_reason


def test_unknown_slug_gets_a_404_page(browser, make_org):
    make_org("roots")

    response = browser.get("/go/no-such-member")

    assert response.status_code == 404
    assert "find that page" in response.get_data(as_text=True)


def test_suspended_member_link_goes_to_the_coalition_and_is_logged_as_rerouted(
    browser, make_org, make_coalition, db_session
):
    make_coalition()
    make_org("roots", status=OrgStatus.SUSPENDED)

    response = browser.get("/go/roots")

    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/donate"
    [row] = referrals(db_session)
    assert row.status == ReferralStatus.REROUTED
    assert row.organization.slug == "roots"


def test_suspended_member_reroutes_to_an_external_coalition_page_with_tags(
    browser, make_org, make_coalition, db_session
):
    from portal.models import HandoffMode

    make_coalition(handoff_mode=HandoffMode.EXTERNAL, donation_url="https://coal.example/give")
    make_org("roots", status=OrgStatus.SUSPENDED)

    location = browser.get("/go/roots").headers["Location"]

    assert location.startswith("https://coal.example/give?")
    [row] = referrals(db_session)
    assert query_of(location)["portal_ref"] == [row.ref]


def test_stripe_mode_member_link_opens_the_donation_form_without_logging(
    browser, make_org, db_session
):
    from portal.models import HandoffMode

    make_org("parents-circle", handoff_mode=HandoffMode.STRIPE)

    response = browser.get("/go/parents-circle?utm_campaign=spring")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/donate/parents-circle?")
    assert "utm_campaign=spring" in response.headers["Location"]
    assert referrals(db_session) == []


def test_handoff_is_never_a_permanent_redirect(browser, make_org, csrf_token):
    make_org("roots")
    token = csrf_token("/organizations/roots")

    codes = {
        browser.get("/go/roots").status_code,
        browser.post("/go/roots", data={"csrf_token": token}).status_code,
    }

    assert codes == {302, 303}


def test_every_handoff_counts_once(browser, make_org, db_session):
    make_org("roots")

    for _ in range(5):
        browser.get("/go/roots")

    assert db_session.scalar(select(func.count(Referral.id))) == 5
    assert len({row.ref for row in referrals(db_session)}) == 5


def test_the_site_that_sent_the_donor_is_counted_and_the_portals_own_pages_are_not(
    browser, make_org, csrf_token, db_session
):
    make_org("roots")
    browser.get("/", headers={"Referer": "https://news.example.net/story"})
    browser.get("/organizations", headers={"Referer": "http://portal.test/"})
    token = csrf_token("/organizations/roots")

    browser.post(
        "/go/roots",
        data={"csrf_token": token},
        headers={"Referer": "http://portal.test/organizations/roots"},
    )
    browser.get("/go/roots", headers={"Referer": "http://portal.test/organizations"})

    button, link = referrals(db_session)
    assert (button.arrived_via, button.referrer_host) == (ArrivedVia.PORTAL, "news.example.net")
    assert (link.arrived_via, link.referrer_host) == (ArrivedVia.LINK, None)
