"""The home page, a member's page and the demo directory, as a donor sees them."""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from sqlalchemy import func, select

from portal.directory.rotation import rotate
from portal.models import HandoffMode, Organization, OrgStatus, RecipientKind, utcnow

PAGE_URL = "http://portal.test/organizations/ecopeace"


# The home page


def test_home_shows_the_four_ways_to_stand_with_members(client, read):
    response = client.get("/")

    assert response.status_code == 200
    verbs = [h3.text for h3 in read(response).all("h3") if h3.within("verb-list")]
    assert verbs == ["Listen", "Amplify", "Engage", "Support"]


def test_home_leads_prominently_to_giving_to_the_coalition(client, read):
    page = read(client.get("/"))

    [hero_give] = [a for a in page.all("a", href="/donate") if a.within("hero")]
    assert "button-primary" in hero_give.attrs["class"]
    assert hero_give.text == "Give to the coalition"


def test_home_leads_into_the_directory(client, read):
    page = read(client.get("/"))

    [choose] = [a for a in page.all("a", href="/organizations") if a.within("hero")]
    assert choose.text == "Choose an organization"


def test_home_features_the_first_three_members_of_todays_rotation(client, read, make_org):
    orgs = [make_org(f"member-{n:02}") for n in range(8)]

    page = read(client.get("/"))

    assert page.listed_names == [org.name for org in rotate(orgs, utcnow().date())[:3]]


def test_home_counts_only_listed_members(client, read, make_org, make_coalition):
    make_coalition()
    make_org("roots")
    make_org("ecopeace")
    make_org("gone", status=OrgStatus.SUSPENDED)

    page = read(client.get("/"))

    assert "the coalition that strengthens all 2 of them" in page.text


def test_home_presents_the_coalition(client, read, make_coalition):
    make_coalition(name="Alliance for Peace", short_description="Champions every member.")

    page = read(client.get("/"))

    card = [e.text for e in page.all("section") if e.within("coalition-card")]
    assert card and "Alliance for Peace" in card[0] and "Champions every member." in card[0]


# A member's page


@pytest.fixture
def ecopeace(make_org):
    return make_org(
        "ecopeace",
        name="EcoPeace Middle East",
        short_description="Environmentalists from Jordan, Israel and Palestine.",
        long_description="Protects the Jordan River together.",
        focus=["environment", "arts"],
        region="west-bank",
        country="Jordan, Israel and Palestine",
        website="https://ecopeace.example.org",
        listen_url="https://ecopeace.example.org/podcast",
        engage_url="https://ecopeace.example.org/volunteer",
        donation_url="https://ecopeace.example.org/donate",
    )


@pytest.mark.usefixtures("ecopeace")
def test_member_page_shows_name_descriptions_and_labels(client, read):
    response = client.get("/organizations/ecopeace")

    assert response.status_code == 200
    page = read(response)
    assert page.one("h1").text == "EcoPeace Middle East"
    assert "Environmentalists from Jordan, Israel and Palestine." in page.text
    assert "Protects the Jordan River together." in page.text
    tags = [span.text for span in page.all("span", class_="tag")]
    assert tags == ["Arts and culture", "Environment"]
    assert "West Bank" in page.text


def test_member_page_names_the_country_once_when_it_is_the_region(client, read, make_org):
    make_org("roots", region="israel-palestine", country="Israel and Palestine")

    meta = read(client.get("/organizations/roots")).one("p", class_="meta")

    assert meta.text.count("Israel and Palestine") == 1


@pytest.mark.usefixtures("ecopeace")
def test_member_page_names_region_and_country_when_they_differ(client, read):
    meta = read(client.get("/organizations/ecopeace")).one("p", class_="meta")

    assert "West Bank" in meta.text and "Jordan, Israel and Palestine" in meta.text


@pytest.mark.usefixtures("ecopeace")
def test_members_own_text_is_isolated_for_right_to_left_pages(client, read):
    page = read(client.get("/organizations/ecopeace"))

    isolated = [bdi.text for bdi in page.all("bdi")]
    assert "EcoPeace Middle East" in isolated
    assert "Protects the Jordan River together." in isolated


@pytest.mark.usefixtures("ecopeace")
def test_member_page_links_to_the_members_website(client, read):
    page = read(client.get("/organizations/ecopeace"))

    assert page.one("a", href="https://ecopeace.example.org").text == "Visit their website"


@pytest.mark.usefixtures("ecopeace")
def test_member_page_offers_listen_and_engage_links(client, read):
    page = read(client.get("/organizations/ecopeace"))

    listen = page.one("a", href="https://ecopeace.example.org/podcast")
    engage = page.one("a", href="https://ecopeace.example.org/volunteer")
    assert listen.text == "Listen to EcoPeace Middle East in their own words"
    assert engage.text == "Get in touch or volunteer"


def test_member_page_without_listen_or_engage_links_has_no_such_section(client, read, make_org):
    make_org("roots", website=None)

    page = read(client.get("/organizations/roots"))

    assert "Listen and engage" not in page.text
    assert "Visit their website" not in page.text


@pytest.mark.parametrize(
    ("network", "host", "param"),
    [
        ("Facebook", "www.facebook.com", "u"),
        ("X", "x.com", "url"),
        ("LinkedIn", "www.linkedin.com", "url"),
        ("WhatsApp", "wa.me", "text"),
    ],
)
@pytest.mark.usefixtures("ecopeace")
def test_share_link_is_a_plain_link_carrying_the_page_url(client, read, network, host, param):
    page = read(client.get("/organizations/ecopeace"))

    [link] = [a for a in page.all("a") if a.text.startswith(f"Share on {network} ")]
    url = urlsplit(link.attrs["href"])
    assert (url.scheme, url.hostname) == ("https", host)
    [shared] = parse_qs(url.query)[param]
    assert PAGE_URL + "?utm_source=" in shared


@pytest.mark.usefixtures("ecopeace")
def test_share_by_email_is_a_mailto_link_carrying_the_page_url(client, read):
    page = read(client.get("/organizations/ecopeace"))

    [link] = [a for a in page.all("a") if a.text.startswith("Share by email ")]
    href = link.attrs["href"]
    assert href.startswith("mailto:?subject=")
    assert PAGE_URL + "?utm_source=email" in unquote(href)


@pytest.mark.usefixtures("ecopeace")
def test_member_page_loads_no_share_widget_script(client, read):
    page = read(client.get("/organizations/ecopeace"))

    # Only the portal's own copy-button script: no network's widget, no frame.
    assert [s.attrs["src"] for s in page.all("script")] == ["/static/share.js"]
    assert page.all("iframe") == []


@pytest.mark.usefixtures("ecopeace")
def test_external_member_page_donates_through_a_form_posting_to_the_tracked_handoff(client, read):
    page = read(client.get("/organizations/ecopeace"))

    form = page.one("form", action="/go/ecopeace")
    assert form.attrs["method"] == "post"
    [token] = [i for i in page.all("input", name="csrf_token") if i.within("donate-box")]
    assert token.attrs["type"] == "hidden" and token.attrs["value"]
    [button] = [b for b in page.all("button", type="submit") if b.within("donate-box")]
    assert button.text == "Donate on EcoPeace Middle East’s website"


@pytest.mark.usefixtures("ecopeace")
def test_external_member_page_says_who_receives_the_money_and_issues_the_receipt(client, read):
    page = read(client.get("/organizations/ecopeace"))

    assert "EcoPeace Middle East receives the money and issues your receipt." in page.text


def test_stripe_member_page_links_to_the_portals_donation_form(client, read, make_org):
    make_org("parents-circle", name="Parents Circle", handoff_mode=HandoffMode.STRIPE)

    page = read(client.get("/organizations/parents-circle"))

    assert page.one("a", href="/donate/parents-circle").text == "Donate to Parents Circle"
    assert page.all("form", action="/go/parents-circle") == []
    assert "The coalition issues your receipt." in page.text


def test_member_page_shows_the_members_receipt_note(client, read, make_org):
    make_org("roots", receipt_note="Receipts are issued by Friends of Roots in the US.")

    page = read(client.get("/organizations/roots"))

    assert "Receipts are issued by Friends of Roots in the US." in page.text


def test_suspended_member_page_is_not_found(client, read, make_org):
    make_org("roots", status=OrgStatus.SUSPENDED)

    response = client.get("/organizations/roots")

    assert response.status_code == 404
    assert read(response).one("h1").text == "We couldn't find that page"


def test_unknown_member_page_is_not_found(client, read, make_org):
    make_org("roots")

    response = client.get("/organizations/no-such-member")

    assert response.status_code == 404
    assert read(response).one("h1").text == "We couldn't find that page"


def test_member_slug_with_a_nul_byte_is_not_found(client, make_org):
    make_org("roots")

    response = client.get("/organizations/roots%00")

    assert response.status_code == 404


def test_demo_entry_shows_the_demo_notice(client, read, make_org):
    make_org("roots", is_demo=True)

    page = read(client.get("/organizations/roots"))

    assert page.one("p", class_="demo-flag").text.startswith("Demo entry:")


def test_real_entry_shows_no_demo_notice(client, read, make_org):
    make_org("roots", is_demo=False)

    page = read(client.get("/organizations/roots"))

    assert page.all("p", class_="demo-flag") == []


# The demo directory (``flask --app app seed-demo``)


def count_recipients(db_session, *conditions) -> int:
    db_session.rollback()  # a new transaction sees what other connections committed
    return db_session.scalar(select(func.count(Organization.id)).where(*conditions))


def test_seed_demo_loads_the_demo_directory_with_one_coalition(runner, db_session):
    result = runner.invoke(args=["seed-demo"])

    assert result.exit_code == 0, result.output
    total = count_recipients(db_session)
    assert total >= 25
    assert f"{total} demo recipient(s) added." in result.output
    assert count_recipients(db_session, Organization.kind == RecipientKind.COALITION) == 1
    assert count_recipients(db_session, Organization.is_demo.is_(False)) == 0


def test_seed_demo_twice_adds_nothing_the_second_time(runner, db_session):
    runner.invoke(args=["seed-demo"])
    before = count_recipients(db_session)

    result = runner.invoke(args=["seed-demo"])

    assert result.exit_code == 0, result.output
    assert "0 demo recipient(s) added." in result.output
    assert count_recipients(db_session) == before


def test_seed_demo_leaves_an_entry_staff_edited_alone(runner, db_session, make_org):
    make_org("roots", name="Roots (edited by staff)")

    runner.invoke(args=["seed-demo"])

    db_session.rollback()  # a new transaction sees what other connections committed
    roots = db_session.scalar(select(Organization).filter_by(slug="roots"))
    assert (roots.name, roots.is_demo) == ("Roots (edited by staff)", False)


def test_every_demo_donation_url_is_absolute_https(runner, db_session):
    runner.invoke(args=["seed-demo"])

    urls = list(db_session.scalars(select(Organization.donation_url)))
    assert urls
    for url in urls:
        parts = urlsplit(url)
        assert (parts.scheme, bool(parts.hostname)) == ("https", True), url


def test_demo_directory_lists_every_demo_member_with_its_notice(
    client, read, runner, app, db_session
):
    runner.invoke(args=["seed-demo"])
    app.config["DIRECTORY_PAGE_SIZE"] = 100
    members = count_recipients(db_session, Organization.kind == RecipientKind.MEMBER)

    page = read(client.get("/organizations"))

    assert len(page.listed_names) == members
    assert len(page.all("p", class_="demo-flag")) == members


def test_demo_member_pages_all_answer(client, runner, db_session):
    runner.invoke(args=["seed-demo"])
    slugs = list(db_session.scalars(select(Organization.slug)))

    statuses = {slug: client.get(f"/organizations/{slug}").status_code for slug in slugs}

    assert set(statuses.values()) == {200}


def test_directory_cards_are_headed_one_level_under_the_page(client, make_org, read):
    make_org("roots", name="Roots")

    page = read(client.get("/organizations"))

    assert [h.text for h in page.all("h1")] == ["Organizations"]
    assert [h.text for h in page.all("h2") if h.within("org-card")] == ["Roots"]
    assert [h for h in page.all("h3") if h.within("org-card")] == []
