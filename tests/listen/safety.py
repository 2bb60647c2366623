"""Reading rendered HTML the way a browser would act on it."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

_SAFE_TAGS = {"a", "b", "blockquote", "br", "code", "em", "h2", "h3", "h4", "h5", "h6", "hr"}
_SAFE_TAGS |= {"i", "li", "ol", "p", "pre", "strong", "ul"}


class _Threats(HTMLParser):
    """What a browser would act on: tags outside the allow-list, handlers, unsafe link targets."""

    def __init__(self, html: str):
        super().__init__()
        self.found: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag not in _SAFE_TAGS:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name in {"src", "style", "srcset"}:
                self.found.append(name)
            if name == "href" and urlsplit(value or "").scheme not in {"http", "https", "mailto"}:
                self.found.append(f"href={value}")


def threats(html: str) -> list[str]:
    return _Threats(html).found


def body_of(html: str) -> str:
    """The member-written part of a statement or episode page."""
    match = re.search(r'<div class="statement-body">(.*?)</div>', html, re.S)
    assert match, "no statement body on the page"
    return match.group(1)
