"""Outbound links: UTM tags merged into a member's donation URL without overriding its own."""

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit


def tagged_url(url: str, tags: dict[str, str | None]) -> str:
    """Add ``tags`` to ``url``'s query string; keys already in the URL keep the member's value.

    The path, fragment and every existing parameter (order, repeats, blanks) stay as stored.
    """
    parts = urlsplit(url)
    if not parts.path:
        parts = parts._replace(path="/")
    existing = parse_qsl(parts.query, keep_blank_values=True)
    present = {key for key, _ in existing}
    added = [(key, value) for key, value in tags.items() if value and key not in present]
    if not added:
        return urlunsplit(parts)
    query = f"{parts.query}&{urlencode(added)}" if parts.query else urlencode(added)
    return urlunsplit(parts._replace(query=query))


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
