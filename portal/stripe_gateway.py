"""The only module that talks to Stripe: Checkout Sessions, events, and webhook signatures."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass

import stripe
from flask import Flask

from portal.state import portal_state

log = logging.getLogger(__name__)

WEBHOOK_TOLERANCE_SECONDS = 300
# Looked up once: the stripe package resolves its attributes through a module __getattr__ that
# imports the submodule again on every access, a few µs on each delivery.
_SIGNATURE = stripe.WebhookSignature
TYPES_PER_LIST = 20


class GatewayError(Exception):
    """Stripe could not do what we asked; ``reason`` is for staff, never shown to donors, and
    ``code`` is Stripe's error code when it gave one (``amount_too_large``, ``charge_disputed``)."""

    def __init__(self, reason: str, *, retryable: bool, code: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.code = code


class InvalidWebhook(Exception):
    """A webhook delivery that is not provably from Stripe: bad signature, stale or malformed."""


@dataclass(frozen=True)
class CheckoutSession:
    id: str
    url: str


class StripeGateway:
    """Stripe behind one object, with its client injected (no global API key)."""

    def __init__(
        self,
        client: stripe.StripeClient,
        webhook_secret: str | None,
        api_version: str | None = None,
    ):
        self._client = client
        self._webhook_secret = webhook_secret
        self._api_version = api_version

    def create_checkout_session(self, params: dict, *, idempotency_key: str) -> CheckoutSession:
        """Create a Checkout Session; the same key always yields the same session."""
        created = self._call(
            self._client.v1.checkout.sessions.create,
            params=params,
            options={"idempotency_key": idempotency_key},
        )
        return CheckoutSession(created.id, created.url)

    def retrieve_checkout_session(self, session_id: str) -> dict:
        return self._call(self._client.v1.checkout.sessions.retrieve, session_id).to_dict()

    def retrieve_payment_intent(self, payment_intent_id: str) -> dict:
        return self._call(self._client.v1.payment_intents.retrieve, payment_intent_id).to_dict()

    def retrieve_subscription(self, subscription_id: str) -> dict:
        """A subscription with its customer expanded (where the donor's address lives)."""
        return self._call(
            self._client.v1.subscriptions.retrieve,
            subscription_id,
            params={"expand": ["customer"]},
        ).to_dict()

    def cancel_subscription(self, subscription_id: str, *, at_period_end: bool) -> dict:
        """End a monthly gift now, or at the end of the period already paid for."""
        if at_period_end:
            return self._call(
                self._client.v1.subscriptions.update,
                subscription_id,
                params={"cancel_at_period_end": True},
            ).to_dict()
        return self._call(self._client.v1.subscriptions.cancel, subscription_id).to_dict()

    def change_subscription_amount(
        self, subscription_id: str, item: dict, *, unit_amount: int, extra: dict
    ) -> dict:
        """Charge ``unit_amount`` for the subscription's ``item`` from its next payment on.

        ``proration_behavior`` "none": nothing is billed or credited for the month under way,
        so the donor pays exactly the old amount for it and the new one from the next payment.
        The new Price is inline (``price_data``) on the item's own product and interval.
        """
        price = item["price"]
        recurring = price["recurring"]
        params = {
            "items": [
                {
                    "id": item["id"],
                    "price_data": {
                        "currency": price["currency"],
                        "product": price["product"],
                        "recurring": {
                            "interval": recurring["interval"],
                            "interval_count": recurring.get("interval_count", 1),
                        },
                        "unit_amount": unit_amount,
                    },
                }
            ],
            "proration_behavior": "none",
            **extra,
        }
        return self._call(
            self._client.v1.subscriptions.update, subscription_id, params=params
        ).to_dict()

    def billing_portal_url(self, customer_id: str, *, return_url: str, locale: str) -> str:
        """A one-time link to Stripe's Billing Portal, straight to changing the card."""
        created = self._call(
            self._client.v1.billing_portal.sessions.create,
            params={
                "customer": customer_id,
                "return_url": return_url,
                "locale": locale,
                "flow_data": {"type": "payment_method_update"},
            },
        )
        return created.url

    def refund(
        self,
        payment_intent: str,
        *,
        amount: int,
        destination_charge: bool,
        idempotency_key: str,
        reason: str | None = None,
    ) -> dict:
        """Refund ``amount`` of a payment; a destination charge's refund also takes the
        member's share back (``reverse_transfer``) and returns the application fee's share
        (``refund_application_fee``), both in proportion. ``reason`` is Stripe's
        (``duplicate``, ``fraudulent``, ``requested_by_customer``)."""
        params: dict = {"payment_intent": payment_intent, "amount": amount}
        if reason:
            params["reason"] = reason
        if destination_charge:
            params.update(reverse_transfer=True, refund_application_fee=True)
        return self._call(
            self._client.v1.refunds.create,
            params=params,
            options={"idempotency_key": idempotency_key},
        ).to_dict()

    def create_transfer(self, params: dict, *, idempotency_key: str) -> dict:
        """Pay a connected account; the same key always yields the same transfer."""
        return self._call(
            self._client.v1.transfers.create,
            params=params,
            options={"idempotency_key": idempotency_key},
        ).to_dict()

    def reverse_transfer(self, transfer_id: str, params: dict, *, idempotency_key: str) -> dict:
        """Take back part of a transfer; the same key never reverses twice."""
        return self._call(
            self._client.v1.transfers.reversals.create,
            transfer_id,
            params=params,
            options={"idempotency_key": idempotency_key},
        ).to_dict()

    def events_since(self, created_after: int, types: list[str]) -> Iterator[dict]:
        """Every event of ``types`` created at or after the Unix time ``created_after``, oldest
        first."""
        events = []
        for start in range(0, len(types), TYPES_PER_LIST):  # Stripe takes 20 types a request
            page = self._call(
                self._client.v1.events.list,
                params={
                    "created": {"gte": created_after},
                    "types": types[start : start + TYPES_PER_LIST],
                    "limit": 100,
                },
            )
            events += [event.to_dict() for event in page.auto_paging_iter()]
        yield from sorted(events, key=lambda event: (event["created"], event["id"]))

    def verify_webhook(self, payload: bytes, signature: str | None) -> dict:
        """The event in a webhook body, only if Stripe signed it within the tolerance."""
        if not self._webhook_secret:
            raise InvalidWebhook("no webhook secret is configured")
        try:
            _SIGNATURE.verify_header(
                payload, signature, self._webhook_secret, WEBHOOK_TOLERANCE_SECONDS
            )
            event = json.loads(payload)
        except (stripe.SignatureVerificationError, ValueError) as exc:
            raise InvalidWebhook(str(exc)) from None
        if not isinstance(event, dict) or not {"id", "type", "data", "created"} <= event.keys():
            raise InvalidWebhook("not an event object")
        problem = _envelope_problem(event)
        if problem:
            raise InvalidWebhook(problem)
        rendered = event.get("api_version")
        if self._api_version and rendered and rendered != self._api_version:
            # Still applied: the ledger reads fields every recent version has. Staff should
            # align the webhook endpoint's version with STRIPE_API_VERSION.
            log.warning(
                "webhook %s rendered in Stripe API version %s, not the pinned %s",
                event["id"],
                rendered,
                self._api_version,
            )
        return event

    def _call(self, method, *args, **kwargs):
        try:
            return method(*args, **kwargs)
        except stripe.StripeError as exc:
            retryable = isinstance(
                exc, stripe.APIConnectionError | stripe.RateLimitError | stripe.APIError
            )
            reason = f"{type(exc).__name__}: {exc.user_message or exc}"[:300]
            log.warning("Stripe call failed: %s", reason)
            code = exc.code if isinstance(exc.code, str) else None
            raise GatewayError(reason, retryable=retryable, code=code) from None


def build_gateway(config) -> StripeGateway:
    """A gateway for the configured keys; ``STRIPE_API_BASE`` points it at the local sandbox."""
    base = config.get("STRIPE_API_BASE")
    version = config.get("STRIPE_API_VERSION") or None
    client = stripe.StripeClient(
        config.get("STRIPE_SECRET_KEY") or "sk_test_unconfigured",
        stripe_version=version,
        base_addresses={"api": base} if base else None,
        max_network_retries=config["STRIPE_MAX_NETWORK_RETRIES"],
        http_client=stripe.RequestsClient(timeout=config["STRIPE_TIMEOUT_SECONDS"]),
    )
    return StripeGateway(client, config.get("STRIPE_WEBHOOK_SECRET"), version)


def init_app(app: Flask) -> None:
    portal_state(app).gateway = build_gateway(app.config)


def gateway() -> StripeGateway:
    """This app's gateway (a shortcut for ``portal_state().gateway``)."""
    return portal_state().gateway


# The latest ``created`` a datetime can hold (9999-12-31T23:59:59Z).
_LATEST_TIMESTAMP = 253402300799


def _envelope_problem(event: dict) -> str | None:
    """Why a signed body is not shaped like a Stripe event (its id, type, time and object), or
    None. Refused with a 400 before anything is stored: a retry could never succeed."""
    event_id, kind, created = event["id"], event["type"], event["created"]
    if not isinstance(event_id, str) or not 0 < len(event_id) <= 255 or "\x00" in event_id:
        return "the event id is not an id"
    if not isinstance(kind, str) or not 0 < len(kind) <= 100:
        return "the event type is not a type"
    if type(created) is not int or not 0 <= created <= _LATEST_TIMESTAMP:
        return "the event time is out of range"
    data = event["data"]
    if not isinstance(data, dict) or not isinstance(data.get("object"), dict):
        return "the event has no object"
    return None
