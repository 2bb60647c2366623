"""Loopback servers run in a thread for a test: the portal, a member's site, a link target."""

from __future__ import annotations

import threading
from socketserver import BaseServer

# ``shutdown()`` returns once the serving loop looks at it again: with the standard library's
# half-second poll, every test that stopped a server waited up to half a second for nothing.
POLL_SECONDS = 0.05


def serve_in_background(server: BaseServer, name: str = "test-server") -> threading.Thread:
    """Start serving ``server`` in a daemon thread; stop it with ``server.shutdown()``."""
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": POLL_SECONDS}, name=name, daemon=True
    )
    thread.start()
    return thread
