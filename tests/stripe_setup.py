"""Pointing a test app's Stripe at the local sandbox."""

from __future__ import annotations


def stripe_config(config: dict, sandbox, webhook_secret: str, **extra) -> dict:
    """``config`` with the portal's Stripe pointed at ``sandbox``; no retries, short timeouts."""
    return {
        **config,
        "STRIPE_API_BASE": sandbox.url,
        # Where the donation form may lead (CSP form-action): the sandbox's hosted pages.
        "STRIPE_CHECKOUT_ORIGIN": sandbox.sandbox.public_url or sandbox.url,
        "STRIPE_SECRET_KEY": "sk_test_portal",
        "STRIPE_WEBHOOK_SECRET": webhook_secret,
        "STRIPE_MAX_NETWORK_RETRIES": 0,
        "STRIPE_TIMEOUT_SECONDS": 5,
        **extra,
    }
