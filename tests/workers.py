"""Functions that run in separate processes, each with its own app: competing gunicorn workers."""

from __future__ import annotations

from collections import Counter

BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/124.0 Safari/537.36"


def _app(config: dict):
    from portal import create_app

    return create_app(config)


def dispose(app) -> None:
    from portal import dispose as release

    release(app)


def handoffs(config: dict, slug: str, count: int, barrier=None) -> Counter:
    """Follow a shared link to ``slug`` ``count`` times; returns the status codes seen."""
    app = _app(config)
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = BROWSER_UA
    if barrier is not None:
        barrier.wait(timeout=60)
    codes = Counter(client.get(f"/go/{slug}").status_code for _ in range(count))
    dispose(app)
    return codes


def deliver(config: dict, payload: bytes, signature: str, barrier=None) -> int:
    """Deliver one webhook body, as Stripe would, after every competitor is ready."""
    app = _app(config)
    client = app.test_client()
    if barrier is not None:
        barrier.wait(timeout=60)
    response = client.post(
        "/stripe/webhook",
        data=payload,
        headers={"Stripe-Signature": signature, "Content-Type": "application/json"},
    )
    dispose(app)
    return response.status_code
