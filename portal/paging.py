"""One page of a long list (the directory, statements and episodes), and the furthest page a
visitor may ask for: a number past it is a 400, not a scan."""

from __future__ import annotations

from dataclasses import dataclass

MAX_PAGE = 10_000


@dataclass(frozen=True)
class Page:
    items: list
    number: int
    size: int
    total: int

    @property
    def count(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def has_next(self) -> bool:
        return self.number < self.count

    @property
    def has_prev(self) -> bool:
        return self.number > 1
