"""Atom feeds of statements and episodes, built with feedgen.

Each entry carries its own ``xml:lang``, so a reader shows an Arabic statement right to left
in a feed whose default language is the portal's. feedgen 1.0 drops the ``rel`` of an entry's
links, so an episode's audio enclosure is written by the same entry extension.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from feedgen.ext.base import BaseEntryExtension
from feedgen.feed import FeedGenerator
from lxml.etree import SubElement

from portal.listen.queries import Item
from portal.listen.text import clean_html, render_markdown
from portal.models import utcnow

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_ATOM_LINK = "{http://www.w3.org/2005/Atom}link"


class EntryExtras(BaseEntryExtension):
    """feedgen's extension point for one entry: its ``xml:lang`` and its audio enclosure."""

    language = ""
    enclosure = ""

    def extend_atom(self, entry):
        entry.attrib[_XML_LANG] = self.language
        if self.enclosure:
            SubElement(entry, _ATOM_LINK, rel="enclosure", href=self.enclosure, type="audio/mpeg")
        return entry

    def extend_rss(self, item):  # Atom only
        return item


def atom_feed(
    items: Iterable[Item],
    *,
    title: str,
    author: str,
    feed_url: str,
    page_url: str,
    language: str,
    url_for_item: Callable[[Item], str],
) -> bytes:
    """The Atom document for ``items`` (newest first)."""
    items = list(items)
    feed = FeedGenerator()
    feed.id(feed_url)
    feed.title(title)
    feed.author(name=author)  # Atom needs one; entries by a member name the member instead
    feed.language(language)
    feed.link(href=feed_url, rel="self", type="application/atom+xml")
    feed.link(href=page_url, rel="alternate", type="text/html")
    feed.updated(_latest(items))
    for item in reversed(items):  # feedgen puts each new entry first
        _add_entry(feed, item, url_for_item(item))
    return feed.atom_str(pretty=True)


def _add_entry(feed: FeedGenerator, item: Item, url: str) -> None:
    entry = feed.add_entry()
    entry.register_extension("extras", EntryExtras, atom=True, rss=False)
    record = item.record
    entry.id(url)
    entry.title(record.title)
    entry.link(href=url, rel="alternate", type="text/html")
    entry.published(item.when)
    entry.updated(max(item.when, record.updated_at))
    entry.extras.language = record.language
    if item.kind == "statement":
        entry.author(name=record.organization.name)
        if record.summary:
            entry.summary(record.summary)
        entry.content(str(render_markdown(record.body)), type="html")
    else:
        entry.content(clean_html(record.description), type="html")
        entry.extras.enclosure = record.audio_url or ""


def _latest(items: list[Item]) -> datetime:
    return max((max(i.when, i.record.updated_at) for i in items), default=utcnow())
