"""Fixtures: a running sandbox, the real ``stripe`` client, a webhook receiver, a donor."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
import stripe
from werkzeug.serving import WSGIRequestHandler, make_server

from stripe_sandbox import SandboxServer

API_KEY = "sk_test_sandbox_tests"
RECEIVER_SECRET = "whsec_receiver_test_secret"
FAST_RETRIES = (0.05, 0.1, 0.2)


class _Quiet(WSGIRequestHandler):
    def log_request(self, code="-", size="-"):
        pass


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect)


@dataclass
class HttpResult:
    """A raw HTTP answer: status, headers and body text."""

    status: int
    headers: dict
    text: str

    def json(self):
        return json.loads(self.text)


def _http(method, url, data=None, headers=None):
    """One HTTP request that never follows redirects and never raises on 4xx/5xx."""
    body = data if isinstance(data, bytes) or data is None else data.encode()
    request = urllib.request.Request(url, data=body, headers=headers or {}, method=method)
    try:
        with _OPENER.open(request, timeout=10) as response:
            return HttpResult(response.status, dict(response.headers), response.read().decode())
    except urllib.error.HTTPError as error:
        with error:
            return HttpResult(error.code, dict(error.headers), error.read().decode())


@dataclass
class Receiver:
    """A webhook endpoint that checks each signature with ``stripe.Webhook.construct_event``."""

    secret: str = RECEIVER_SECRET
    fail_next: int = 0
    status_when_failing: int = 500
    received: list = field(default_factory=list)
    rejected: list = field(default_factory=list)
    requests: list = field(default_factory=list)
    url: str = ""
    # Called as each request arrives, before it is answered (a test holds a delivery in flight).
    on_request: Callable[[], object] | None = None

    def __call__(self, environ, start_response):
        if self.on_request is not None:
            self.on_request()
        payload = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        header = environ.get("HTTP_STRIPE_SIGNATURE")
        self.requests.append({"content_type": environ.get("CONTENT_TYPE"), "signature": header})
        status = "200 OK"
        if self.fail_next > 0:
            self.fail_next -= 1
            status = f"{self.status_when_failing} Failing"
        else:
            try:
                event = stripe.Webhook.construct_event(payload, header, self.secret)
                self.received.append(event)
            except (ValueError, stripe.SignatureVerificationError) as error:
                self.rejected.append(str(error))
                status = "400 Bad Request"
        start_response(status, [("Content-Type", "text/plain")])
        return [b"ok"]

    def types(self):
        return [event.type for event in self.received]

    def ids(self):
        return [event.id for event in self.received]


@pytest.fixture
def receiver():
    """A running webhook receiver on loopback."""
    endpoint = Receiver()
    server = make_server("127.0.0.1", 0, endpoint, threaded=True, request_handler=_Quiet)
    endpoint.url = f"http://127.0.0.1:{server.server_port}/stripe/webhook"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    yield endpoint
    server.shutdown()
    thread.join()
    server.server_close()


@pytest.fixture
def sandbox():
    """A sandbox with no webhook endpoint."""
    with SandboxServer() as server:
        yield server


@pytest.fixture
def webhook_sandbox(receiver):
    """A sandbox that delivers webhooks to ``receiver``, retrying quickly."""
    with SandboxServer(
        webhook_url=receiver.url, webhook_secret=receiver.secret, retry_delays=FAST_RETRIES
    ) as server:
        yield server


@pytest.fixture
def make_client():
    """Build a real ``stripe.StripeClient`` pointed at a sandbox."""
    clients = []

    def _make(server, api_key=API_KEY):
        client = stripe.StripeClient(
            api_key=api_key, base_addresses={"api": server.url}, max_network_retries=0
        )
        clients.append(client)
        return client

    return _make


@pytest.fixture
def client(sandbox, make_client):
    """The real stripe client against ``sandbox``."""
    return make_client(sandbox)


def _session_params(mode="payment", amount=5000, currency="usd", interval="month", **extra):
    """Create parameters shaped like the portal's: one donation line item."""
    price_data = {
        "currency": currency,
        "unit_amount": amount,
        "product_data": {"name": "Hand in Hand", "description": "Peace education"},
    }
    if mode == "subscription":
        price_data["recurring"] = {"interval": interval}
    params = {
        "mode": mode,
        "line_items": [{"price_data": price_data, "quantity": 1}],
        "success_url": "http://127.0.0.1:5000/donate/thanks?session_id={CHECKOUT_SESSION_ID}",
        "cancel_url": "http://127.0.0.1:5000/donate/cancelled",
        "client_reference_id": "42",
        "metadata": {"referral_id": "42"},
    }
    if mode == "payment":
        params["submit_type"] = "donate"
        params["payment_intent_data"] = {"metadata": {"referral_id": "42"}}
    else:
        params["subscription_data"] = {"metadata": {"referral_id": "42"}}
    params.update(extra)
    return params


@pytest.fixture
def make_session():
    """Create a Checkout Session through the real client; returns the stripe object."""

    def _make(client, mode="payment", key=None, **kwargs):
        options = {"idempotency_key": key} if key else {}
        return client.v1.checkout.sessions.create(
            params=_session_params(mode, **kwargs), options=options
        )

    return _make


@pytest.fixture
def press():
    """Press a hosted-page button over HTTP, as a donor's browser would."""

    def _press(server, session_id, action, email="donor@example.com"):
        form = urllib.parse.urlencode({"action": action, "email": email})
        return _http(
            "POST",
            f"{server.url}/pay/{session_id}",
            form,
            {"Content-Type": "application/x-www-form-urlencoded"},
        )

    return _press


def _wait_until(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


@pytest.fixture
def http():
    """Raw HTTP: ``http(method, url, data=None, headers=None)`` → HttpResult, no redirects."""
    return _http


@pytest.fixture
def build_params():
    """Checkout create parameters shaped like the portal's; keyword overrides."""
    return _session_params


@pytest.fixture
def wait_until():
    """Poll a predicate until it holds or a timeout passes."""
    return _wait_until
