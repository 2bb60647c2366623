"""Amounts in minor units shown the way people read them."""

from __future__ import annotations

# Currencies Stripe counts in whole units (no minor unit).
ZERO_DECIMAL = frozenset((
    "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga",
    "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf",
))  # fmt: skip


def format_amount(amount: int, currency: str) -> str:
    """``5000, "usd"`` → ``50.00 USD``; ``5000, "jpy"`` → ``5,000 JPY``."""
    if currency in ZERO_DECIMAL:
        return f"{amount:,} {currency.upper()}"
    return f"{amount / 100:,.2f} {currency.upper()}"
