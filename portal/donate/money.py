"""Money as integer minor units plus an ISO currency code, end to end."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from babel.numbers import format_currency


@dataclass(frozen=True)
class Currency:
    code: str
    exponent: int
    minimum: int  # minor units
    maximum: int
    presets: tuple[int, ...]  # minor units

    def to_minor(self, major: Decimal) -> int:
        return int(major.scaleb(self.exponent))

    def to_major(self, minor: int) -> Decimal:
        return Decimal(minor).scaleb(-self.exponent)


def _currency(code: str, minimum: int, maximum: int, presets: tuple[int, ...]) -> Currency:
    return Currency(code, 2, minimum * 100, maximum * 100, tuple(p * 100 for p in presets))


CURRENCIES: dict[str, Currency] = {
    c.code: c
    for c in (
        _currency("USD", 5, 25_000, (25, 50, 100, 250)),
        _currency("EUR", 5, 25_000, (25, 50, 100, 250)),
        _currency("GBP", 5, 20_000, (20, 50, 100, 250)),
        _currency("ILS", 20, 90_000, (100, 180, 360, 1000)),
    )
}


class AmountError(ValueError):
    """An amount a donor typed that cannot be given: ``kind`` is "number", "decimals" or "range"."""

    def __init__(self, kind: str, currency: Currency):
        super().__init__(kind)
        self.kind = kind
        self.currency = currency


def parse_amount(text: str, currency: Currency) -> int:
    """The donor's typed amount in minor units: "50", "50.5", "1,000.00"; never a float."""
    cleaned = (text or "").strip().replace(",", "").replace("\u00a0", "").replace(" ", "")
    try:
        major = Decimal(cleaned)
    except InvalidOperation:
        raise AmountError("number", currency) from None
    if not major.is_finite():
        raise AmountError("number", currency)
    if major.as_tuple().exponent < -currency.exponent:
        raise AmountError("decimals", currency)
    minor = currency.to_minor(major)
    if not currency.minimum <= minor <= currency.maximum:
        raise AmountError("range", currency)
    return minor


def fee_cover(amount: int, basis_points: int) -> int:
    """What to add so the recipient keeps ``amount`` after a fee of ``basis_points``, rounded up."""
    if basis_points <= 0:
        return 0
    return -(-amount * basis_points // 10_000)


def display(minor: int, code: str, locale: str = "en") -> str:
    """A human amount, e.g. "$1,250.00" or "₪180.00"."""
    return format_currency(CURRENCIES[code].to_major(minor), code, locale=locale)


def plain(minor: int, code: str) -> str:
    """The amount as a form value: "50" or "50.5" — no symbols or grouping."""
    major = CURRENCIES[code].to_major(minor)
    return f"{major:f}".rstrip("0").rstrip(".") if "." in f"{major:f}" else f"{major:f}"
