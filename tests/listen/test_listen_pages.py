"""/listen, a statement's page and a member's page, as a visitor reads them."""

from __future__ import annotations

import re

import pytest

from portal.models import HandoffMode, OrgStatus, PublicationStatus
from tests.helpers.pages import text_of
from tests.listen.helpers import body_of, threats


def titles(response) -> list[str]:
    """The titles of the statements and episodes listed on a page, in order."""
    html = response.get_data(as_text=True)
    return re.findall(r'<h[23]>\s*<a href="/listen/[^"]+"><bdi>([^<]+)</bdi></a>', html)


def test_listen_shows_published_statements_and_episodes_newest_first(
    client, make_org, make_statement, make_episode
):
    org = make_org("roots")
    make_statement(org, "Older statement", days_ago=5)
    make_episode("Middle episode", members=[org], days_ago=3)
    make_statement(org, "Newest statement", days_ago=1)
    make_statement(org, "Still a draft", status=PublicationStatus.DRAFT)
    make_statement(org, "Proposed by the member", status=PublicationStatus.PROPOSED)

    response = client.get("/listen")

    assert response.status_code == 200
    assert titles(response) == ["Newest statement", "Middle episode", "Older statement"]
    assert "3 statements and episodes" in text_of(response)


def test_listen_pages_through_the_merged_list(client, make_org, make_statement, make_episode):
    org = make_org("roots")
    for day in range(1, 8, 2):
        make_statement(org, f"Statement {day}", days_ago=day)
        make_episode(f"Episode {day + 1}", days_ago=day + 1)

    first, second, third = (client.get(f"/listen?page={n}") for n in (1, 2, 3))

    assert titles(first) == ["Statement 1", "Episode 2", "Statement 3"]
    assert titles(second) == ["Episode 4", "Statement 5", "Episode 6"]
    assert titles(third) == ["Statement 7", "Episode 8"]
    assert 'rel="next" href="/listen?page=3"' in second.get_data(as_text=True)
    assert client.get("/listen?page=4").status_code == 404


def test_listen_filters_by_member_focus_and_language(
    client, make_org, make_statement, make_episode
):
    roots = make_org("roots", focus=["faith"])
    eco = make_org("ecopeace", focus=["environment"])
    make_statement(roots, "Roots in English")
    make_statement(roots, "جذور بالعربية", language="ar", days_ago=2)
    make_statement(eco, "Water")
    make_episode("Rivers episode", members=[eco], days_ago=2)

    assert titles(client.get("/listen?member=roots")) == ["Roots in English", "جذور بالعربية"]
    assert titles(client.get("/listen?focus=environment")) == ["Water", "Rivers episode"]
    assert titles(client.get("/listen?language=ar")) == ["جذور بالعربية"]


@pytest.mark.parametrize(
    "query", ["member=nobody", "focus=weather", "language=fr", "page=0", "page=x"]
)
def test_a_filter_that_is_not_offered_is_a_clear_400(client, make_org, query):
    make_org("roots")

    response = client.get(f"/listen?{query}")

    assert response.status_code == 400
    assert "Please check what you entered." in text_of(response)


def test_a_reader_sees_each_statement_once_in_their_language_when_translated(
    client, make_org, make_statement
):
    org = make_org("roots")
    original = make_statement(org, "Neighbours on one land", language="en")
    make_statement(org, "جيران على أرض واحدة", language="ar", translation_of_id=original.id)
    hebrew = make_statement(org, "שכנים על אדמה אחת", language="he")
    make_statement(org, "Neighbours, in English", language="en", translation_of_id=hebrew.id)

    in_arabic = titles(client.get("/listen?lang=ar"))
    in_english = titles(client.get("/listen?lang=en"))

    assert sorted(in_arabic) == sorted(["جيران على أرض واحدة", "שכנים על אדמה אחת"])
    assert sorted(in_english) == sorted(["Neighbours on one land", "Neighbours, in English"])


def test_a_statement_page_offers_its_other_languages(client, make_org, make_statement):
    org = make_org("roots")
    original = make_statement(org, "Neighbours on one land")
    arabic = make_statement(org, "جيران", language="ar", translation_of_id=original.id)

    html = client.get(f"/listen/statements/{original.id}").get_data(as_text=True)

    assert f'href="/listen/statements/{arabic.id}" hreflang="ar" lang="ar">العربية</a>' in html
    assert 'lang="en" dir="auto"' in html


def test_a_statement_page_has_the_text_share_links_and_the_members_donate_action(
    client, make_org, make_statement
):
    org = make_org("roots", name="Roots", handoff_mode=HandoffMode.EXTERNAL)
    statement = make_statement(org, "We keep meeting", body="We **keep** meeting.")

    response = client.get(f"/listen/statements/{statement.id}")
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert "<h1><bdi>We keep meeting</bdi></h1>" in html
    assert "We <strong>keep</strong> meeting." in html
    assert 'action="/go/roots"' in html  # the member's own donate hand-off, logged as a referral
    assert "Roots receives the money and issues your receipt." in text_of(response)
    assert "https://wa.me/?text=" in html
    assert 'href="/organizations/roots"' in html
    # The browser follows the hand-off's redirect only to origins the page's CSP names.
    assert "https://roots.example.org" in response.headers["Content-Security-Policy"]


def test_a_statement_of_a_stripe_member_leads_to_the_donation_form(
    client, make_org, make_statement
):
    org = make_org("ecopeace", handoff_mode=HandoffMode.STRIPE)
    statement = make_statement(org)

    html = client.get(f"/listen/statements/{statement.id}").get_data(as_text=True)

    assert 'href="/donate/ecopeace"' in html


@pytest.mark.parametrize("status", [PublicationStatus.DRAFT, PublicationStatus.PROPOSED])
def test_an_unpublished_statement_has_no_page(client, make_org, make_statement, status):
    statement = make_statement(make_org("roots"), status=status)

    assert client.get(f"/listen/statements/{statement.id}").status_code == 404


def test_a_suspended_members_statements_leave_the_public_pages(client, make_org, make_statement):
    org = make_org("roots", status=OrgStatus.SUSPENDED)
    statement = make_statement(org, "Hidden while suspended")

    assert client.get(f"/listen/statements/{statement.id}").status_code == 404
    assert "Hidden while suspended" not in client.get("/listen").get_data(as_text=True)


def test_hostile_markdown_reaches_the_page_harmless(client, make_org, make_statement):
    body = (
        "<script>alert('x')</script>\n\n[click](javascript:alert(1))\n\n"
        '<a href="https://x.example" onclick="steal()">raw</a> <img src=x onerror=alert(1)>'
    )
    statement = make_statement(make_org("roots"), body=body)

    html = client.get(f"/listen/statements/{statement.id}").get_data(as_text=True)

    assert threats(body_of(html)) == []
    assert "&lt;script&gt;alert" in html  # shown as the text it is


def test_a_member_page_shows_its_latest_statements_and_episodes(
    client, make_org, make_statement, make_episode
):
    org = make_org("roots")
    other = make_org("ecopeace")
    for day in range(1, 5):
        make_statement(org, f"Roots {day}", days_ago=day)
    make_episode("With Roots", members=[org], days_ago=0)
    make_statement(other, "Not theirs")

    response = client.get("/organizations/roots")
    html = response.get_data(as_text=True)

    assert titles(response)[:3] == ["With Roots", "Roots 1", "Roots 2"]
    assert "Not theirs" not in html
    assert 'href="/listen?member=roots"' in html
    assert 'href="/listen/members/roots/feed.atom"' in html


def test_a_member_page_without_statements_shows_no_empty_section(client, make_org):
    make_org("roots")

    assert "In their own voice" not in client.get("/organizations/roots").get_data(as_text=True)


def test_an_episode_links_out_to_its_audio_and_loads_nothing_from_elsewhere(
    client, make_org, make_episode
):
    episode = make_episode(
        "Groundwork 1",
        members=[make_org("roots", name="Roots")],
        audio_url="https://audio.example.org/1.mp3",
        description='<p>Talk</p><script>x()</script><img src="https://t.example/p.gif">',
        duration_seconds=1830,
    )

    response = client.get(f"/listen/episodes/{episode.id}")
    html = response.get_data(as_text=True)

    assert '<a class="button button-primary" href="https://audio.example.org/1.mp3"' in html
    assert threats(body_of(html)) == []
    assert "<audio" not in html and "<iframe" not in html
    assert "31 min" in text_of(response)
    assert 'href="/organizations/roots"' in html


def test_the_home_pages_four_verbs_are_doors(client, make_coalition, read_links):
    make_coalition()

    doors = read_links(client.get("/"), "verb-list")

    assert doors["Listen"] == "/listen"
    assert doors["Amplify"] == "/organizations/allmep#share-title"
    assert doors["Engage"] == "/engage"
    assert doors["Support"] == "/organizations"
    assert doors["Give to the coalition"] == "/donate"


def test_a_member_page_groups_its_actions_under_the_four_verbs(
    client, make_org, make_statement, read_links
):
    make_statement(make_org("roots"))

    verbs = read_links(client.get("/organizations/roots"), "verb-nav")

    assert verbs == {
        "Listen": "#voices-title",
        "Amplify": "#share-title",
        "Support": "#donate-title",
    }
