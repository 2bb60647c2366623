"""A basket's arithmetic: one amount split among members in exact minor units, and money that
comes back (refunds, disputes) split the same way. Pure functions, no database.

The leftover rule, stated once so anyone can audit it: each member first gets the whole minor
units of its exact share; the units left over go one each to the members with the largest
fractional remainders; members whose remainders tie are ordered by
``sha256(seed + ":" + key)`` (``leftover_order``), where ``seed`` is the basket's own reference.
So no name is favoured by its place in the list or the alphabet, and the same basket always
splits the same way.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

PERCENT_WHOLE = 10_000  # percentages are held in hundredths of a percent


class SplitError(ValueError):
    """A split that cannot be made: ``kind`` says why ("empty", "total", "weights", "sum")."""

    def __init__(self, kind: str):
        super().__init__(kind)
        self.kind = kind


@dataclass(frozen=True)
class Part:
    """One member's share of a payment: its gift and its share of the fee cover."""

    key: str
    amount: int
    fee_cover: int

    @property
    def total(self) -> int:
        return self.amount + self.fee_cover


def leftover_order(seed: str, keys: Sequence[str]) -> list[str]:
    """The order in which tied members receive leftover units: by a hash of seed and key."""
    return sorted(keys, key=lambda k: (hashlib.sha256(f"{seed}:{k}".encode()).digest(), k))


def by_weights(total: int, weights: dict[str, int], seed: str) -> dict[str, int]:
    """``total`` split in proportion to non-negative integer ``weights``; adds up exactly.

    No share exceeds ``total * weight / sum(weights)`` rounded up, nor falls below it rounded
    down (the largest-remainder method).
    """
    if not weights:
        raise SplitError("empty")
    if total < 0:
        raise SplitError("total")
    whole = sum(weights.values())
    if whole <= 0 or any(w < 0 for w in weights.values()):
        raise SplitError("weights")
    shares = {k: total * w // whole for k, w in weights.items()}
    left = total - sum(shares.values())
    rank = {k: i for i, k in enumerate(leftover_order(seed, list(weights)))}
    by_remainder = sorted(weights, key=lambda k: (-(total * weights[k] % whole), rank[k]))
    for key in by_remainder[:left]:
        shares[key] += 1
    return shares


def evenly(total: int, keys: Sequence[str], seed: str) -> dict[str, int]:
    """``total`` split evenly among ``keys``; the leftover units go by ``leftover_order``."""
    return by_weights(total, dict.fromkeys(keys, 1), seed)


def by_percentages(total: int, percentages: dict[str, int], seed: str) -> dict[str, int]:
    """``total`` split by percentages in hundredths of a percent, which must add up to 100%."""
    if sum(percentages.values()) != PERCENT_WHOLE:
        raise SplitError("sum")
    return by_weights(total, percentages, seed)


def by_amounts(amounts: dict[str, int]) -> dict[str, int]:
    """The donor's own amounts, checked: each at least zero and at least one above it."""
    if not amounts:
        raise SplitError("empty")
    if any(a < 0 for a in amounts.values()) or sum(amounts.values()) <= 0:
        raise SplitError("weights")
    return dict(amounts)


def parts(amounts: dict[str, int], fee_cover: int, seed: str) -> list[Part]:
    """Each member's line: its amount and the fee cover split in proportion to the amounts."""
    fees = by_weights(fee_cover, amounts, seed) if fee_cover else dict.fromkeys(amounts, 0)
    return [Part(k, amounts[k], fees[k]) for k in amounts]


def returned(amount: int, held: dict[str, int], seed: str) -> dict[str, int]:
    """Money going back (a refund, a dispute) split in proportion to what each member still
    holds, so that no member ever gives back more than it received. ``amount`` is capped at
    what is held."""
    amount = min(amount, sum(held.values()))
    if amount <= 0:
        return dict.fromkeys(held, 0)
    return by_weights(amount, held, seed)


def returned_in_total(totals: Sequence[int], allocated: dict[str, int], seed: str) -> list[dict]:
    """Each successive return (``totals`` are the amounts, in order) split against what is left
    after the ones before; together they never exceed ``allocated`` for any member."""
    held = dict(allocated)
    splits = []
    for amount in totals:
        split = returned(amount, held, seed)
        held = {k: held[k] - split[k] for k in held}
        splits.append(split)
    return splits


@dataclass(frozen=True)
class Allocated:
    """One member's part of one payment, and what of it went back to the donor."""

    amount: int
    fee_cover: int
    refunded: int
    disputed: int


def payment_parts(
    paid: int,
    fee_cover: int,
    lines: Sequence[Part],
    refunds: Sequence[int],
    disputed: int,
    seed: str,
) -> dict[str, Allocated]:
    """A payment of ``paid`` (``fee_cover`` of it) split by the basket's ``lines``, then its
    ``refunds`` (in order) and its ``disputed`` amount split back against what each member
    still holds. Every column adds up exactly: to ``paid``, ``fee_cover``, the refunds (as far
    as they reach) and the dispute (as far as what is left reaches)."""
    asked = (sum(line.total for line in lines), sum(line.fee_cover for line in lines))
    if (paid, fee_cover) == asked:
        split = {line.key: (line.amount, line.fee_cover) for line in lines}
    else:  # the payment differs from what the basket asked (an amount changed): in proportion
        totals = by_weights(paid, {line.key: line.total for line in lines}, seed)
        fees = by_weights(fee_cover, totals, seed) if fee_cover and paid else {}
        split = {k: (totals[k] - fees.get(k, 0), fees.get(k, 0)) for k in totals}
    held = {k: amount + fee for k, (amount, fee) in split.items()}
    back = returned_in_total(refunds, held, seed)
    refunded = {k: sum(r[k] for r in back) for k in held}
    [lost] = returned_in_total([disputed], {k: held[k] - refunded[k] for k in held}, seed)
    return {k: Allocated(*split[k], refunded[k], lost[k]) for k in split}
