"""Screenshots of the browser tests' pages, for people to look at: saved only when
``SCREENSHOT_DIR`` names a folder (``make screenshots`` sets it).

A full-page screenshot costs Chromium more than loading the page; nothing in a test reads the
files, so the suite's ordinary run does not draw them."""

from __future__ import annotations

import os
from pathlib import Path


def shot_path(name: str) -> Path | None:
    """Where the screenshot called ``name`` goes, its folder made; None when none is wanted."""
    folder = os.environ.get("SCREENSHOT_DIR")
    if not folder:
        return None
    Path(folder).mkdir(parents=True, exist_ok=True)
    return Path(folder) / name


def save_screenshot(page, name: str) -> None:
    """A full-page screenshot of ``page`` as ``name``, when screenshots are wanted."""
    if (path := shot_path(name)) is not None:
        page.screenshot(path=path, full_page=True)
