"""Walk every route of the app with chosen values in every parameter and form field it reads.

Routes come from ``app.url_map``, so a page added later is walked without touching the tests.
The fields of a route are found twice over: the query and form keys the app asks for while it
answers (a recording request class), and the fields of every form on the pages that were seen.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import quote, urlsplit

from flask import Flask, Request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter, Rule

ASKED: set[str] = set()
_FIELDS = {"input", "select", "textarea", "button"}
_VARIABLE = re.compile(r"<(?:[^<>:]+:)?(\w+)>")


class _RecordingDict(ImmutableMultiDict):
    """Query and form data that remembers which keys the app asked for."""

    def __getitem__(self, key):
        ASKED.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None, type=None):
        ASKED.add(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):
        ASKED.add(key)
        return super().getlist(key, type)

    def __contains__(self, key):
        ASKED.add(key)
        return super().__contains__(key)


class RecordingRequest(Request):
    parameter_storage_class = _RecordingDict


@dataclass
class Page:
    """What the walk learnt from the HTML it was answered with."""

    forms: dict[tuple[str, str], set[str]] = field(default_factory=dict)


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: dict[tuple[str, str], set[str]] = {}
        self._current: set[str] | None = None

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "form":
            key = (
                (values.get("method") or "get").upper(),
                urlsplit(values.get("action") or "").path,
            )
            self._current = self.forms.setdefault(key, set())
        elif self._current is not None and tag in _FIELDS and values.get("name"):
            self._current.add(values["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def forms_on(html: str) -> dict[tuple[str, str], set[str]]:
    """``{(method, action path): field names}`` of the forms on a page."""
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def rules(app: Flask) -> list[Rule]:
    """Every route but static files; logging out last, since it ends the walking session."""
    found = [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]
    return sorted(found, key=lambda rule: (rule.endpoint.endswith("logout"), rule.rule))


def paths(rule: Rule, known: dict[str, object], hostile: str) -> Iterator[str]:
    """The rule's address with known good values, and with ``hostile`` in each text argument."""
    good = {name: _value(rule, name, known) for name in rule.arguments}
    yield _build(rule, good)
    for name in rule.arguments:
        if not isinstance(rule._converters[name], IntegerConverter):
            yield _build(rule, {**good, name: hostile})


def methods(rule: Rule) -> list[str]:
    return sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})


def keys_asked(send: Callable[[], object]) -> set[str]:
    """The query and form keys the app read while answering ``send()``."""
    ASKED.clear()
    send()
    return set(ASKED) - {"csrf_token"}


def _value(rule: Rule, name: str, known: dict[str, object]) -> str:
    if name in known:
        return str(known[name])
    return "1" if isinstance(rule._converters[name], IntegerConverter) else "x"


def _build(rule: Rule, values: dict[str, str]) -> str:
    return _VARIABLE.sub(lambda match: quote(str(values[match[1]]), safe=""), rule.rule)


Check = Callable[[str, str, object], list[str]]
# Surveys already made by this test process: (method, route, fields) by the routes surveyed.
_SURVEYS: dict[tuple, list[tuple[str, tuple, list[str]]]] = {}


def _name(rule: Rule) -> tuple:
    """A route as every app of the suite has it: endpoint, address and methods."""
    return (rule.endpoint, rule.rule, tuple(methods(rule)))


@dataclass
class Walker:
    """Sends ``value`` in every parameter and field of every route and collects ``check``'s finds.

    ``known`` gives path arguments that open a real page (a slug, an id, a token); every text
    argument is also tried with the value itself. ``sign_in`` is called whenever a request has
    signed the walking browser out (suspending, logging out), so later pages are still reached.
    """

    app: Flask
    client: object
    known: dict[str, object]
    sign_in: Callable[[], None]
    csrf_token: Callable[[], str]
    forms: dict[tuple[str, str], set[str]] = field(default_factory=dict)

    def walk(self, value: str, check: Check, *, path_value: str | None = None) -> list[str]:
        """Every problem ``check`` found: GET pages, then every POST, then the pages again."""
        self.app.request_class = RecordingRequest
        targets = [
            (method, path)
            for rule in rules(self.app)
            for path in paths(rule, self.known, path_value or value)
            for method in methods(rule)
        ]
        problems: list[str] = []
        for phase in ("GET", "POST", "GET"):
            for method, path in targets:
                if method == phase:
                    problems += self._visit(method, path, value, check)
        return problems

    def _visit(self, method: str, path: str, value: str, check: Check) -> list[str]:
        send = self._get if method == "GET" else self._post
        first = None

        def _plain():
            nonlocal first
            first = send(path, {})

        asked = keys_asked(_plain)
        problems = check(method, path, first)
        if method == "GET":
            self._learn(path, first)
        fields = sorted(asked | self.forms.get((method, path), set()))
        choices = [dict.fromkeys(fields, value)] + [{name: value} for name in fields]
        for data in choices if fields else []:
            problems += check(method, f"{path} {sorted(data)}", send(path, data))
        if method == "POST":
            self.sign_in()
        return problems

    def _get(self, path: str, data: dict):
        return self.client.get(path, query_string=data)

    def _post(self, path: str, data: dict):
        return self.client.post(path, data={"csrf_token": self.csrf_token(), **data})

    def _learn(self, path: str, response) -> None:
        if not (response.mimetype or "").endswith("html"):
            return
        for (method, action), names in forms_on(response.get_data(as_text=True)).items():
            self.forms.setdefault((method, action or path), set()).update(names)

    def survey(self) -> list[tuple[str, Rule, list[str]]]:
        """Every (method, rule, fields) of the app: GET pages first, so their forms are known.

        Surveyed once per test process: every walker's app has the same routes, pages and
        fields (the same ``known`` arguments, the same data), so a later survey is the first one
        read back onto this app's own rules. A different set of routes is surveyed anew."""
        self.app.request_class = RecordingRequest
        mine = {_name(rule): rule for rule in rules(self.app)}
        key = (tuple(sorted(mine)), tuple(sorted(self.known)))
        if (found := _SURVEYS.get(key)) is None:
            found = _SURVEYS[key] = [
                (phase, _name(rule), fields) for phase, rule, fields in self._survey()
            ]
        return [(phase, mine[name], fields) for phase, name, fields in found]

    def _survey(self) -> list[tuple[str, Rule, list[str]]]:
        found = []
        for phase in ("GET", "POST"):
            for rule in rules(self.app):
                if phase not in methods(rule):
                    continue
                path = next(paths(rule, self.known, "x"))
                send = self._get if phase == "GET" else self._post
                response = None

                def _plain(send=send, path=path):
                    nonlocal response
                    response = send(path, {})

                asked = keys_asked(_plain)
                if phase == "GET":
                    self._learn(path, response)
                else:
                    self.sign_in()
                found.append((phase, rule, sorted(asked | self.forms.get((phase, path), set()))))
        return found

    def path_for(self, rule: Rule, values: dict[str, str]) -> str:
        """``rule``'s address with ``values`` for its arguments, known good ones for the rest."""
        good = {name: _value(rule, name, self.known) for name in rule.arguments}
        return _build(rule, {**good, **values})

    def send(self, method: str, path: str, data: dict):
        return (self._get if method == "GET" else self._post)(path, data)
