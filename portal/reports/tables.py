"""A report table once, for both the page and its CSV: the same rows feed each."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, get_currency_precision


@dataclass(frozen=True)
class Money:
    """An amount in minor units of one currency; amounts of two currencies are never added."""

    minor: int
    currency: str

    @property
    def major(self) -> Decimal:
        return Decimal(self.minor).scaleb(-get_currency_precision(self.currency))

    def plain(self) -> str:
        """For a CSV cell: ``1250.00``, no symbol or grouping."""
        digits = get_currency_precision(self.currency)
        return f"{self.major:.{digits}f}"

    def display(self, locale: str) -> str:
        return format_currency(self.major, self.currency, locale=locale)


@dataclass(frozen=True)
class Column:
    key: str  # the CSV header
    label: str  # the page's header
    numeric: bool = False
    # How the page shows a value of this column; the CSV always writes the plain value.
    shown: Callable[[object], str] | None = None


@dataclass
class Table:
    name: str
    title: str
    columns: list[Column]
    rows: list[tuple] = field(default_factory=list)
    totals: tuple | None = None  # the page's last line; never in the CSV

    def with_totals(self, *labels: str) -> Table:
        """This table with the page's last line: ``labels`` under its leading columns, then the
        sum of each column after them."""
        sums = (sum(row[i] for row in self.rows) for i in range(len(labels), len(self.columns)))
        self.totals = (*labels, *sums)
        return self

    def csv_rows(self) -> Iterator[tuple]:
        """Plain values in every language (1250.00, 2026-11-30), so spreadsheets read them alike."""
        for row in self.rows:
            yield tuple(_plain(value) for value in row)

    def cell(self, column: Column, value: object, locale: str) -> str:
        """A value as the page shows it."""
        if column.shown is not None:
            return column.shown(value)
        if isinstance(value, Money):
            return value.display(locale)
        if isinstance(value, date) and not isinstance(value, datetime):
            return format_date(value, "medium", locale=locale)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return format_decimal(value, format="#,##0.##", locale=locale)
        return "—" if value is None else str(value)


def build(builders: Mapping[str, Callable[[], Table]], only: str | None = None) -> dict[str, Table]:
    """The tables ``builders`` make, by name, in their order. With ``only`` one of the names (a
    CSV download of one table), that table alone; an unknown name gets them all, so that its
    refusal can list them."""
    names = [only] if only in builders else list(builders)
    return {name: builders[name]() for name in names}


def numbers(*pairs: tuple[str, str]) -> list[Column]:
    """Number columns, each from its (CSV header, page heading) pair."""
    return [Column(key, label, numeric=True) for key, label in pairs]


def amounts(found: dict[str, int], currencies: Iterable[str]) -> tuple[Money, ...]:
    """One cell per currency, in ``currencies``' order: what ``found`` holds of it, else 0."""
    return tuple(Money(found.get(code, 0), code) for code in currencies)


def _plain(value: object) -> object:
    if isinstance(value, Money):
        return value.plain()
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    return value  # csv_export writes datetimes in UTC
