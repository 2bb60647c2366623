"""Text written by members, staff or a podcast feed, made safe to put on a page.

Markdown is rendered with raw HTML switched off, then the result (like any HTML from a feed)
goes through nh3's allow-list: no script, no style, no event-handler attribute, no image (it
would load from another host), and links only to http, https or mailto addresses.
"""

from __future__ import annotations

import html

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_TAGS = {
    "a",
    "b",
    "blockquote",
    "br",
    "code",
    "em",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "ul",
}
_ATTRIBUTES = {"a": {"href", "title"}}
_SCHEMES = {"http", "https", "mailto"}


def _below_the_page_title(state) -> None:
    # The page's own title is the only h1: a "# heading" in a body becomes an h2, and so on down.
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 1, 6)}"


_markdown = MarkdownIt("commonmark", {"html": False}).disable("image")
_markdown.core.ruler.push("below_the_page_title", _below_the_page_title)


def clean_html(html: str) -> str:
    """``html`` with only the allowed tags, attributes and link schemes left."""
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def render_markdown(text: str) -> Markup:
    """Markdown to HTML that is safe to insert into a page as it is."""
    return Markup(clean_html(_markdown.render(text or "")))  # noqa: S704 — cleaned just above


def plain_text(markup: str) -> str:
    """Only the words of ``markup`` (for summaries and feed readers that show text)."""
    return html.unescape(nh3.clean(markup or "", tags=set())).strip()
