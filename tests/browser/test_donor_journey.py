"""A donor's journey in a real browser: find a member, give on its own page, tags and all."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from portal import create_app
from portal.models import ArrivedVia, Referral, ReferralStatus
from portal.state import portal_state
from tests.helpers.screenshots import save_screenshot

pytestmark = pytest.mark.browser

MEMBER_PAGE = "https://member.example/donate?x=1"
DONATE_BUTTON = "Donate on Almond Blossom Circle’s website"
WIDTHS = [1280, 390]


@pytest.fixture
def almond(make_org, live_server):
    """A member with its own donation page, next to the demo directory."""
    return make_org(
        "almond-blossom",
        name="Almond Blossom Circle",
        short_description="Beekeepers sharing apiaries across the Green Line.",
        focus=["environment", "economy"],
        donation_url=MEMBER_PAGE,
    )


def referrals(db_session) -> list[Referral]:
    db_session.rollback()  # a new transaction sees what other connections committed
    return list(db_session.scalars(select(Referral).order_by(Referral.id)))


@pytest.mark.usefixtures("almond")
def test_donor_finds_a_member_and_lands_on_its_donation_page_tagged(page, live_server, db_session):
    page.goto(live_server + "/")
    page.get_by_role("link", name="Choose an organization").click()
    page.get_by_role("searchbox", name="Search").fill("beekeepers")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Almond Blossom Circle").click()

    page.get_by_role("button", name=DONATE_BUTTON).click()

    page.wait_for_url("https://member.example/**")
    landed = urlsplit(page.url)
    tags = parse_qs(landed.query)
    assert (landed.hostname, landed.path) == ("member.example", "/donate")
    assert tags["x"] == ["1"]
    assert tags["utm_source"] == ["coalition-portal"]
    assert tags["utm_medium"] == ["donate-button"]
    assert tags["utm_campaign"] == ["portal"]
    [row] = referrals(db_session)
    assert tags["portal_ref"] == [row.ref]
    assert (row.arrived_via, row.status) == (ArrivedVia.PORTAL, ReferralStatus.REDIRECTED)
    assert page.get_by_role("heading", name="Thank you for giving").is_visible()


@pytest.mark.usefixtures("almond")
def test_campaign_of_the_landing_link_reaches_the_member(page, live_server, db_session):
    page.goto(live_server + "/organizations/almond-blossom?utm_source=partner&utm_campaign=spring")

    page.get_by_role("button", name=DONATE_BUTTON).click()

    page.wait_for_url("https://member.example/**")
    assert parse_qs(urlsplit(page.url).query)["utm_campaign"] == ["spring"]
    [row] = referrals(db_session)
    assert (row.utm_source, row.utm_campaign) == ("partner", "spring")


@pytest.mark.usefixtures("almond")
def test_donate_button_is_reached_with_tab_and_pressed_with_enter(page, live_server, db_session):
    page.goto(live_server + "/organizations/almond-blossom")
    focused = page.locator(":focus")

    for _ in range(30):
        page.keyboard.press("Tab")
        if focused.text_content().strip() == DONATE_BUTTON:
            break

    assert focused.text_content().strip() == DONATE_BUTTON
    assert focused.evaluate("e => getComputedStyle(e).outlineStyle") == "solid"
    page.keyboard.press("Enter")
    page.wait_for_url("https://member.example/**")
    assert len(referrals(db_session)) == 1


def test_first_tab_shows_the_skip_link(page, live_server):
    page.goto(live_server + "/")

    page.keyboard.press("Tab")

    skip = page.get_by_role("link", name="Skip to content")
    assert skip.evaluate("e => e === document.activeElement")
    box = skip.bounding_box()
    assert box["x"] >= 0 and box["y"] >= 0


BROWSED = ["/", "/organizations", "/organizations/almond-blossom", "/donate"]


@pytest.mark.usefixtures("almond")
def test_pages_fetch_nothing_from_third_parties(page, live_server, offsite_requests):
    for path in BROWSED:
        page.goto(live_server + path)
        page.wait_for_load_state("networkidle")

    assert offsite_requests == []


@pytest.mark.usefixtures("almond")
def test_pages_ask_for_nothing_that_is_missing(page, live_server):
    missing = []
    page.on("response", lambda response: response.status >= 400 and missing.append(response.url))

    for path in BROWSED:
        page.goto(live_server + path)
        page.wait_for_load_state("networkidle")

    assert missing == []


def shoot(page, url: str, name: str) -> dict:
    """Load ``url`` at each width, save a full-page screenshot, and measure its layout."""
    measures = {}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(url)
        save_screenshot(page, f"{name}-{width}.png")
        measures[width] = page.evaluate(
            "() => ({overflow: document.documentElement.scrollWidth - window.innerWidth,"
            " dir: document.documentElement.dir})"
        )
    return measures


@pytest.mark.parametrize(
    ("name", "path"),
    [("home", "/"), ("directory", "/organizations"), ("member", "/organizations/almond-blossom")],
)
@pytest.mark.usefixtures("almond")
def test_page_fits_a_phone_and_a_desktop_without_sideways_scrolling(page, live_server, name, path):
    measures = shoot(page, live_server + path, name)

    assert {width: m["overflow"] for width, m in measures.items()} == {1280: 0, 390: 0}


@pytest.fixture
def arabic_server(app_config, live_server, serve):
    """The same portal and data with Arabic switched on."""
    app = create_app({**app_config, "LANGUAGES": ["en", "ar", "he"]})
    yield serve(app)
    portal_state(app).database.engine.dispose()


@pytest.mark.parametrize(
    ("name", "path"),
    [("home", "/"), ("directory", "/organizations"), ("member", "/organizations/almond-blossom")],
)
@pytest.mark.usefixtures("almond")
def test_right_to_left_page_mirrors_without_breaking(page, arabic_server, name, path):
    measures = shoot(page, f"{arabic_server}{path}?lang=ar", f"{name}-rtl")

    assert {m["dir"] for m in measures.values()} == {"rtl"}
    assert {width: m["overflow"] for width, m in measures.items()} == {1280: 0, 390: 0}
    brand = page.locator(".brand").bounding_box()
    assert 390 - (brand["x"] + brand["width"]) < 40, "the portal's name should sit on the right"
