"""One sandbox instance: its store, its webhook dispatcher and where it is reachable."""

from __future__ import annotations

from stripe_sandbox import objects
from stripe_sandbox.ids import new_id, now
from stripe_sandbox.store import Store
from stripe_sandbox.webhooks import (
    DEFAULT_RETRY_DELAYS,
    SANDBOX_WEBHOOK_SECRET,
    WebhookDispatcher,
    WebhookSettings,
)

# The API version stripe-python 16.x pins; events record the version of the request that
# caused them, falling back to this one for donor actions that have no API request.
DEFAULT_API_VERSION = "2026-10-28.endive"
NO_REQUEST: tuple[str | None, str | None] = (None, None)


class Sandbox:
    """The state behind one sandbox app."""

    def __init__(
        self,
        *,
        webhook_url: str | None = None,
        webhook_secret: str = SANDBOX_WEBHOOK_SECRET,
        public_url: str | None = None,
        retry_delays: tuple[float, ...] = DEFAULT_RETRY_DELAYS,
    ) -> None:
        self.store = Store()
        self.webhooks = WebhookDispatcher(
            WebhookSettings(url=webhook_url, secret=webhook_secret, retry_delays=retry_delays)
        )
        self.public_url = public_url
        self.api_version = DEFAULT_API_VERSION
        self._last_created: dict[str | None, int] = {}

    def emit(
        self,
        event_type: str,
        obj: dict,
        *,
        request: tuple[str | None, str | None] = NO_REQUEST,
        previous: dict | None = None,
    ) -> dict:
        """Record an event about ``obj`` and queue it for the webhook endpoint; ``previous``
        becomes an update's ``data.previous_attributes``."""
        with self.store.lock:
            # One object's events never share a second (Stripe's updates of one object are
            # that far apart), so "the later event wins" can order them.
            created = max(now(), self._last_created.get(obj.get("id"), 0) + 1)
            self._last_created[obj.get("id")] = created
            event = objects.event(
                new_id("evt_"),
                event_type,
                obj,
                created=created,
                request=request,
                pending_webhooks=1 if self.webhooks.has_endpoint() else 0,
                api_version=self.api_version,
                previous=previous,
            )
            self.store.add_event(event)
            # Queued under the store lock so that webhook order equals creation order.
            self.webhooks.enqueue(event)
        return event

    def reset(self) -> None:
        """Back to a freshly started sandbox: no objects, events or deliveries."""
        with self.store.lock:
            self.store.reset()
            self.webhooks.reset()
            self.api_version = DEFAULT_API_VERSION
            self._last_created.clear()

    def close(self) -> None:
        """Stop the webhook worker."""
        self.webhooks.stop()
