"""Fixtures for tests that give through Stripe: the sandbox, the real ``stripe`` library pointed
at it, and the portal served over HTTP for its signed webhooks. A folder's conftest imports the
ones it needs."""

from __future__ import annotations

import pytest
import stripe
from werkzeug.serving import make_server

from stripe_sandbox import SandboxServer
from tests.helpers.giving import WEBHOOK_SECRET, stripe_config
from tests.helpers.serving import serve_in_background


@pytest.fixture(scope="session")
def sandbox_server():
    with SandboxServer(webhook_secret=WEBHOOK_SECRET) as server:
        yield server


@pytest.fixture
def app_config(app_config, sandbox):
    return stripe_config(app_config, sandbox, WEBHOOK_SECRET)


@pytest.fixture
def stripe_client(sandbox):
    """The real stripe library, as staff or a test would use it against the sandbox."""
    return stripe.StripeClient("sk_test_inspector", base_addresses={"api": sandbox.url})


@pytest.fixture
def live_portal(app, sandbox):
    """The portal served over real HTTP, with the sandbox's webhooks pointed at it."""
    app.config["SERVER_NAME"] = None
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = serve_in_background(server, name="live-portal")
    base = f"http://127.0.0.1:{server.server_port}"
    sandbox.configure_webhooks(url=f"{base}/stripe/webhook", secret=WEBHOOK_SECRET)
    yield base
    server.shutdown()
    thread.join(timeout=5)
