"""Importing the podcast from a real RSS 2.0 + iTunes feed served over HTTP on loopback."""

from __future__ import annotations

import socket

import pytest
from sqlalchemy import func, select

from portal.models import Episode
from tests.helpers.staff import fresh
from tests.listen.helpers import item, rss, threats


def episodes(db_session) -> dict[str, Episode]:
    return {e.guid: e for e in fresh(db_session).scalars(select(Episode))}


def test_a_good_feed_imports_every_episode_with_its_details(runner, feed_server, db_session):
    url = feed_server.serve("/feed.xml", rss(item("ep-1"), item("ep-2", "Second", duration="2950")))

    result = runner.invoke(args=["import-podcast", url])

    assert result.exit_code == 0, result.output
    assert "2 episode(s) added, 0 updated, 0 unchanged, 0 skipped" in result.output
    first = episodes(db_session)["ep-1"]
    assert first.title == "Listening across lines"
    assert first.published_at.isoformat() == "2026-11-03T07:30:00+00:00"
    assert first.duration_seconds == 3723
    assert first.audio_url == "https://cdn.example.org/ep-1.mp3"
    assert first.page_url == "https://groundwork.example.org/episodes/ep-1"
    assert first.language == "en"
    assert episodes(db_session)["ep-2"].duration_seconds == 2950


def test_the_imported_episodes_appear_on_listen(runner, feed_server, client):
    runner.invoke(args=["import-podcast", feed_server.serve("/feed.xml", rss(item()))])

    assert "Listening across lines" in client.get("/listen").get_data(as_text=True)


def test_a_reimport_adds_no_duplicate_and_keeps_staff_edits(runner, feed_server, db_session):
    url = feed_server.serve("/feed.xml", rss(item("ep-1"), item("ep-2", "Second")))
    runner.invoke(args=["import-podcast", url])
    edited = episodes(db_session)["ep-1"]
    edited.title, edited.staff_edited = "Staff's better title", True
    db_session.commit()
    feed_server.serve(
        "/feed.xml",
        rss(
            item("ep-1", "Feed's new title", duration="10:00"),
            item("ep-2", "Second, renamed"),
            item("ep-3", "Third"),
        ),
    )

    result = runner.invoke(args=["import-podcast", url])

    assert "1 episode(s) added, 2 updated" in result.output
    found = episodes(db_session)
    assert sorted(found) == ["ep-1", "ep-2", "ep-3"]
    assert found["ep-1"].title == "Staff's better title"
    assert found["ep-1"].duration_seconds == 600  # what staff did not edit follows the feed
    assert found["ep-2"].title == "Second, renamed"


def test_importing_the_same_feed_twice_changes_nothing(runner, feed_server):
    url = feed_server.serve("/feed.xml", rss(item("ep-1"), item("ep-2", "Second")))
    runner.invoke(args=["import-podcast", url])

    result = runner.invoke(args=["import-podcast", url])

    assert "0 episode(s) added, 0 updated, 2 unchanged" in result.output


def test_a_malformed_feed_is_refused_whole(runner, feed_server, db_session):
    truncated = rss(item("ep-1"), item("ep-2"))[:-120]
    url = feed_server.serve("/broken.xml", truncated)

    result = runner.invoke(args=["import-podcast", url])

    assert result.exit_code == 1
    assert "This is not a readable RSS or Atom feed; nothing was imported." in result.output
    assert episodes(db_session) == {}


def test_a_web_page_instead_of_a_feed_is_refused(runner, feed_server, db_session):
    url = feed_server.serve("/page.html", b"<!doctype html><html><body>Hello</body></html>")

    result = runner.invoke(args=["import-podcast", url])

    assert result.exit_code == 1
    assert "not a readable RSS or Atom feed" in result.output
    assert episodes(db_session) == {}


def test_entries_without_an_id_title_or_date_are_skipped_and_counted(
    runner, feed_server, db_session
):
    undated = "<item><guid>ep-x</guid><title>No date</title></item>"
    untitled = "<item><guid>ep-y</guid><pubDate>Tue, 03 Nov 2026 09:30:00 +0000</pubDate></item>"
    url = feed_server.serve("/partial.xml", rss(item("ep-1"), undated, untitled))

    result = runner.invoke(args=["import-podcast", url])

    assert "1 episode(s) added, 0 updated, 0 unchanged, 2 skipped" in result.output
    assert sorted(episodes(db_session)) == ["ep-1"]


def test_a_20_mb_feed_is_refused_without_reading_it_all(runner, feed_server, db_session, app):
    app.config["PODCAST_MAX_BYTES"] = 1024 * 1024
    padding = item("ep-pad", description="x" * (20 * 1024 * 1024))
    url = feed_server.serve("/huge.xml", rss(item("ep-1"), padding))

    result = runner.invoke(args=["import-podcast", url])

    assert result.exit_code == 1
    assert "The feed is larger than 1 MB; nothing was imported." in result.output
    assert episodes(db_session) == {}


def test_an_unreachable_feed_says_so(runner, db_session):
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    result = runner.invoke(args=["import-podcast", f"http://127.0.0.1:{port}/feed.xml"])

    assert result.exit_code == 1
    assert "The feed could not be reached" in result.output
    assert episodes(db_session) == {}


def test_an_error_answer_says_so(runner, feed_server):
    url = feed_server.serve("/gone.xml", b"gone", status=410)

    result = runner.invoke(args=["import-podcast", url])

    assert "The feed could not be reached (410)." in result.output


@pytest.mark.parametrize("url", ["file:///etc/passwd", "javascript:alert(1)", "ftp://x/feed"])
def test_only_web_addresses_are_fetched(runner, url):
    result = runner.invoke(args=["import-podcast", url])

    assert result.exit_code == 1
    assert "The feed address must start with https:// or http://." in result.output


def test_scripts_in_descriptions_and_hostile_links_never_reach_a_page(
    runner, feed_server, db_session, client
):
    hostile = (
        '<p onclick="steal()">Talk</p><script>alert(1)</script>'
        '<img src="https://tracker.example/p.gif"><a href="javascript:alert(1)">x</a>'
        '<iframe src="https://player.example"></iframe>'
    )
    bad_link = item("ep-2", "Bad link").replace(
        "https://groundwork.example.org/episodes/ep-2", "javascript:alert(2)"
    )
    url = feed_server.serve("/feed.xml", rss(item("ep-1", description=hostile), bad_link))

    runner.invoke(args=["import-podcast", url])

    found = episodes(db_session)
    assert threats(found["ep-1"].description) == []
    assert "Talk" in found["ep-1"].description
    assert found["ep-2"].page_url is None
    html = client.get(f"/listen/episodes/{found['ep-1'].id}").get_data(as_text=True)
    assert "<script>alert" not in html and "tracker.example" not in html


def test_the_feed_language_is_kept_for_each_episode(runner, feed_server, db_session):
    url = feed_server.serve("/ar.xml", rss(item("ep-1", "حلقة"), language="ar-PS"))

    runner.invoke(args=["import-podcast", url])

    assert episodes(db_session)["ep-1"].language == "ar"


def test_without_a_url_or_setting_the_command_explains(runner):
    result = runner.invoke(args=["import-podcast"])

    assert result.exit_code == 2
    assert "Give the feed's URL, or set PODCAST_FEED_URL." in result.output


def test_the_configured_feed_is_used_without_a_url(runner, feed_server, app, db_session):
    app.config["PODCAST_FEED_URL"] = feed_server.serve("/feed.xml", rss(item()))

    result = runner.invoke(args=["import-podcast"])

    assert result.exit_code == 0
    assert db_session.scalar(select(func.count(Episode.id))) == 1
