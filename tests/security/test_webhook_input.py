"""A signed webhook with any odd but valid JSON is answered 2xx (ignored) or 400, never 5xx.

A 5xx makes Stripe retry for days; only a database that is down may cause one.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SECRET = "whsec_fuzz"
TYPES = [
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed",
    "checkout.session.expired",
    "invoice.paid",
    "customer.subscription.deleted",
    "charge.refunded",
    "charge.dispute.created",
    "payment_intent.payment_failed",
]
ODD_TEXT = st.one_of(
    st.sampled_from(["", "evt_" + "x" * 300, "cs_\x00", "pi_1", "usdx", "99999999999999999999"]),
    st.text(max_size=20),
)
ODD_NUMBER = st.one_of(
    st.sampled_from([0, -1, 2**63, -(2**63) - 1, 10**30, 253402300800, 1.5, True]),
    st.integers(),
)
SCALAR = st.one_of(st.none(), ODD_TEXT, ODD_NUMBER, st.booleans())
JSON = st.recursive(
    SCALAR,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=10), inner, max_size=3)
    ),
    max_leaves=8,
)
ID_FIELDS = ["id", "payment_intent", "subscription", "invoice", "currency", "customer"]
STRIPE_OBJECT = st.fixed_dictionaries(
    {},
    optional={
        **dict.fromkeys(ID_FIELDS, st.one_of(ODD_TEXT, JSON)),
        "metadata": st.one_of(st.fixed_dictionaries({"donation_id": ODD_TEXT}), JSON),
        "amount_paid": ODD_NUMBER,
        "ended_at": ODD_NUMBER,
        "canceled_at": ODD_NUMBER,
        "refunded": st.booleans(),
        "status": st.sampled_from(["complete", "open", "expired"]),
        "payment_status": st.sampled_from(["paid", "unpaid"]),
        "parent": JSON,
        "customer_details": JSON,
    },
)
EVENT = st.fixed_dictionaries(
    {
        "id": st.one_of(ODD_TEXT, ODD_NUMBER, JSON),
        "type": st.one_of(st.sampled_from(TYPES), ODD_TEXT, JSON),
        "created": st.one_of(ODD_NUMBER, ODD_TEXT, st.just(int(time.time()))),
        "data": st.one_of(st.fixed_dictionaries({"object": st.one_of(STRIPE_OBJECT, JSON)}), JSON),
    }
)


@pytest.fixture
def app_config(app_config):
    return {**app_config, "STRIPE_WEBHOOK_SECRET": SECRET, "STRIPE_SECRET_KEY": "sk_test_fuzz"}


def signed(payload: bytes) -> str:
    timestamp = int(time.time())
    digest = hmac.new(SECRET.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def test_any_signed_event_is_accepted_ignored_or_refused_never_a_server_error(client, make_org):
    make_org("parents-circle")

    @settings(
        max_examples=300, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(event=EVENT)
    def _deliver(event):
        payload = json.dumps(event).encode()
        response = client.post(
            "/stripe/webhook",
            data=payload,
            headers={"Content-Type": "application/json", "Stripe-Signature": signed(payload)},
        )
        assert response.status_code in {200, 400}, (response.status_code, event)

    _deliver()
