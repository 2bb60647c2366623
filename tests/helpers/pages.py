"""Reading the portal's pages as a reader does: text, CSRF tokens, elements and their classes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser

_TOKEN = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


def token_on(response) -> str:
    """The CSRF token a page hands to the browser that loaded it."""
    match = _TOKEN.search(response.get_data(as_text=True))
    assert match, f"no CSRF token on the page (status {response.status_code})"
    return match.group(1)


def text_of(response) -> str:
    """The page's text as a reader sees it: tags gone, whitespace collapsed."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.get_data(as_text=True), flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    classes_around: frozenset[str]
    parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join("".join(self.parts).split())

    def within(self, css_class: str) -> bool:
        return css_class in self.classes_around


class Page(HTMLParser):
    """A parsed page: ``page.all("a", rel="next")``, ``page.text``, ``page.listed_names``."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self._open: list[Element] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        around = frozenset().union(*(e.classes_around for e in self._open[-1:]))
        element = Element(tag, attrs, around | set(attrs.get("class", "").split()))
        self.elements.append(element)
        if tag not in _VOID:
            self._open.append(element)

    def handle_endtag(self, tag):
        for depth in range(len(self._open) - 1, -1, -1):
            if self._open[depth].tag == tag:
                del self._open[depth:]
                return

    def handle_data(self, data):
        for element in self._open:
            element.parts.append(data)

    def all(self, tag: str, **attrs: str) -> list[Element]:
        """Elements named ``tag`` whose attributes equal ``attrs`` (``class_`` for class)."""
        wanted = {name.rstrip("_"): value for name, value in attrs.items()}
        return [
            e
            for e in self.elements
            if e.tag == tag and all(e.attrs.get(k) == v for k, v in wanted.items())
        ]

    def one(self, tag: str, **attrs: str) -> Element:
        [element] = self.all(tag, **attrs)
        return element

    @property
    def text(self) -> str:
        return self.one("main").text

    @property
    def listed_names(self) -> list[str]:
        """The organizations' names on a listing, in the order shown."""
        return [
            e.text for e in self.elements if "org-card-title" in e.attrs.get("class", "").split()
        ]
