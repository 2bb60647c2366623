"""Donor privacy: nothing loads from another origin, and no IP address is kept anywhere."""

from __future__ import annotations

import logging
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import MetaData, select

from portal.models import HandoffMode, Referral
from portal.state import portal_state

VISITOR_IP = "203.0.113.77"
OTHER_IP = "198.51.100.23"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"

PAGES = [
    "/",
    "/organizations",
    "/organizations?q=roots&focus=dialogue",
    "/organizations/roots",
    "/organizations/parents-circle",
    "/donate",
    "/organizations/nowhere",
    "/organizations?page=0",
]
PAGE_IDS = ["home", "list", "search", "member", "stripe-member", "donate", "404", "400"]

# (tag, attribute) pairs a browser fetches on its own while rendering a page.
_FETCHED = {
    ("script", "src"),
    ("link", "href"),
    ("img", "src"),
    ("img", "srcset"),
    ("iframe", "src"),
    ("frame", "src"),
    ("source", "src"),
    ("source", "srcset"),
    ("video", "src"),
    ("video", "poster"),
    ("audio", "src"),
    ("embed", "src"),
    ("object", "data"),
    ("input", "src"),
    ("track", "src"),
}
_CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)")


class _Resources(HTMLParser):
    """Every URL a page makes the browser fetch, and any inline script or style."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self.inline: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name, value in attrs.items():
            if (tag, name) in _FETCHED and value:
                self.urls += [part.split()[0] for part in value.split(",") if part.strip()]
        if tag in {"iframe", "frame", "embed", "object"}:
            self.inline.append(f"<{tag}>")
        if "style" in attrs:
            self.inline.append(f"<{tag} style>")
            self.urls += _CSS_URL.findall(attrs["style"] or "")
        if tag == "style":
            self.inline.append("<style>")
        self._in_script = tag == "script" and "src" not in attrs

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.inline.append("<script> with code")

    def handle_endtag(self, tag):
        self._in_script = False


def resources(response) -> _Resources:
    parser = _Resources()
    parser.feed(response.get_data(as_text=True))
    parser.close()
    return parser


@pytest.fixture
def site(make_org, make_coalition):
    make_coalition()
    make_org(
        "roots",
        website="https://roots.example.org",
        listen_url="https://podcasts.example.net/roots",
        engage_url="https://roots.example.org/volunteer",
    )
    make_org("parents-circle", handoff_mode=HandoffMode.STRIPE)


@pytest.mark.parametrize("path", PAGES, ids=PAGE_IDS)
@pytest.mark.usefixtures("site")
def test_page_loads_nothing_from_another_origin(client, path):
    response = client.get(path)

    foreign = [
        url for url in resources(response).urls if urlsplit(url).netloc not in {"", "portal.test"}
    ]
    assert foreign == []


@pytest.mark.parametrize("path", PAGES, ids=PAGE_IDS)
@pytest.mark.usefixtures("site")
def test_page_has_no_inline_code_or_frames(client, path):
    response = client.get(path)

    assert resources(response).inline == []


@pytest.mark.parametrize("path", [*PAGES, "/static/portal.css"], ids=[*PAGE_IDS, "css"])
@pytest.mark.usefixtures("site")
def test_every_response_carries_a_same_origin_content_security_policy(client, path):
    with client.get(path) as response:
        policy = response.headers["Content-Security-Policy"]

    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert directives["frame-ancestors"] == "'none'"


@pytest.mark.parametrize("path", PAGES, ids=PAGE_IDS)
@pytest.mark.usefixtures("site")
def test_page_sends_other_sites_at_most_its_origin(client, path):
    response = client.get(path)

    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


@pytest.mark.parametrize("path", ["/", "/organizations", "/organizations?q=roots"])
@pytest.mark.usefixtures("site")
def test_browsing_the_directory_sets_no_cookie(client, path):
    response = client.get(path)

    assert "Set-Cookie" not in response.headers


# No IP address, anywhere


def everything_stored(app) -> str:
    """Every row of every table in the database, as text."""
    engine = portal_state(app).database.engine
    tables = MetaData()
    tables.reflect(bind=engine)
    with engine.connect() as conn:
        return "\n".join(
            f"{table.name}: {row}"
            for table in tables.sorted_tables
            for row in conn.execute(select(table))
        )


def everything_logged(caplog) -> str:
    return "\n".join(
        f"{record.getMessage()} {record.args!r} {record.__dict__!r}" for record in caplog.records
    )


@pytest.fixture
def visitor(client):
    """The donor's browser, from a fixed address."""
    client.environ_base.update(REMOTE_ADDR=VISITOR_IP, HTTP_USER_AGENT=BROWSER)
    return client


@pytest.mark.usefixtures("site")
def test_a_visit_and_hand_off_keep_no_trace_of_the_address(app, visitor, csrf_token, caplog):
    caplog.set_level(logging.DEBUG)
    visitor.get("/?utm_source=newsletter&utm_campaign=spring")
    token = csrf_token("/organizations/roots")

    donated = visitor.post("/go/roots", data={"csrf_token": token})
    shared = visitor.get("/go/roots")

    stored = everything_stored(app)
    assert stored.count("referral: ") == 2
    assert VISITOR_IP not in stored
    assert VISITOR_IP not in everything_logged(caplog)
    for response in (donated, shared):
        assert VISITOR_IP not in str(response.headers)
    with visitor.session_transaction() as cookie:
        assert VISITOR_IP not in str(dict(cookie))
    spool = Path(app.config["REFERRAL_SPOOL"])
    assert not spool.exists() or VISITOR_IP not in spool.read_text()


def visitor_hashes(db_session) -> list[str]:
    db_session.rollback()  # a new transaction sees what other connections committed
    return [row.visitor_hash for row in db_session.scalars(select(Referral).order_by(Referral.id))]


def hand_off(client, slug: str, ip: str, user_agent: str = BROWSER) -> None:
    response = client.get(
        f"/go/{slug}", environ_base={"REMOTE_ADDR": ip, "HTTP_USER_AGENT": user_agent}
    )
    assert response.status_code == 302


@pytest.mark.usefixtures("site")
def test_visitor_hash_is_stable_for_the_same_visitor_member_and_day(client, db_session):
    hand_off(client, "roots", VISITOR_IP)
    hand_off(client, "roots", VISITOR_IP)

    first, second = visitor_hashes(db_session)

    assert first == second
    assert first and VISITOR_IP not in first


@pytest.mark.usefixtures("site")
def test_visitor_hash_differs_for_a_different_address(client, db_session):
    hand_off(client, "roots", VISITOR_IP)
    hand_off(client, "roots", OTHER_IP)

    first, second = visitor_hashes(db_session)

    assert first != second


@pytest.mark.usefixtures("site")
def test_visitor_hash_differs_for_a_different_browser(client, db_session):
    hand_off(client, "roots", VISITOR_IP)
    hand_off(client, "roots", VISITOR_IP, user_agent=BROWSER.replace("128", "129"))

    first, second = visitor_hashes(db_session)

    assert first != second


@pytest.mark.usefixtures("site")
def test_visitor_hash_cannot_link_one_visitor_across_members(client, make_org, db_session):
    make_org("ecopeace")
    hand_off(client, "roots", VISITOR_IP)
    hand_off(client, "ecopeace", VISITOR_IP)

    first, second = visitor_hashes(db_session)

    assert first != second
