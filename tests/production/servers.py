"""Helpers for tests that run real servers on loopback."""

from __future__ import annotations

import http.client
import socket
import ssl
import time


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(
    port: int, path: str, *, tls: ssl.SSLContext | None = None, seconds: float = 30
) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        conn = (
            http.client.HTTPSConnection("127.0.0.1", port, context=tls, timeout=2)
            if tls
            else http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        )
        try:
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.1)
        finally:
            conn.close()
    raise AssertionError(f"nothing answered {path} on port {port}")
