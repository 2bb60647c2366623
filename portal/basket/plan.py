"""From the donor's choices on the basket page to each member's line, checked against Stripe's
limits. Pure: no database, no request; errors carry a message safe to show the donor."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _

from portal.basket import allocation
from portal.basket.allocation import PERCENT_WHOLE, Part
from portal.donate.money import CURRENCIES, AmountError, display, fee_cover, parse_amount
from portal.models import Frequency, SplitKind

# Checkout takes at most 20 recurring line items in a subscription (100 in a one-time payment);
# one limit for both keeps a basket switchable between one-time and monthly.
MAX_MEMBERS = 20
MIN_PART = 100  # minor units: no member's part below one unit of the currency


class PlanError(ValueError):
    """A basket that cannot be paid as chosen; the message is for the donor."""


@dataclass(frozen=True)
class Choice:
    """The basket page's fields, as typed."""

    keys: tuple[str, ...]  # the members' slugs, in the basket's order
    split: SplitKind
    currency: str
    frequency: Frequency
    total: str = ""  # the amount to split (even and percentage splits)
    parts: tuple[str, ...] = ()  # one per key: an amount or a percentage
    cover_fees: bool = False


@dataclass(frozen=True)
class Plan:
    currency: str
    frequency: Frequency
    split: SplitKind
    lines: tuple[Part, ...]
    shares: dict[str, int]  # percentages in hundredths, for a percentage split

    @property
    def amount(self) -> int:
        return sum(line.amount for line in self.lines)

    @property
    def fee_cover(self) -> int:
        return sum(line.fee_cover for line in self.lines)

    @property
    def total(self) -> int:
        return self.amount + self.fee_cover

    def shown(self) -> str:
        """What the page showed, as the form carries it back: lines, currency, frequency."""
        lines = ",".join(f"{line.key}={line.total}" for line in self.lines)
        return f"{lines}:{self.currency}:{self.frequency.value}"


def make_plan(choice: Choice, *, seed: str, fee_basis_points: int, locale: str) -> Plan:
    """Each member's amount and fee cover for ``choice``; raises PlanError saying what to fix."""
    if not choice.keys:
        raise PlanError(_("Your basket is empty. Add members from the directory."))
    if len(choice.keys) > MAX_MEMBERS:
        raise PlanError(_("A basket can hold at most %(count)d members.", count=MAX_MEMBERS))
    currency = CURRENCIES.get(choice.currency)
    if currency is None or choice.frequency not in set(Frequency):
        raise PlanError(_("Choose a currency and how often to give."))
    amounts, shares = _amounts(choice, seed, locale)
    _check(amounts, choice.currency, locale)
    cover = fee_cover(sum(amounts.values()), fee_basis_points) if choice.cover_fees else 0
    lines = tuple(allocation.parts(amounts, cover, seed))
    return Plan(choice.currency, choice.frequency, choice.split, lines, shares)


def _amounts(choice: Choice, seed: str, locale: str) -> tuple[dict[str, int], dict[str, int]]:
    currency = CURRENCIES[choice.currency]
    if choice.split == SplitKind.AMOUNTS:
        if len(choice.parts) != len(choice.keys):
            raise PlanError(_("Enter an amount for each member."))
        lenient = replace(currency, minimum=0)
        amounts = {
            k: _amount(t, lenient, locale) for k, t in zip(choice.keys, choice.parts, strict=True)
        }
        return amounts, {}
    total = _amount(choice.total, currency, locale)
    if choice.split == SplitKind.PERCENTAGES:
        shares = _percentages(choice)
        return allocation.by_percentages(total, shares, seed), shares
    return allocation.evenly(total, choice.keys, seed), {}


def _amount(text: str, currency, locale: str) -> int:
    try:
        return parse_amount(text, currency, locale)
    except AmountError as error:
        if error.kind == "range":
            raise PlanError(
                _(
                    "Please give between %(minimum)s and %(maximum)s in all.",
                    minimum=display(CURRENCIES[currency.code].minimum, currency.code, locale),
                    maximum=display(currency.maximum, currency.code, locale),
                )
            ) from None
        raise PlanError(
            _("“%(typed)s” is not an amount. Type a number, like 50 or 50.00.", typed=text[:20])
        ) from None


def _percentages(choice: Choice) -> dict[str, int]:
    if len(choice.parts) != len(choice.keys):
        raise PlanError(_("Enter a percentage for each member."))
    shares = {}
    for key, text in zip(choice.keys, choice.parts, strict=True):
        try:
            value = Decimal((text or "0").strip().rstrip("%").replace(",", "."))
        except InvalidOperation:
            value = Decimal(-1)
        if (
            not value.is_finite()
            or not 0 <= value <= 100
            or value != value.quantize(Decimal("0.01"))
        ):
            raise PlanError(_("Percentages are numbers from 0 to 100, with at most two decimals."))
        shares[key] = int(value * 100)
    if sum(shares.values()) != PERCENT_WHOLE:
        got = Decimal(sum(shares.values())) / 100
        raise PlanError(_("The percentages add up to %(sum)s%%; they must make 100%%.", sum=got))
    return shares


def _check(amounts: dict[str, int], code: str, locale: str) -> None:
    currency = CURRENCIES[code]
    if any(a < MIN_PART for a in amounts.values()):
        raise PlanError(
            _(
                "Each member’s part must be at least %(minimum)s. Remove a member or give more.",
                minimum=display(MIN_PART, code, locale),
            )
        )
    if not currency.minimum <= sum(amounts.values()) <= currency.maximum:
        raise PlanError(
            _(
                "Please give between %(minimum)s and %(maximum)s in all.",
                minimum=display(currency.minimum, code, locale),
                maximum=display(currency.maximum, code, locale),
            )
        )
