"""The podcast refresh fetches its feed with no write lock held: the feed's server may take its
time (up to PODCAST_TIMEOUT), and every other writer would wait behind it."""

from __future__ import annotations

import pytest

from portal.listen import podcast
from tests.helpers.locks import other_writer_gets_the_lock
from tests.listen.helpers import item, rss

EPISODES = "/staff/listen/episodes"


@pytest.fixture
def lock_during_fetch(monkeypatch, database_url) -> list[bool]:
    """Whether another writer could take the lock, once per feed fetch, at the moment it starts."""
    seen: list[bool] = []
    fetch = podcast.fetch

    def watched(url: str, **limits) -> bytes:
        seen.append(other_writer_gets_the_lock(database_url))
        return fetch(url, **limits)

    monkeypatch.setattr(podcast, "fetch", watched)
    return seen


def test_the_refresh_button_fetches_the_feed_without_the_write_lock(
    app, feed_server, login_as, post_form, lock_during_fetch
):
    app.config["PODCAST_FEED_URL"] = feed_server.serve("/feed.xml", rss(item("ep-1")))
    login_as()

    response = post_form(f"{EPISODES}/refresh", page=EPISODES, follow_redirects=True)

    assert "Podcast refreshed: 1 added" in response.get_data(as_text=True)
    assert lock_during_fetch == [True]


def test_import_podcast_fetches_the_feed_without_the_write_lock(
    runner, feed_server, lock_during_fetch
):
    result = runner.invoke(args=["import-podcast", feed_server.serve("/feed.xml", rss(item()))])

    assert result.exit_code == 0, result.output
    assert lock_during_fetch == [True]
