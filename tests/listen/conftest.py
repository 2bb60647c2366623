"""Listen fixtures: statements and episodes written as staff or the importer would."""

from __future__ import annotations

import contextlib
import re
import threading
from datetime import timedelta
from html import unescape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from portal.models import Episode, Organization, PublicationStatus, Statement
from tests.helpers.clock import NOW


@pytest.fixture
def app_config(app_config):
    return {**app_config, "LANGUAGES": ["en", "ar", "he"], "LISTEN_PAGE_SIZE": 3}


@pytest.fixture
def read_links():
    """Factory: ``{text: href}`` of the links inside the element of class ``css_class``."""

    def _read(response, css_class: str) -> dict[str, str]:
        html = response.get_data(as_text=True)
        start = html.index(f'class="{css_class}"')
        opening = html.rindex("<", 0, start)
        tag = html[opening + 1 : html.index(" ", opening)]
        block = html[start : html.index(f"</{tag}>", start)]
        links = re.findall(r'<a href="([^"]+)">([^<]+)</a>', block)
        return {unescape(text).strip(): unescape(href) for href, text in links}

    return _read


@pytest.fixture
def make_statement(db_session):
    """Factory: a published statement of ``org`` from ``days_ago`` days ago."""

    def _make(org: Organization, title: str = "We keep meeting", **fields) -> Statement:
        days_ago = fields.pop("days_ago", 1)
        fields.setdefault("status", PublicationStatus.PUBLISHED)
        if fields["status"] == PublicationStatus.PUBLISHED:
            fields.setdefault("published_at", NOW - timedelta(days=days_ago))
        fields.setdefault("summary", f"Summary of {title}.")
        fields.setdefault("body", f"The text of *{title}*.")
        statement = Statement(organization_id=org.id, title=title, **fields)
        db_session.add(statement)
        db_session.commit()
        return statement

    return _make


@pytest.fixture
def make_episode(db_session):
    """Factory: an imported episode, optionally with the members who speak in it."""

    def _make(title: str = "Episode one", *, members=(), days_ago: int = 1, **fields) -> Episode:
        fields.setdefault("guid", f"guid-{title}")
        fields.setdefault("description", f"<p>About {title}.</p>")
        fields.setdefault("audio_url", f"https://audio.example.org/{len(title)}.mp3")
        episode = Episode(title=title, published_at=NOW - timedelta(days=days_ago), **fields)
        episode.members = list(members)
        db_session.add(episode)
        db_session.commit()
        return episode

    return _make


class _FeedHandler(BaseHTTPRequestHandler):
    def do_GET(self):
        status, body = self.server.routes.get(self.path, (404, b"not found"))
        self.send_response(status)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        # The portal stops reading a feed past its size limit.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def feed_server():
    """A real HTTP server on loopback: ``feed_server.serve("/feed.xml", body)`` returns its URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FeedHandler)
    server.routes = {}
    server.daemon_threads = True

    def serve(path: str, body: bytes, status: int = 200) -> str:
        server.routes[path] = (status, body)
        return f"http://127.0.0.1:{server.server_port}{path}"

    server.serve = serve
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
