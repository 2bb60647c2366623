"""Money as integer minor units plus an ISO currency code, end to end."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from decimal import Decimal

from babel import Locale
from babel.numbers import format_currency, get_currency_symbol

from portal.i18n import active_locale


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
    """An amount a donor typed that cannot be given: ``kind`` is "number", "decimals", "range"
    or "ambiguous" (then ``readings`` holds the amounts, in minor units, it could mean)."""

    def __init__(self, kind: str, currency: Currency, readings: tuple[int, ...] = ()):
        super().__init__(kind)
        self.kind = kind
        self.currency = currency
        self.readings = readings


# Arabic-Indic and Eastern Arabic-Indic digits, the Arabic decimal and thousands marks, and the
# spaces and apostrophes some locales group with: what a donor's keyboard may produce.
_TYPED = str.maketrans(
    {
        **{chr(0x0660 + n): str(n) for n in range(10)},
        **{chr(0x06F0 + n): str(n) for n in range(10)},
        "\u066b": ".",
        "\u066c": ",",
    }
)
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009'\u2019\u200e\u200f\u061c]")
_SHAPE = re.compile(r"^\d+(?:[.,]\d*)*$")
_GROUPED = re.compile(r"^\d{1,3}(?:X\d{3})+$")


def parse_amount(text: str, currency: Currency, locale: str = "en") -> int:
    """The donor's typed amount in minor units, read the way people write numbers in ``locale``.

    "75,50" and "75.50" both mean 75.50 (a group of thousands never has two digits). One mark
    followed by exactly three digits is a thousands separator only if it is ``locale``'s own:
    "1,000" is 1000 in English; "1.000" there could be one or a thousand, so it is refused with
    both readings rather than guessed. With both marks, the last one is the decimal mark.
    Never a float.
    """
    cleaned = _clean(text, currency)
    if not cleaned or not _SHAPE.match(cleaned):
        raise AmountError("number", currency)
    major = _read(cleaned, currency, Locale.parse(locale))
    if major.as_tuple().exponent < -currency.exponent:
        raise AmountError("decimals", currency)
    minor = currency.to_minor(major)
    if not currency.minimum <= minor <= currency.maximum:
        raise AmountError("range", currency)
    return minor


def _clean(text: str, currency: Currency) -> str:
    cleaned = _SPACES.sub("", (text or "").translate(_TYPED))
    for mark in (currency.code, get_currency_symbol(currency.code, "en"), _NARROW[currency.code]):
        cleaned = cleaned.replace(mark, "")
    return cleaned


def _read(cleaned: str, currency: Currency, locale: Locale) -> Decimal:
    marks = [c for c in cleaned if c in ".,"]
    if not marks:
        return Decimal(cleaned)
    last = cleaned.rfind(marks[-1])
    head, tail = cleaned[:last], cleaned[last + 1 :]
    if len(set(marks)) == 2 or (len(marks) == 1 and len(tail) != 3):
        # The last mark is the decimal mark; any other must group thousands.
        return _decimal(_ungrouped(head, currency), tail)
    if len(marks) > 1:
        return _decimal(_ungrouped(cleaned, currency), "")  # "1,000,000": only grouping fits
    grouped = Decimal(head + tail)
    if marks[0] == locale.number_symbols["latn"]["group"]:
        return grouped
    small = _decimal(head, tail)
    cents = small.quantize(Decimal(1).scaleb(-currency.exponent))
    readings = (currency.to_minor(grouped),) + (
        (currency.to_minor(cents),) if small == cents else ()
    )
    raise AmountError("ambiguous", currency, readings)


def _ungrouped(text: str, currency: Currency) -> str:
    if not text or text.isdecimal():
        return text or "0"
    if not _GROUPED.match(re.sub(r"[.,]", "X", text)):
        raise AmountError("number", currency)
    return re.sub(r"[.,]", "", text)


def _decimal(whole: str, fraction: str) -> Decimal:
    return Decimal(f"{whole or '0'}.{fraction}" if fraction else whole or "0")


_NARROW = {"USD": "$", "EUR": "€", "GBP": "£", "ILS": "₪"}


def fee_cover(amount: int, basis_points: int) -> int:
    """What to add so the recipient keeps ``amount`` after a fee of ``basis_points``, rounded up."""
    if basis_points <= 0:
        return 0
    return -(-amount * basis_points // 10_000)


def display(minor: int, code: str, locale: str | None = None) -> str:
    """A human amount in ``locale`` (default: the active language): "$1,250.00", "‏1,250.00 US$"."""
    return _formatted(minor, code, locale or active_locale())


@functools.lru_cache(maxsize=2048)
def _formatted(minor: int, code: str, locale: str) -> str:
    # Babel reads the locale's pattern and symbols on every call; a mail batch or a page shows
    # the same few amounts (the presets) again and again.
    return format_currency(CURRENCIES[code].to_major(minor), code, locale=locale)


def plain(minor: int, code: str) -> str:
    """The amount as a form value: "50" or "50.5" — no symbols or grouping."""
    major = CURRENCIES[code].to_major(minor)
    return f"{major:f}".rstrip("0").rstrip(".") if "." in f"{major:f}" else f"{major:f}"
