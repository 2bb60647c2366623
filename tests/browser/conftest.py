"""A live portal in a background thread, and a real Chromium driving it through Playwright.

The browser may only talk to the live portal and to ``https://member.example``, a local stand-in
for members' own donation pages: Chromium's own resolver maps that name to a local HTTPS server
and every other name to nowhere, so a test never reaches the internet. A test that asserts no
page calls a third party asks for ``offsite_requests``, which records each request to another host.

The fence is the resolver's rather than Playwright's ``route``: routing sends every request of
every page through this process and turns off the browser's cache, so each page of a walk
fetched its stylesheet, script and fonts again.
"""

from __future__ import annotations

import os
import shutil
import ssl
import subprocess
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

from portal import create_app, dispose
from portal.state import portal_state
from tests.helpers.serving import serve_in_background

# Debian's headless shell of Chromium (package chromium-headless-shell: the same Blink and V8
# without the desktop browser around them; Playwright's own choice for headless runs) where it is
# installed, else the whole browser. The browser tests alone took 112 s of CPU with the shell and
# 167 s with the whole browser (Chromium 156, two workers); the whole suite, which keeps both cores
# busy, 390 s of CPU and 203 s with the shell, 490 s and 253 s without (2026-12-01).
CHROMIUMS = (Path("/usr/bin/chromium-headless-shell"), Path("/usr/bin/chromium"))
CHROMIUM = next((path for path in CHROMIUMS if path.exists()), CHROMIUMS[-1])
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
MEMBER_HOST = "member.example"
ALLOWED_HOSTS = {"127.0.0.1", "localhost", MEMBER_HOST}
MEMBER_PAGE = b"<!doctype html><title>Give</title><h1>Thank you for giving</h1>"


@pytest.fixture
def app_config(app_config):
    """The shared config, served over plain HTTP on whatever host and port the server gets."""
    return {**app_config, "SERVER_NAME": None, "SESSION_COOKIE_SECURE": False}


@pytest.fixture
def serve():
    """Factory: ``serve(app)`` serves ``app`` on a free local port and returns its base URL."""
    running = []

    def _serve(app) -> str:
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = serve_in_background(server, name="live-portal")
        running.append((app, server, thread))
        return f"http://127.0.0.1:{server.server_port}"

    yield _serve
    for app, server, thread in running:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        # The hand-off's writer keeps its own connection, which disposing the engine leaves
        # open; closed here, it cannot be collected (and warned about) during a later test.
        portal_state(app).referrals.writer.close()


@pytest.fixture(scope="session")
def demo_template(migrated_template, tmp_path_factory) -> Path | None:
    """A SQLite database with the demo directory loaded once per test process (``seed-demo``
    takes seconds), for each live portal to copy; None on PostgreSQL, where each test loads it."""
    if isinstance(migrated_template, str):
        return None
    folder = tmp_path_factory.mktemp("demo")
    path = folder / "portal.db"
    shutil.copyfile(migrated_template, path)
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "demo-template",
            "DATABASE_URL": f"sqlite:///{path}",
            "REFERRAL_SPOOL": str(folder / "spool" / "referrals.jsonl"),
            "STATIC_BUILD_DIR": str(folder / "static-build"),
            "MAIL_OUTBOX_DIR": str(folder / "outbox"),
            "MAIL_SEND_IN_BACKGROUND": False,
        }
    )
    try:
        result = app.test_cli_runner().invoke(args=["seed-demo"])
        assert result.exit_code == 0, result.output
    finally:
        dispose(app)
    return path


@pytest.fixture
def database_url(request, database_url, demo_template, tmp_path):
    """A test served live starts from the demo directory: a copy of ``demo_template``."""
    if demo_template is None or "live_server" not in request.fixturenames:
        return database_url
    path = tmp_path / "portal.db"
    shutil.copyfile(demo_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def live_server(app, runner, serve, demo_template) -> str:
    """The portal with the demo directory loaded, served live: its base URL."""
    if demo_template is None:
        result = runner.invoke(args=["seed-demo"])
        assert result.exit_code == 0, result.output
    return serve(app)


class _MemberPage(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(MEMBER_PAGE)))
        self.end_headers()
        self.wfile.write(MEMBER_PAGE)

    def log_message(self, format, *args):
        pass


class _MemberSite(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # A page the browser left before it loaded hangs up mid-answer (over TLS, an EOF):
        # as any web server would, say nothing. Anything else is printed as usual.
        if not isinstance(sys.exc_info()[1], ssl.SSLEOFError | ConnectionError):
            super().handle_error(request, client_address)


@pytest.fixture(scope="session")
def member_site(tmp_path_factory):
    """``https://member.example`` served on a free local port (self-signed); yields the port."""
    directory = tmp_path_factory.mktemp("member-site")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            *["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"],
            *("-subj", f"/CN={MEMBER_HOST}", "-addext", f"subjectAltName=DNS:{MEMBER_HOST}"),
            *("-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
    )
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert, key)
    server = _MemberSite(("127.0.0.1", 0), _MemberPage)
    server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = serve_in_background(server, name="member-site")
    yield server.server_address[1]
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser(request):
    """One headless Chromium for the run; skipped without one unless REQUIRE_BROWSER=1."""
    if not CHROMIUM.exists():
        reason = f"no Chromium at {CHROMIUM}: the browser tests need it"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    member_port = request.getfixturevalue("member_site")
    resolve = (
        f"--host-resolver-rules=MAP {MEMBER_HOST} 127.0.0.1:{member_port}, MAP * ~NOTFOUND, "
        "EXCLUDE 127.0.0.1, EXCLUDE localhost"
    )
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=[*CHROMIUM_ARGS, resolve]
        )
        yield chromium
        chromium.close()
    finally:
        playwright.stop()


@pytest.fixture
def page(browser):
    """A fresh browser tab (own cookies and cache) at desktop size."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="en-GB", ignore_https_errors=True
    )
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def offsite_requests(page) -> list[str]:
    """URLs the tab tried to fetch from any other host (none of them resolves)."""
    seen: list[str] = []

    def _record(request):
        where = urlsplit(request.url)
        if where.scheme not in {"data", "blob"} and where.hostname not in ALLOWED_HOSTS:
            seen.append(request.url)

    page.context.on("request", _record)
    return seen
