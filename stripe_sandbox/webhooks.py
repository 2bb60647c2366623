"""Deliver events to the webhook endpoint as Stripe does: signed, from a worker, with retries."""

from __future__ import annotations

import dataclasses
import hashlib
import heapq
import hmac
import itertools
import json
import random
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

DEFAULT_RETRY_DELAYS = (0.2, 0.5, 1.0)
# A fixed, published value for local tests, not a credential.
SANDBOX_WEBHOOK_SECRET = "whsec_sandbox"  # noqa: S105
FLUSH_ORDERS = ("as_is", "reverse", "shuffle")
_USER_AGENT = "Stripe/1.0 (+https://stripe.com/docs/webhooks)"


def signature_header(payload: bytes, secret: str, timestamp: int) -> str:
    """``Stripe-Signature``: HMAC-SHA256 of ``"<t>.<body>"`` keyed by the whole secret."""
    signed = str(timestamp).encode() + b"." + payload
    digest = hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


@dataclass
class WebhookSettings:
    """Where and how events are delivered; tests change these at run time."""

    url: str | None = None
    secret: str = SANDBOX_WEBHOOK_SECRET
    duplicate: int = 0
    hold: bool = False
    fail_first: int = 0
    retry_delays: tuple[float, ...] = DEFAULT_RETRY_DELAYS
    timeout: float = 5.0

    def public(self) -> dict:
        """The settings as JSON, secret included (the sandbox is a local test tool)."""
        return {**dataclasses.asdict(self), "retry_delays": list(self.retry_delays)}


@dataclass
class Delivery:
    """One copy of one event on its way to the endpoint."""

    event_id: str
    type: str
    payload: bytes
    copy: int
    attempts: int = 0
    status_code: int | None = None
    delivered: bool = False
    done: bool = False
    error: str | None = None

    def public(self) -> dict:
        """What ``GET /_sandbox/deliveries`` shows."""
        return {
            "event_id": self.event_id,
            "type": self.type,
            "copy": self.copy,
            "attempts": self.attempts,
            "status_code": self.status_code,
            "delivered": self.delivered,
            "done": self.done,
            "error": self.error,
        }


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # Stripe treats a 3xx from an endpoint as a failed delivery; it never follows it.
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


# No proxies: the endpoint is on this machine, and an HTTP(S)_PROXY must not intercept it.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects)


def post(url: str, payload: bytes, headers: dict[str, str], timeout: float) -> int | None:
    """POST once; the HTTP status, or None when no response came back."""
    request = urllib.request.Request(url, data=payload, headers=headers, method="POST")  # noqa: S310 — http(s) endpoint set by the developer
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        with error:
            return error.code
    except (urllib.error.URLError, OSError):
        return None


class WebhookDispatcher:
    """A queue of deliveries and the one worker thread that sends them, retrying failures."""

    def __init__(self, settings: WebhookSettings) -> None:
        self._initial = settings
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._stopping = False
        self._generation = 0
        # Deliveries on the wire now. Not reset with the rest: one sent before a reset still
        # lands after it, and waiting is for nothing in flight, whatever generation sent it.
        self._busy = 0
        self._reset_locked()

    def _reset_locked(self) -> None:
        self.settings = dataclasses.replace(self._initial)
        self._log: list[Delivery] = []
        self._queue: list[tuple[float, int, Delivery]] = []
        self._held: list[Delivery] = []
        self._order = itertools.count()
        self._generation += 1

    def reset(self) -> None:
        """Drop every queued, held and logged delivery and restore the initial settings."""
        with self._cond:
            self._reset_locked()
            self._cond.notify_all()

    def has_endpoint(self) -> bool:
        """Whether a webhook URL is configured."""
        with self._cond:
            return self.settings.url is not None

    def configure(self, **changes: object) -> dict:
        """Change delivery settings; turning ``hold`` off sends what was held, in order."""
        with self._cond:
            self.settings = dataclasses.replace(self.settings, **changes)
            if not self.settings.hold and self._held:
                self._release_locked("as_is")
            return self.settings.public()

    def enqueue(self, event: dict) -> None:
        """Queue ``event`` (plus any configured duplicates) for delivery."""
        payload = json.dumps(event, indent=2).encode("utf-8")
        with self._cond:
            if self.settings.url is None:
                return
            for copy in range(1 + self.settings.duplicate):
                delivery = Delivery(event["id"], event["type"], payload, copy)
                self._log.append(delivery)
                if self.settings.hold:
                    self._held.append(delivery)
                else:
                    self._schedule_locked(delivery, 0.0)
            self._ensure_worker_locked()

    def flush(self, order: str = "as_is", seed: int | None = None) -> int:
        """Send held deliveries in ``order``; returns how many were released."""
        if order not in FLUSH_ORDERS:
            raise ValueError(f"order must be one of {', '.join(FLUSH_ORDERS)}")
        with self._cond:
            return self._release_locked(order, seed)

    def _release_locked(self, order: str, seed: int | None = None) -> int:
        held, self._held = self._held, []
        if order == "reverse":
            held.reverse()
        elif order == "shuffle":
            random.Random(seed).shuffle(held)
        for delivery in held:
            self._schedule_locked(delivery, 0.0)
        self._ensure_worker_locked()
        return len(held)

    def deliveries(self) -> list[dict]:
        """Every delivery so far, in the order the events were queued."""
        with self._cond:
            return [delivery.public() for delivery in self._log]

    def wait(self, timeout: float = 5.0) -> bool:
        """Block until nothing is queued or in flight (held deliveries do not count)."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._queue and not self._busy, timeout)

    def stop(self) -> None:
        """Stop the worker; queued deliveries are abandoned."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join(timeout=10)

    def _schedule_locked(self, delivery: Delivery, delay: float) -> None:
        due = time.monotonic() + delay
        heapq.heappush(self._queue, (due, next(self._order), delivery))
        self._cond.notify_all()

    def _ensure_worker_locked(self) -> None:
        if self._thread is None and not self._stopping:
            self._thread = threading.Thread(
                target=self._run, name="stripe-sandbox-webhooks", daemon=True
            )
            self._thread.start()

    def _run(self) -> None:
        while True:
            with self._cond:
                delivery = self._next_due_locked()
                if delivery is None:
                    return
                self._busy += 1
                settings, generation = self.settings, self._generation
            status = self._attempt(delivery, settings)
            with self._cond:
                self._busy -= 1
                if generation == self._generation:
                    self._record_locked(delivery, status, settings)
                self._cond.notify_all()

    def _next_due_locked(self) -> Delivery | None:
        while not self._stopping:
            if not self._queue:
                self._cond.wait()
                continue
            wait = self._queue[0][0] - time.monotonic()
            if wait <= 0:
                return heapq.heappop(self._queue)[2]
            self._cond.wait(wait)
        return None

    def _attempt(self, delivery: Delivery, settings: WebhookSettings) -> int | None:
        if delivery.attempts < settings.fail_first or settings.url is None:
            return None
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": _USER_AGENT,
            "Stripe-Signature": signature_header(
                delivery.payload, settings.secret, int(time.time())
            ),
        }
        return post(settings.url, delivery.payload, headers, settings.timeout)

    def _record_locked(
        self, delivery: Delivery, status: int | None, settings: WebhookSettings
    ) -> None:
        delivery.attempts += 1
        delivery.status_code = status
        delivery.delivered = status is not None and 200 <= status < 300
        delivery.error = None if delivery.delivered else _failure(status, delivery, settings)
        if delivery.delivered or delivery.attempts > len(settings.retry_delays):
            delivery.done = True
        else:
            self._schedule_locked(delivery, settings.retry_delays[delivery.attempts - 1])


def _failure(status: int | None, delivery: Delivery, settings: WebhookSettings) -> str:
    if status is not None:
        return f"endpoint answered HTTP {status}"
    if delivery.attempts <= settings.fail_first:
        return "simulated failure (fail_first)"
    return "no response (connection failed or timed out)"
