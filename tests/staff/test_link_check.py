"""check-links against a local web server: working, missing, HEAD-shy, slow and absent sites."""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from portal.models import LinkCheck
from portal.staff.links import USER_AGENT
from tests.helpers.pages import text_of
from tests.helpers.serving import serve_in_background
from tests.helpers.staff import fresh


@dataclass
class Site:
    base: str
    seen: list[tuple[str, str, str]] = field(default_factory=list)


@pytest.fixture
def app_config(app_config):
    return {**app_config, "LINK_CHECK_ALLOW_HTTP_LOOPBACK": True, "LINK_CHECK_TIMEOUT": 0.5}


@pytest.fixture
def site():
    """A web server on 127.0.0.1 with one path per way a donation page can answer."""
    release = threading.Event()
    seen: list[tuple[str, str, str]] = []

    def answer(environ, start_response):
        method, path = environ["REQUEST_METHOD"], environ["PATH_INFO"]
        seen.append((method, path, environ.get("HTTP_USER_AGENT", "")))
        status = "200 OK"
        if path == "/missing":
            status = "404 Not Found"
        elif path == "/no-head" and method == "HEAD":
            status = "405 Method Not Allowed"
        elif path == "/slow":
            release.wait(5)
        start_response(status, [("Content-Type", "text/plain"), ("Content-Length", "2")])
        return [b"ok"]

    server = make_server("127.0.0.1", 0, answer, threaded=True)
    thread = serve_in_background(server, name="link-target")
    yield Site(f"http://127.0.0.1:{server.port}", seen)
    release.set()
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def last_check(db_session, org) -> LinkCheck:
    return fresh(db_session).scalar(select(LinkCheck).filter_by(organization_id=org.id))


def test_working_page_is_recorded_with_its_status(runner, site, make_org, db_session):
    org = make_org("roots", donation_url=f"{site.base}/ok")

    result = runner.invoke(args=["check-links"])

    assert result.exit_code == 0, result.output
    assert "1 working, 0 broken." in result.output
    check = last_check(db_session, org)
    assert (check.ok, check.status_code, check.error) == (True, 200, None)
    assert site.seen == [("HEAD", "/ok", USER_AGENT)]


def test_missing_page_is_broken_with_its_status(runner, site, make_org, db_session):
    org = make_org("roots", donation_url=f"{site.base}/missing")

    result = runner.invoke(args=["check-links"])

    assert "Broken: roots (HTTP 404)" in result.output
    check = last_check(db_session, org)
    assert (check.ok, check.status_code) == (False, 404)


def test_server_refusing_head_is_asked_again_with_get(runner, site, make_org, db_session):
    org = make_org("roots", donation_url=f"{site.base}/no-head")

    runner.invoke(args=["check-links"])

    assert [(method, path) for method, path, _ua in site.seen] == [
        ("HEAD", "/no-head"),
        ("GET", "/no-head"),
    ]
    assert last_check(db_session, org).status_code == 200


def test_slow_site_times_out(runner, site, make_org, db_session):
    org = make_org("roots", donation_url=f"{site.base}/slow")

    result = runner.invoke(args=["check-links", "--timeout", "0.2"])

    assert "Broken: roots (timed out)" in result.output
    check = last_check(db_session, org)
    assert (check.ok, check.status_code, check.error) == (False, None, "timed out")


def test_site_that_is_not_there_is_connection_refused(runner, closed_port, make_org, db_session):
    org = make_org("roots", donation_url=f"http://127.0.0.1:{closed_port}/donate")

    runner.invoke(args=["check-links"])

    assert last_check(db_session, org).error == "connection refused"


def test_plain_http_is_never_requested_outside_tests(app, runner, site, make_org, db_session):
    app.config["LINK_CHECK_ALLOW_HTTP_LOOPBACK"] = False
    org = make_org("roots", donation_url=f"{site.base}/ok")

    runner.invoke(args=["check-links"])

    assert site.seen == []
    assert last_check(db_session, org).error == "not an https address"


def test_a_new_check_replaces_the_last_one(runner, site, make_org, db_session):
    org = make_org("roots", donation_url=f"{site.base}/missing")
    runner.invoke(args=["check-links"])
    org.donation_url = f"{site.base}/ok"
    db_session.commit()

    runner.invoke(args=["check-links"])

    assert fresh(db_session).scalars(select(LinkCheck)).all() == [last_check(db_session, org)]
    assert last_check(db_session, org).ok


def test_recipients_without_a_donation_page_are_skipped(runner, site, make_org):
    make_org("parents-circle", donation_url=None)

    result = runner.invoke(args=["check-links"])

    assert "0 working, 0 broken." in result.output
    assert site.seen == []


def test_directory_list_highlights_broken_links(client, runner, site, make_org, login_as):
    make_org("roots", donation_url=f"{site.base}/ok")
    make_org("gone", donation_url=f"{site.base}/missing")
    runner.invoke(args=["check-links"])
    login_as()

    response = client.get("/staff/organizations/")

    page = text_of(response)
    assert "Roots roots active external Working (HTTP 200, checked" in page
    assert "Gone gone active external Broken HTTP 404" in page
    assert response.get_data(as_text=True).count('<tr class="row-broken">') == 1


def test_a_changed_address_shows_as_not_checked_yet(
    client, runner, site, make_org, login_as, db_session
):
    org = make_org("roots", donation_url=f"{site.base}/missing")
    runner.invoke(args=["check-links"])
    org.donation_url = "https://roots.example.org/new"
    db_session.commit()
    login_as()

    page = text_of(client.get("/staff/organizations/"))

    assert "Roots roots active external not checked yet" in page
