"""Reading a page's head the way a link preview or a search engine does."""

from __future__ import annotations

from html.parser import HTMLParser

LANGUAGES = ["en", "ar", "he"]


class Head(HTMLParser):
    """The ``<meta>`` and ``<link>`` tags of a page's head, as a link preview reads them."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.meta: list[tuple[str, str]] = []  # (property or name, content), in order
        self.links: list[dict[str, str]] = []
        self.title = ""
        self.lang = ""
        self._in_title = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        if tag == "meta" and "content" in attrs:
            self.meta.append((attrs.get("property") or attrs.get("name", ""), attrs["content"]))
        elif tag == "link":
            self.links.append(attrs)
        elif tag == "html":
            self.lang = attrs.get("lang", "")
        self._in_title = tag == "title"

    def handle_endtag(self, tag):
        self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data

    def values(self, key: str) -> list[str]:
        return [content for name, content in self.meta if name == key]

    def value(self, key: str) -> str:
        [content] = self.values(key)
        return content

    def link(self, rel: str, **attrs: str) -> list[str]:
        return [
            link["href"]
            for link in self.links
            if link.get("rel") == rel and all(link.get(k) == v for k, v in attrs.items())
        ]


class Elements(HTMLParser):
    """Every element of a page with its attributes and text: ``page.by_id("share-link")``."""

    _VOID = {"br", "hr", "img", "input", "link", "meta", "source"}

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str], list[str]]] = []
        self._open: list[list[str]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        parts: list[str] = []
        self.elements.append((tag, {k: v or "" for k, v in attrs}, parts))
        if tag not in self._VOID:
            self._open.append(parts)

    def handle_endtag(self, tag):
        if self._open:
            self._open.pop()

    def handle_data(self, data):
        for parts in self._open:
            parts.append(data)

    def by_id(self, element_id: str) -> tuple[str, dict[str, str], str]:
        [(tag, attrs, parts)] = [e for e in self.elements if e[1].get("id") == element_id]
        return tag, attrs, " ".join("".join(parts).split())

    def all(self, tag: str, **attrs: str) -> list[tuple[dict[str, str], str]]:
        return [
            (a, " ".join("".join(parts).split()))
            for t, a, parts in self.elements
            if t == tag and all(a.get(k) == v for k, v in attrs.items())
        ]
