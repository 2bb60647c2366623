"""No value a visitor sends reaches a page as markup: every route, every parameter, every field."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

# Markup that would add an element, an attribute and a script URL if printed unescaped.
HOSTILE = "javascript:alert(1)//'\"><x-inj data-inj=1><img src=x onerror=alert(1)>"
_URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href"}


class _Injected(HTMLParser):
    """Every element or attribute on a page that only the hostile value could have put there."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "x-inj":
            self.found.append("<x-inj> element")
        for name, value in attrs:
            if name == "data-inj" or name.startswith("on"):
                self.found.append(f"{name}= on <{tag}>")
            if name in _URL_ATTRIBUTES and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"{name}={value!r} on <{tag}>")

    handle_startendtag = handle_starttag


def injected(method: str, where: str, response) -> list[str]:
    if not (response.mimetype or "").endswith("html"):
        return []
    parser = _Injected()
    parser.feed(response.get_data(as_text=True))
    parser.close()
    return [f"{method} {where} ({response.status_code}): {found}" for found in parser.found]


# The hostile walk this test process made: what it found, and every (method, address) it sent.
_WALKED: dict[str, tuple[list[str], list[str]]] = {}


def hostile_walk(walker) -> tuple[list[str], list[str]]:
    """Every route, parameter and field walked with ``HOSTILE``: the markup it put on pages, and
    every request sent. Walked once per test process for the two tests that read it (each app
    of the suite has the same routes and data); tests.helpers.scheduling keeps them together."""
    if "hostile" not in _WALKED:
        seen: list[str] = []

        def _check(method, where, response):
            seen.append(f"{method} {where.split(' ')[0]}")
            return injected(method, where, response)

        problems = walker.walk(HOSTILE, _check, path_value=HOSTILE.replace("/", ""))
        _WALKED["hostile"] = (problems, seen)
    return _WALKED["hostile"]


def test_no_typed_value_reaches_any_page_as_markup(walker):
    problems, _seen = hostile_walk(walker)

    assert problems == []


@pytest.mark.usefixtures("walker")
def test_a_typed_recipient_on_the_staff_report_is_shown_as_text(client):
    response = client.get("/staff/reports/", query_string={"member": HOSTILE})

    assert response.status_code == 400
    assert injected("GET", "/staff/reports/", response) == []
    assert "&lt;x-inj data-inj=1&gt;" in response.get_data(as_text=True)


def test_the_walk_reaches_every_route(walker, app):
    _problems, seen = hostile_walk(walker)

    rules = [r for r in app.url_map.iter_rules() if r.endpoint != "static"]
    assert len({where.split(" ")[1] for where in seen}) >= len(rules)
