"""A local, Stripe-compatible sandbox for tests and ``make run``; never part of the portal.

It speaks enough of Stripe's HTTP API for the real ``stripe`` library (Checkout Sessions,
events, PaymentIntents, subscriptions…), serves a hosted checkout page, and sends signed
webhooks. It binds to loopback only.
"""

from stripe_sandbox.server import SandboxServer

__all__ = ["SandboxServer"]
