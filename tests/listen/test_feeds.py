"""The Atom feeds, read back by a real feed parser as any feed reader would."""

from __future__ import annotations

import feedparser

from portal.models import PublicationStatus


def parse(client, url: str):
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


def test_the_listen_feed_is_valid_atom_with_each_entrys_language(
    client, make_org, make_statement, make_episode
):
    org = make_org("roots", name="Roots")
    make_statement(org, "Neighbours", language="en", body="We **meet**.", days_ago=3)
    make_statement(org, "جيران", language="ar", days_ago=2)
    make_episode("Groundwork 1", members=[org], days_ago=1, audio_url="https://a.example/1.mp3")
    make_statement(org, "Draft", status=PublicationStatus.DRAFT)

    feed = parse(client, "/listen/feed.atom")

    assert feed.version == "atom10"
    assert feed.feed.language == "en"
    assert [e.title for e in feed.entries] == ["Groundwork 1", "جيران", "Neighbours"]
    assert [e.title_detail.language for e in feed.entries] == ["en", "ar", "en"]
    neighbours = feed.entries[2]
    assert neighbours.link == "http://portal.test/listen/statements/1"
    assert neighbours.author == "Roots"
    assert "<strong>meet</strong>" in neighbours.content[0].value
    [enclosure] = feed.entries[0].enclosures
    assert enclosure.href == "https://a.example/1.mp3"


def test_a_members_feed_holds_only_that_member(client, make_org, make_statement, make_episode):
    roots = make_org("roots", name="Roots")
    make_statement(roots, "From Roots")
    make_episode("With Roots", members=[roots])
    make_statement(make_org("ecopeace"), "From EcoPeace")
    make_episode("Without Roots")

    feed = parse(client, "/listen/members/roots/feed.atom")

    assert sorted(e.title for e in feed.entries) == ["From Roots", "With Roots"]
    assert feed.feed.title.startswith("Roots: statements and podcast")


def test_feed_content_carries_no_script(client, make_org, make_statement):
    make_statement(make_org("roots"), body="<script>alert(1)</script> [x](javascript:alert(1))")

    [entry] = parse(client, "/listen/feed.atom").entries

    assert "<script" not in entry.content[0].value
    assert "javascript:" not in entry.content[0].value.replace("(javascript:", "")


def test_an_empty_feed_is_still_valid(client):
    assert parse(client, "/listen/feed.atom").entries == []


def test_an_unknown_members_feed_is_404(client):
    assert client.get("/listen/members/nobody/feed.atom").status_code == 404
