"""``SandboxServer``: the sandbox app served on loopback from a background thread."""

from __future__ import annotations

import ipaddress
import threading
from types import TracebackType

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from stripe_sandbox import disputes, flows, refunds, renewals, subscriptions
from stripe_sandbox.app import create_sandbox
from stripe_sandbox.control import validate_settings
from stripe_sandbox.state import Sandbox
from stripe_sandbox.webhooks import DEFAULT_RETRY_DELAYS, SANDBOX_WEBHOOK_SECRET


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine only (the sandbox never listens further out)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Tests make many requests; the access log would only be noise."""


class SandboxServer:
    """Run the sandbox in a thread: ``with SandboxServer(webhook_url=…) as server: server.url``."""

    def __init__(
        self,
        webhook_url: str | None = None,
        webhook_secret: str = SANDBOX_WEBHOOK_SECRET,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        retry_delays: tuple[float, ...] = DEFAULT_RETRY_DELAYS,
        log_requests: bool = False,
    ) -> None:
        if not is_loopback(host):
            raise ValueError(f"The Stripe sandbox binds to loopback only, not {host!r}.")
        self.host, self.port = host, port
        self.app = create_sandbox(webhook_url, webhook_secret, retry_delays=retry_delays)
        self.url: str | None = None
        self._log_requests = log_requests
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def sandbox(self) -> Sandbox:
        """The state behind the app, for in-process inspection."""
        return self.app.extensions["stripe_sandbox"]

    def _bind(self) -> BaseWSGIServer:
        handler = None if self._log_requests else _QuietHandler
        server = make_server(self.host, self.port, self.app, threaded=True, request_handler=handler)
        host = f"[{self.host}]" if ":" in self.host else self.host
        self.url = f"http://{host}:{server.server_port}"
        self.sandbox.public_url = self.url
        self._server = server
        return server

    def start(self) -> SandboxServer:
        """Bind and serve from a daemon thread; returns self."""
        server = self._bind()
        # A short poll keeps stop() quick: shutdown() waits for the loop's next poll.
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="stripe-sandbox-http",
            daemon=True,
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Bind and serve on the calling thread until interrupted (the CLI)."""
        try:
            self._bind().serve_forever()
        finally:
            self.stop()

    def stop(self) -> None:
        """Stop serving, close the socket and stop the webhook worker."""
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is not None and thread is not None:
            server.shutdown()
            thread.join(timeout=10)
        if server is not None:
            server.server_close()
        self.sandbox.close()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def reset(self) -> None:
        """Forget all objects, events and deliveries; restore the initial webhook settings."""
        self.sandbox.reset()

    def configure_webhooks(self, **settings: object) -> dict:
        """Same as ``POST /_sandbox/webhooks``: url, secret, duplicate, hold, fail_first…"""
        return self.sandbox.webhooks.configure(**validate_settings(settings))

    def flush_webhooks(self, order: str = "as_is", seed: int | None = None) -> int:
        """Send held events in ``order`` (as_is, reverse, shuffle)."""
        return self.sandbox.webhooks.flush(order, seed)

    def deliveries(self) -> list[dict]:
        """Every webhook delivery so far."""
        return self.sandbox.webhooks.deliveries()

    def wait_for_deliveries(self, timeout: float = 30.0) -> bool:
        """Wait until no delivery is queued or in flight (returning as soon as none is; the bound is
        for a loaded machine); raises TimeoutError if one still is."""
        if not self.sandbox.webhooks.wait(timeout):
            raise TimeoutError(f"webhook deliveries still pending after {timeout} s")
        return True

    def application_fee_refunded(self, charge_id: str) -> int:
        """How much of ``charge_id``'s application fee refunds gave back to the connected
        account (``refund_application_fee``), in minor units."""
        with self.sandbox.store.lock:
            return self.sandbox.store.private.get(charge_id, {}).get("fee_refunded", 0)

    def events(self) -> list[dict]:
        """Every event so far, oldest first (copies)."""
        with self.sandbox.store.lock:
            return [dict(event) for event in self.sandbox.store.events]

    def settle(self, session_id: str, outcome: str = "succeeded") -> dict:
        """Resolve a ``pay_async`` payment (``succeeded`` or ``failed``)."""
        if outcome not in ("succeeded", "failed"):
            raise ValueError("outcome must be 'succeeded' or 'failed'")
        return flows.settle(self.sandbox, session_id, succeeded=outcome == "succeeded")

    def refund(self, session_id: str) -> dict:
        """Refund a session's payment in full; returns the charge."""
        return flows.refund(self.sandbox, session_id)

    def expire(self, session_id: str) -> dict:
        """Expire an open session."""
        return flows.expire(self.sandbox, session_id)

    def renew(self, subscription_id: str, outcome: str = "succeeded") -> dict:
        """Bill a subscription's next period; returns the invoice (open if ``failed``)."""
        if outcome not in ("succeeded", "failed"):
            raise ValueError("outcome must be 'succeeded' or 'failed'")
        return subscriptions.renew(self.sandbox, subscription_id, succeeds=outcome == "succeeded")

    def retry_invoice(self, invoice_id: str) -> dict:
        """A failed renewal's retry succeeds; returns the paid invoice."""
        return renewals.retry(self.sandbox, invoice_id)

    def fail_refund(self, refund_id: str, reason: str = "expired_or_canceled_card") -> dict:
        """A refund fails after the fact; returns it."""
        return refunds.fail(self.sandbox, refund_id, reason)

    def open_dispute(
        self, payment_intent_id: str, amount: int | None = None, reason: str = "fraudulent"
    ) -> dict:
        """The donor's bank disputes a payment; returns the dispute."""
        return disputes.open_dispute(self.sandbox, payment_intent_id, amount=amount, reason=reason)

    def close_dispute(self, dispute_id: str, outcome: str) -> dict:
        """The bank decides the dispute, ``won`` or ``lost``."""
        if outcome not in ("won", "lost"):
            raise ValueError("outcome must be 'won' or 'lost'")
        return disputes.close(self.sandbox, dispute_id, won=outcome == "won")

    def cancel_subscription(self, subscription_id: str) -> dict:
        """Cancel a subscription now; returns it."""
        return subscriptions.cancel(self.sandbox, subscription_id)

    def complete_checkout(
        self, session_id: str, action: str = "pay", email: str = "donor@example.com"
    ) -> str | None:
        """Press a hosted-page button without HTTP; returns the redirect URL, if any."""
        outcome = flows.donor_action(self.sandbox, session_id, action, email)
        if outcome.error is not None and outcome.redirect is None and not outcome.declined:
            raise ValueError(outcome.error)
        return outcome.redirect
