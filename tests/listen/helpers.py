"""Helpers for Listen's tests: podcast feeds to serve, and HTML read as a browser acts on it."""

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


ITEM = """
<item>
  <guid isPermaLink="false">{guid}</guid>
  <title>{title}</title>
  <link>https://groundwork.example.org/episodes/{guid}</link>
  <pubDate>{date}</pubDate>
  <itunes:duration>{duration}</itunes:duration>
  <enclosure url="https://cdn.example.org/{guid}.mp3" length="1234" type="audio/mpeg"/>
  <description><![CDATA[{description}]]></description>
</item>"""


def rss(*items: str, language: str = "en") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">
<channel><title>Groundwork</title><link>https://groundwork.example.org</link>
<description>Conversations.</description><language>{language}</language>
{"".join(items)}
</channel></rss>""".encode()


def item(guid="ep-1", title="Listening across lines", **fields) -> str:
    fields.setdefault("date", "Tue, 03 Nov 2026 09:30:00 +0200")
    fields.setdefault("duration", "1:02:03")
    fields.setdefault("description", f"<p>About {title}.</p>")
    return ITEM.format(guid=guid, title=title, **fields)
