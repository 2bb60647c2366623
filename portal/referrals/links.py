"""Outbound links: UTM tags merged into a member's donation URL without overriding its own."""

from functools import lru_cache
from urllib.parse import parse_qsl, quote_plus, urlsplit, urlunsplit


def tagged_url(url: str, tags: dict[str, str | None]) -> str:
    """Add ``tags`` to ``url``'s query string; keys already in the URL keep the member's value.

    The path, fragment and every existing parameter (order, repeats, blanks) stay as stored.
    """
    head, query, fragment, present = _split(url)
    added = "&".join(
        f"{_quoted(key)}={_quoted_value(value)}"
        for key, value in tags.items()
        if value and key not in present
    )
    if added:
        query = f"{query}&{added}" if query else added
    return f"{head}?{query}{fragment}" if query else f"{head}{fragment}"


@lru_cache(maxsize=1024)
def _split(url: str) -> tuple[str, str, str, frozenset[str]]:
    # Members' URLs are few and the hand-off is hot: split each one once per worker.
    parts = urlsplit(url)
    if not parts.path:
        parts = parts._replace(path="/")
    present = frozenset(key for key, _ in parse_qsl(parts.query, keep_blank_values=True))
    head = urlunsplit(parts._replace(query="", fragment=""))
    fragment = f"#{parts.fragment}" if parts.fragment else ""
    return head, parts.query, fragment, present


@lru_cache(maxsize=64)
def _quoted(key: str) -> str:
    return quote_plus(key)


def _quoted_value(value: str) -> str:
    # A reference (hex) needs no quoting; the portal's own tags repeat and come from the cache.
    if value.isascii() and value.isalnum():
        return value
    return _quoted(value)


def is_https_url(value: str) -> bool:
    """True for an absolute https URL with a host and no credentials or whitespace."""
    if not value or any(ch.isspace() for ch in value) or "\\" in value:
        return False
    try:
        parts = urlsplit(value)
        port = parts.port  # raises on a malformed port
    except ValueError:
        return False
    del port
    return parts.scheme == "https" and bool(parts.hostname) and "@" not in parts.netloc
